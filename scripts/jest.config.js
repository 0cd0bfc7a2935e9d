// The tests of the repository scripts (new-store, capabilities-table). Plain JavaScript:
// they run the scripts as a user does, in child processes. Generated packages live in
// .generated-test/ while a test runs, and must not be taken for this project's modules.
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'scripts',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.js'],
  modulePathIgnorePatterns: ['<rootDir>/.generated-test/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.generated-test/'],
  testTimeout: 180000,
};
