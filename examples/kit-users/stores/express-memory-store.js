// A plain express-session store for the command line: express-session's own MemoryStore.
const session = require('express-session');

module.exports = {
  name: "express-session's MemoryStore",
  createStore: () => new session.MemoryStore(),
};
