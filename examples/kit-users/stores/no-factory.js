// A module that exports no store factory.
module.exports = { version: 1 };
