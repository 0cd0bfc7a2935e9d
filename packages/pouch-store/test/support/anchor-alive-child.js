'use strict';
// session-pouchdb-store with nothing left to do: its timers keep the process alive.
const AnchorStore = require('session-pouchdb-store');
const store = new AnchorStore();
store.set('a', { cookie: { maxAge: 1000 }, $commit: true }, () => process.stdout.write('stored\n'));
