/** The jest test file of CONFORMANCE.md, as a store author would have it (plain JavaScript, no transform). */
module.exports = { testEnvironment: 'node', testMatch: ['<rootDir>/test/jest.test.js'], transform: {} };
