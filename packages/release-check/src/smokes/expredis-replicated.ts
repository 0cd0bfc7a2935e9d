import { ROUND_TRIP_SOURCE, runMain } from './round-trip';
import type { SmokeDefinition } from './smoke-definition';

/** @session-stores/expredis-replicated: the classic factory and the named class against three real redis-servers. */
export const expredisReplicatedSmoke: SmokeDefinition = {
  // Both clients are optional peers; a user of connection configs adds node-redis.
  extraInstalls: ['redis'],
  servers: ['redis-group'],
  cjs: `'use strict';
const assert = require('node:assert/strict');
const session = require('express-session');
const replicated = require('@session-stores/expredis-replicated');
${ROUND_TRIP_SOURCE}
assert.equal(typeof replicated, 'function', 'module.exports is the classic factory');
const ReplicatedStore = replicated(session);
assert.ok(ReplicatedStore.prototype instanceof session.Store, "require(pkg)(session) extends express-session's Store");
assert.equal(typeof replicated.ReplicatedStore, 'function', 'the ReplicatedStore named export is on module.exports');
const clients = process.env.SMOKE_REDIS_GROUP_URLS.split(',').map((url) => ({ url }));
${runMain(`async () => {
  await roundTrip(new ReplicatedStore({ clients, prefix: process.env.SMOKE_KEY_PREFIX + 'cjs:' }), 'cjs');
}`)}`,
  esm: `import assert from 'node:assert/strict';
import session from 'express-session';
import replicated, { ReplicatedStore } from '@session-stores/expredis-replicated';
${ROUND_TRIP_SOURCE}
assert.equal(typeof replicated, 'function', 'the default export is the classic factory');
assert.ok(replicated(session).prototype instanceof session.Store, "factory(session) extends express-session's Store");
const clients = process.env.SMOKE_REDIS_GROUP_URLS.split(',').map((url) => ({ url }));
const store = new ReplicatedStore({ clients, prefix: process.env.SMOKE_KEY_PREFIX + 'esm:' });
await roundTrip(store, 'esm');
console.log('smoke ok');
`,
  types: `import session from 'express-session';
import replicated, { ReplicatedStore, type ReplicatedStoreOptions } from '@session-stores/expredis-replicated';

const options: ReplicatedStoreOptions = {
  clients: [{ url: 'redis://10.0.0.1:6379' }, { url: 'redis://10.0.0.2:6379' }, { url: 'redis://10.0.0.3:6379' }],
  writeQuorum: 'majority',
  readPolicy: 'first',
};
const store = new ReplicatedStore(options);
const Classic = replicated(session);
const viaFactory = new Classic(options);
const pending: Promise<unknown> = store.get('sid');
store.destroy('sid', (err?: unknown) => void err);
// @ts-expect-error writeQuorum is 'all', 'majority' or a number
new ReplicatedStore({ clients: options.clients, writeQuorum: 'most' });

export { pending, viaFactory };
`,
};
