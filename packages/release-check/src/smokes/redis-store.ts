import { ROUND_TRIP_SOURCE, runMain } from './round-trip';
import type { SmokeDefinition } from './smoke-definition';

/** @session-stores/redis-store: the classic factory and the named class against a real redis-server. */
export const redisStoreSmoke: SmokeDefinition = {
  // Both clients are optional peers; a user of the url option adds node-redis.
  extraInstalls: ['redis'],
  servers: ['redis'],
  cjs: `'use strict';
const assert = require('node:assert/strict');
const session = require('express-session');
const redisStore = require('@session-stores/redis-store');
${ROUND_TRIP_SOURCE}
assert.equal(typeof redisStore, 'function', 'module.exports is the classic factory');
const RedisStore = redisStore(session);
assert.ok(RedisStore.prototype instanceof session.Store, "require(pkg)(session) extends express-session's Store");
assert.equal(typeof redisStore.RedisStore, 'function', 'the RedisStore named export is on module.exports');
const url = process.env.SMOKE_REDIS_URL;
${runMain(`async () => {
  await roundTrip(new RedisStore({ url, prefix: process.env.SMOKE_KEY_PREFIX + 'cjs:' }), 'cjs');
}`)}`,
  esm: `import assert from 'node:assert/strict';
import session from 'express-session';
import redisStore, { RedisStore } from '@session-stores/redis-store';
${ROUND_TRIP_SOURCE}
assert.equal(typeof redisStore, 'function', 'the default export is the classic factory');
assert.ok(redisStore(session).prototype instanceof session.Store, "factory(session) extends express-session's Store");
const url = process.env.SMOKE_REDIS_URL;
await roundTrip(new RedisStore({ url, prefix: process.env.SMOKE_KEY_PREFIX + 'esm:' }), 'esm');
console.log('smoke ok');
`,
  types: `import session from 'express-session';
import redisStore, { RedisStore, type RedisStoreOptions } from '@session-stores/redis-store';

const options: RedisStoreOptions = { url: 'redis://127.0.0.1:6379', prefix: 'types:', ttl: 60 };
const store = new RedisStore(options);
const Classic = redisStore(session);
const viaFactory = new Classic(options);
const pending: Promise<unknown> = store.get('sid');
store.destroy('sid', (err?: unknown) => void err);
// @ts-expect-error the url is a string
new RedisStore({ url: 6379 });

export { pending, viaFactory };
`,
};
