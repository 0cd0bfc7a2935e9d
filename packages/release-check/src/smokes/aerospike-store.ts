import { ROUND_TRIP_SOURCE, runMain } from './round-trip';
import type { SmokeDefinition } from './smoke-definition';

/** @session-stores/aerospike-store: the classic factory and the named class against an Aerospike server. */
export const aerospikeStoreSmoke: SmokeDefinition = {
  extraInstalls: [],
  servers: ['aerospike'],
  cjs: `'use strict';
const assert = require('node:assert/strict');
const session = require('express-session');
const aerospikeStore = require('@session-stores/aerospike-store');
${ROUND_TRIP_SOURCE}
assert.equal(typeof aerospikeStore, 'function', 'module.exports is the classic factory');
const AerospikeStore = aerospikeStore(session);
assert.ok(AerospikeStore.prototype instanceof session.Store, "require(pkg)(session) extends express-session's Store");
assert.equal(typeof aerospikeStore.AerospikeStore, 'function', 'the AerospikeStore named export is on module.exports');
${runMain(`async () => {
  const store = new AerospikeStore({ hosts: process.env.SMOKE_AEROSPIKE_HOSTS, set: 'release-check-cjs' });
  await store.ready();
  await roundTrip(store, 'cjs');
}`)}`,
  esm: `import assert from 'node:assert/strict';
import session from 'express-session';
import aerospikeStore, { AerospikeStore } from '@session-stores/aerospike-store';
${ROUND_TRIP_SOURCE}
assert.ok(aerospikeStore(session).prototype instanceof session.Store, "factory(session) extends express-session's Store");
const store = new AerospikeStore({ hosts: process.env.SMOKE_AEROSPIKE_HOSTS, set: 'release-check-esm' });
await store.ready();
await roundTrip(store, 'esm');
console.log('smoke ok');
`,
  types: `import session from 'express-session';
import aerospikeStore, { AerospikeStore, type AerospikeStoreOptions } from '@session-stores/aerospike-store';

const options: AerospikeStoreOptions = { hosts: '127.0.0.1:3000', namespace: 'test', set: 'sessions', ttl: 60 };
const store = new AerospikeStore(options);
const viaFactory = new (aerospikeStore(session))(options);
const pending: Promise<unknown> = store.get('sid');

export { pending, viaFactory };
`,
};
