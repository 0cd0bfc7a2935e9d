module.exports = { displayName: 'demo', testEnvironment: 'node', testMatch: ['<rootDir>/test/**/*.test.js'] };
