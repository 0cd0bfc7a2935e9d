// testTimeout: each test drives the app over HTTP through several requests; jest's 5 s default
// is too short for that on a busy machine (two tests took longer beside CPU hogs).
module.exports = {
  displayName: 'demo',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.js'],
  testTimeout: 30_000,
};
