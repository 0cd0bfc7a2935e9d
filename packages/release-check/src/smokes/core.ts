import { ROUND_TRIP_SOURCE, runMain } from './round-trip';
import type { SmokeDefinition } from './smoke-definition';

/**
 * @session-stores/core: the in-memory reference store, the factory helper, the conformance
 * entry, encryption at rest, and the OpenTelemetry entry in a project without
 * `@opentelemetry/api` (its optional peer): it must warn once and do nothing.
 */
export const coreSmoke: SmokeDefinition = {
  extraInstalls: [],
  servers: [],
  cjs: `'use strict';
const assert = require('node:assert/strict');
const session = require('express-session');
const { randomBytes } = require('node:crypto');
const { MemoryStore, SessionStore, createEncryptingSerializer, createStoreFactory } = require('@session-stores/core');
const { enableOpenTelemetry } = require('@session-stores/core/opentelemetry');
${ROUND_TRIP_SOURCE}
const otelWarnings = [];
process.on('warning', (warning) => {
  if (warning.code === 'SESSION_STORES_OTEL_MISSING') otelWarnings.push(warning);
});
assert.equal(enableOpenTelemetry().enabled, false, 'without @opentelemetry/api the bridge is off');
assert.equal(enableOpenTelemetry().enabled, false, 'and stays off');
assert.equal(typeof MemoryStore, 'function', 'MemoryStore is exported');
assert.ok(MemoryStore.prototype instanceof SessionStore, 'MemoryStore extends SessionStore');
assert.ok(MemoryStore.prototype instanceof session.Store, "MemoryStore extends express-session's Store");
const Bound = createStoreFactory(MemoryStore)(session);
assert.ok(Bound.prototype instanceof session.Store, 'createStoreFactory(MemoryStore)(session) is a Store class');
assert.match(require.resolve('@session-stores/core/conformance'), /\\.js$/, 'the conformance entry resolves');
${runMain(`async () => {
  await roundTrip(new MemoryStore({ prefix: 'cjs:' }), 'cjs');
  await roundTrip(new Bound({ prefix: 'bound:' }), 'bound');
  const serializer = createEncryptingSerializer({ keys: [{ id: 'smoke', key: randomBytes(32) }] });
  await roundTrip(new MemoryStore({ prefix: 'encrypted:', serializer }), 'encrypted');
  assert.equal(otelWarnings.length, 1, 'the missing @opentelemetry/api is reported once');
}`)}`,
  esm: `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import session from 'express-session';
import { ErrorCode, MemoryStore, SessionStore } from '@session-stores/core';
${ROUND_TRIP_SOURCE}
const required = createRequire(import.meta.url)('@session-stores/core');
assert.equal(required.SessionStore, SessionStore, 'import and require load the same code (no dual-package hazard)');
assert.ok(MemoryStore.prototype instanceof SessionStore, 'MemoryStore extends SessionStore');
assert.ok(MemoryStore.prototype instanceof session.Store, "MemoryStore extends express-session's Store");
assert.equal(typeof ErrorCode, 'object', 'ErrorCode is exported');
assert.match(import.meta.resolve('@session-stores/core/conformance'), /\\.mjs$/, 'the conformance entry resolves');
const { enableOpenTelemetry } = await import('@session-stores/core/opentelemetry');
assert.equal(enableOpenTelemetry().enabled, false, 'without @opentelemetry/api the ESM bridge is off');
await roundTrip(new MemoryStore({ prefix: 'esm:' }), 'esm');
console.log('smoke ok');
`,
  types: `import session from 'express-session';
import {
  createStoreFactory,
  MemoryStore,
  type MemoryStoreOptions,
  type SessionData,
  SessionStore,
  type StoreCapabilities,
} from '@session-stores/core';
import type { ConformanceOptions } from '@session-stores/core/conformance';

const options: MemoryStoreOptions = { prefix: 'types:', maxSessions: 10, ttl: 60 };
const store: SessionStore = new MemoryStore(options);
const capabilities: StoreCapabilities = MemoryStore.capabilities;
const pending: Promise<SessionData | null> = store.get('sid');
store.destroy('sid', (err?: unknown) => void err);
const Bound: typeof MemoryStore = createStoreFactory(MemoryStore)(session);
type Kit = ConformanceOptions;
// @ts-expect-error the prefix is a string
new MemoryStore({ prefix: 1 });

export type { Kit };
export { Bound, capabilities, pending };
`,
};
