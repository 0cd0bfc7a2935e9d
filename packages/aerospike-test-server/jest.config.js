const base = require('../../jest.config.base.js');

module.exports = { ...base, displayName: 'aerospike-test-server' };
