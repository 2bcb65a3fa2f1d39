// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI log readers understand,
// after jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numFailedTestSuites, numRuntimeErrorTestSuites } = results;
    // A suite that fails to load has no failed tests of its own; count it so the line never reads as clean.
    const failed = numFailedTests + numRuntimeErrorTestSuites + (numFailedTestSuites > 0 && numFailedTests === 0 ? numFailedTestSuites : 0);
    process.stdout.write(`\ntests: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
