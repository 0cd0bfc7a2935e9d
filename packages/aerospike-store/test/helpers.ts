/**
 * Where the tests find Aerospike: the real server named by AEROSPIKE_HOSTS when it is
 * set, otherwise a wire-compatible test server started for the file. Each file works
 * in sets of its own (unique per run) and truncates only those at the end.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import { type AerospikeTestServer, startAerospikeTestServer } from '@session-stores/aerospike-test-server';
import type { ConformanceInspect } from '@session-stores/core/conformance';
import * as Aerospike from 'aerospike';
import type { AerospikeStore } from '../src';
import { USER_BIN } from '../src/record-mapper';

/** The namespace the tests use; the nsup test uses `express` instead, to leave this one alone. */
export const NAMESPACE = 'test';

/** The C client logs every failed tend round to stderr; outages are the point of some tests. */
Aerospike.setDefaultLogging({ level: Aerospike.log.OFF });

/**
 * Client settings for tests of behaviour rather than speed: a CI machine busy with other
 * work can take more than the defaults' 1 s for a connect or a command.
 */
export const PATIENT_CLIENT = {
  connTimeoutMs: 10_000,
  policies: {
    read: { totalTimeout: 10_000 },
    write: { totalTimeout: 10_000 },
    operate: { totalTimeout: 10_000 },
    remove: { totalTimeout: 10_000 },
    batch: { totalTimeout: 10_000 },
    info: { timeout: 10_000 },
  },
} satisfies Aerospike.ConfigOptions;

/** A reachable Aerospike for one test file. */
export interface Backend {
  /** `host:port` for the client's `hosts` option. */
  readonly hosts: string;
  /** The test server, or undefined when AEROSPIKE_HOSTS names a real one. */
  readonly server: AerospikeTestServer | undefined;
  /** A connected raw client, for inspecting what the store wrote. */
  readonly client: Aerospike.Client;
}

/** Whether the run targets a real server (AEROSPIKE_HOSTS). */
export const realHosts = process.env.AEROSPIKE_HOSTS?.trim() || undefined;

/** A set name unique to this run; `label` says which test file made it. */
export function uniqueSet(label: string): string {
  return `ss-${label}-${randomBytes(4).toString('hex')}`;
}

/** Extra steps of {@link useAerospike}'s teardown. */
export interface UseAerospikeOptions {
  /**
   * Runs first in the file's teardown, while the client is still connected and the
   * test server still running (e.g. to restore server settings a test changed). An
   * error still closes the client and stops the server, then fails the file.
   */
  readonly beforeClose?: (backend: Backend) => Promise<void>;
}

/**
 * Registers beforeAll/afterAll that provide a backend; returns its getter. `sets` (in
 * `namespace`) are truncated at the end, which matters on a shared real server. The
 * backend's client is patient ({@link PATIENT_CLIENT}).
 */
export function useAerospike(
  sets: readonly string[] = [],
  namespace = NAMESPACE,
  options: UseAerospikeOptions = {},
): () => Backend {
  let backend: Backend | undefined;
  beforeAll(async () => {
    const server = realHosts ? undefined : await startAerospikeTestServer();
    const hosts = realHosts ?? (server as AerospikeTestServer).hostsString;
    const client = await Aerospike.connect({ hosts, ...PATIENT_CLIENT });
    backend = { hosts, server, client };
    // A busy machine (load 35 beside CPU hogs) took over jest's 30 s to start and connect.
  }, 60_000);
  afterAll(async () => {
    if (!backend) return;
    const current = backend;
    try {
      await options.beforeClose?.(current);
    } finally {
      for (const set of sets) await current.client.truncate(namespace, set, 0).catch(() => undefined);
      current.client.close();
      await current.server?.stop();
      backend = undefined;
    }
  });
  return () => {
    if (!backend) throw new Error('the Aerospike backend is only available inside tests and hooks');
    return backend;
  };
}

const sendKey = new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND });

/** The raw key of a session of `store`. */
export function keyOf(store: AerospikeStore, sid: string): Aerospike.Key {
  return new Aerospike.Key(store.namespace, store.setName, store.prefix + sid);
}

/** Writes raw bins under `sid` of `store`, bypassing it (kept 10 minutes at most). */
export async function putRaw(
  client: Aerospike.Client,
  store: AerospikeStore,
  sid: string,
  bins: Aerospike.AerospikeBins,
): Promise<void> {
  await client.put(keyOf(store, sid), bins, { ttl: 600 }, sendKey);
}

/** The conformance kit's backend access, through a raw client. */
export function rawInspect(client: () => Aerospike.Client): ConformanceInspect<AerospikeStore> {
  const foreignKey = (store: AerospikeStore, key: string) =>
    new Aerospike.Key(store.namespace, store.setName, key);
  return {
    corrupt: (store, sid) => putRaw(client(), store, sid, { session: '{"cookie": tru' }),
    exists: (store, sid) => client().exists(keyOf(store, sid)),
    ttl: async (store, sid) => {
      const { ttl } = await client().get(keyOf(store, sid));
      // The client reports a record that never expires as TTL -1 (void-time 0 on the wire).
      return ttl < 0 ? null : ttl * 1000;
    },
    writeForeign: async (store, key) => {
      await client().put(foreignKey(store, key), { session: '{}' }, { ttl: 600 }, sendKey);
    },
    foreignExists: (store, key) => client().exists(foreignKey(store, key)),
    // What the user bin's secondary index answers for `user` (the store created the index).
    indexedIds: async (store, user) => {
      const query = client().query(store.namespace, store.setName);
      query.where(Aerospike.filter.equal(USER_BIN, user));
      const records = await query.results();
      return records.flatMap((record) => {
        const key = record.key?.key;
        return typeof key === 'string' && key.startsWith(store.prefix)
          ? [key.slice(store.prefix.length)]
          : [];
      });
    },
  };
}

/** Waits `ms` of real time. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true or `timeoutMs` passes; returns whether it became true. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
}
