/**
 * Tests run from TypeScript sources through ts-jest (transpile only; type-checking is `pnpm run typecheck`, see .ci/run).
 * `@tensorgrad/*` imports resolve to each package's `src/index.ts` through the `@tensorgrad/source` condition of its
 * package.json `exports` (the same condition the test tsconfigs pass to TypeScript), so no build is needed and the
 * path aliases are declared in one place.
 */
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@tensorgrad/source', 'node', 'node-addons'] },
  reporters: ['default', '<rootDir>/.ci/jest-summary-reporter.cjs'],
  roots: ['<rootDir>/packages'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', target: 'es2022', isolatedModules: true, esModuleInterop: true, sourceMap: true } }],
  },
  // Sources import siblings as './x.js' (what Node's ESM and NodeNext want); in jest that is the .ts file beside it.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
