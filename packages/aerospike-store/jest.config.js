const base = require('../../jest.config.base.js');

module.exports = {
  ...base,
  displayName: 'aerospike-store',
  // Every test file in a worker shares the client's native event loop (see the file).
  setupFiles: ['<rootDir>/test/support/shared-event-loop.ts'],
};
