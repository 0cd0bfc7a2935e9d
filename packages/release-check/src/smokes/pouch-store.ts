import { ROUND_TRIP_SOURCE, runMain } from './round-trip';
import type { SmokeDefinition } from './smoke-definition';

/** @session-stores/pouch-store: the classic factory and the named class on the in-memory default database. */
export const pouchStoreSmoke: SmokeDefinition = {
  extraInstalls: [],
  servers: [],
  cjs: `'use strict';
const assert = require('node:assert/strict');
const session = require('express-session');
const pouchStore = require('@session-stores/pouch-store');
${ROUND_TRIP_SOURCE}
assert.equal(typeof pouchStore, 'function', 'module.exports is the classic factory');
const PouchStore = pouchStore(session);
assert.ok(PouchStore.prototype instanceof session.Store, "require(pkg)(session) extends express-session's Store");
assert.equal(typeof pouchStore.PouchStore, 'function', 'the PouchStore named export is on module.exports');
${runMain(`async () => {
  await roundTrip(new PouchStore(), 'cjs');
}`)}`,
  esm: `import assert from 'node:assert/strict';
import session from 'express-session';
import pouchStore, { PouchStore } from '@session-stores/pouch-store';
${ROUND_TRIP_SOURCE}
assert.equal(typeof pouchStore, 'function', 'the default export is the classic factory');
assert.ok(pouchStore(session).prototype instanceof session.Store, "factory(session) extends express-session's Store");
await roundTrip(new PouchStore({ database: 'release-check-esm' }), 'esm');
console.log('smoke ok');
`,
  types: `import session from 'express-session';
import pouchStore, { PouchStore, type PouchStoreOptions } from '@session-stores/pouch-store';

const options: PouchStoreOptions = { database: 'sessions', prefix: 'types:', ttl: 60, purge: 0 };
const store = new PouchStore(options);
const Classic = pouchStore(session);
const viaFactory = new Classic('http://127.0.0.1:5984/sessions');
const pending: Promise<unknown> = store.get('sid');
store.destroy('sid', (err?: unknown) => void err);
// @ts-expect-error maxIdle is a number of milliseconds
new PouchStore({ maxIdle: '5m' });

export { pending, viaFactory };
`,
};
