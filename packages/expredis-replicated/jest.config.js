const base = require('../../jest.config.base.js');

module.exports = { ...base, displayName: 'expredis-replicated' };
