'use strict';
// Runs session-pouchdb-store 0.4.1 (the store this package replaces) through the scenarios
// of anchor-bugs.test.ts, in its own process: its timers never stop and its commit loop
// fails with unhandled rejections, so it cannot share the jest worker. Prints one JSON
// object: what each scenario observed.
const AnchorStore = require('session-pouchdb-store');
const PouchDB = require(require.resolve('pouchdb', { paths: [require.resolve('session-pouchdb-store')] }));

const unhandled = [];
process.on('unhandledRejection', (reason) => unhandled.push(String(reason?.message || reason)));

let counter = 0;
const freshDb = () => new PouchDB(`anchor-${process.pid}-${++counter}`, { adapter: 'memory' });
const call = (fn) =>
  new Promise((resolve) =>
    fn((err, value) => resolve({ err: err ? String(err.message || err) : null, value })),
  );
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const session = (data, maxAge = 60_000) => ({
  cookie: { originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge), httpOnly: true, path: '/' },
  ...data,
});
const exists = (db, id) =>
  db.get(id).then(
    () => true,
    () => false,
  );

const scenarios = {
  async destroy() {
    const db = freshDb();
    const store = new AnchorStore(db);
    await call((cb) => store.set('a', { ...session({ v: 1 }), $commit: true }, cb));
    const destroyed = await call((cb) => store.destroy('a', cb));
    const after = await call((cb) => store.get('a', cb));
    return {
      destroyError: destroyed.err,
      stillReturned: Boolean(after.value),
      docStillInDb: await exists(db, 'a'),
    };
  },
  async expired() {
    const db = freshDb();
    const store = new AnchorStore(db);
    await call((cb) => store.set('a', { ...session({ v: 1 }, 100), $commit: true }, cb));
    await sleep(300);
    const cached = await call((cb) => store.get('a', cb));
    const fromDb = await call((cb) => new AnchorStore(db).get('a', cb));
    return { returnedFromCache: Boolean(cached.value), returnedFromDb: Boolean(fromDb.value) };
  },
  async purge() {
    const db = freshDb();
    const store = new AnchorStore(db, { purge: 100 });
    await call((cb) => store.set('a', { ...session({ v: 1 }, 50), $commit: true }, cb));
    await sleep(600);
    return { expiredDocStillInDb: await exists(db, 'a') };
  },
  async setCookie() {
    const express = require('express');
    const session = require('express-session');
    const request = require('supertest');
    const app = express();
    app.use(
      session({
        store: new AnchorStore(freshDb()),
        secret: 's',
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: 60_000 },
      }),
    );
    app.get('/login', (req, res) => {
      req.session.user = 'ada';
      res.send('ok');
    });
    const res = await request(app).get('/login');
    return { setCookie: String(res.headers['set-cookie']) };
  },
  async conflict() {
    // Two processes (here: two stores on one database) update the same session within
    // one commit period: both commit with the same revision and one gets a 409.
    const db = freshDb();
    const first = new AnchorStore(db, { commit: 50 });
    const second = new AnchorStore(db, { commit: 50 });
    const before = unhandled.length;
    await call((cb) => first.set('a', { ...session({ v: 1 }), $commit: true }, cb));
    await call((cb) => second.get('a', cb));
    await call((cb) => first.set('a', session({ v: 'first' }), cb)); // acknowledged at once (write-behind)
    await call((cb) => second.set('a', session({ v: 'second' }), cb));
    await sleep(300);
    // Later writes through each store: the one whose commit loop died never stores them.
    await call((cb) => first.set('b1', session({ v: 3 }), cb));
    await call((cb) => second.set('b2', session({ v: 3 }), cb));
    await sleep(300);
    return {
      unhandledRejections: unhandled.slice(before),
      laterWritesStored: [await exists(db, 'b1'), await exists(db, 'b2')],
    };
  },
  async clear() {
    const db = freshDb();
    const store = new AnchorStore(db);
    await db.put({ _id: 'app-config', theme: 'dark' });
    await call((cb) => store.set('a', { ...session({ v: 1 }), $commit: true }, cb));
    await call((cb) => store.clear(cb));
    const cached = await call((cb) => store.get('a', cb));
    return {
      foreignDocSurvived: await exists(db, 'app-config'),
      clearedSessionStillReturned: Boolean(cached.value),
    };
  },
  async underscoreId() {
    const store = new AnchorStore(freshDb(), { commit: 50 });
    const before = unhandled.length;
    const set = await call((cb) => store.set('_Ab3xYz', session({ v: 1 }), cb));
    await sleep(300);
    return { setError: set.err, unhandledRejections: unhandled.slice(before) };
  },
  async leakedFields() {
    const store = new AnchorStore(freshDb());
    await call((cb) => store.set('a', { ...session({ v: 1 }), $commit: true }, cb));
    const fresh = new AnchorStore(store.pouch);
    const got = await call((cb) => fresh.get('a', cb));
    return { keys: Object.keys(got.value || {}).sort() };
  },
  async mutation() {
    const store = new AnchorStore(freshDb());
    const mine = session({ v: 1 });
    const keysBefore = Object.keys(mine);
    await call((cb) => store.set('a', mine, cb));
    const first = await call((cb) => store.get('a', cb));
    const second = await call((cb) => store.get('a', cb));
    return {
      keysBefore,
      keysAfter: Object.keys(mine),
      sameObjectReturnedTwice: first.value === second.value,
      callerObjectReturned: first.value === mine,
    };
  },
};

(async () => {
  const results = {};
  for (const [name, scenario] of Object.entries(scenarios)) {
    try {
      results[name] = await scenario();
    } catch (error) {
      results[name] = { threw: String(error?.message) };
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
  // Its timers would keep the process alive for ever (the anchor's own test ends this way too).
  process.exit(0);
})();
