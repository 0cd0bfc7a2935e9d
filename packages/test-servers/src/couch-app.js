// Plain JavaScript on purpose: couch-server-process.js runs it with bare `node`, no TypeScript loader.
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-mapreduce'))
  .plugin(require('pouchdb-replication'))
  .plugin(require('pouchdb-find'));
const expressPouchDB = require('express-pouchdb');
const { randomBytes } = require('node:crypto');

/**
 * Builds an express app speaking the CouchDB HTTP API over in-memory PouchDB databases.
 * `minimumForPouchDB` leaves out the config and log infrastructure, which would otherwise write
 * config.json and log.txt into the working directory; mango (`_find`, `_index`) is added back.
 */
function createCouchApp() {
  // The memory adapter shares stores by name across a process; a prefix keeps two servers apart.
  const MemoryPouchDB = PouchDB.defaults({
    adapter: 'memory',
    prefix: `couch-${randomBytes(6).toString('hex')}-`,
  });
  return expressPouchDB(MemoryPouchDB, {
    mode: 'minimumForPouchDB',
    overrideMode: { include: ['routes/find'] },
  });
}

/** Listens on host:port (0 = any free port) and resolves with the http.Server once it is bound. */
function listenCouch(port, host) {
  const app = createCouchApp();
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

module.exports = { createCouchApp, listenCouch };
