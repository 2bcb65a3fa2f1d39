/** Tests run from TypeScript sources through ts-jest; type-checking is done separately by `tsc` (see .ci/run). */
module.exports = {
  testEnvironment: 'node',
  reporters: ['default', '<rootDir>/.ci/jest-summary-reporter.cjs'],
  roots: ['<rootDir>/packages'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleNameMapper: {
    '^@tensorgrad/core$': '<rootDir>/packages/core/src/index.ts',
    '^@tensorgrad/core/util$': '<rootDir>/packages/core/src/util.ts',
    '^@tensorgrad/nn$': '<rootDir>/packages/nn/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
