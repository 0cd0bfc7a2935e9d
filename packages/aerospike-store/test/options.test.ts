/** Options: defaults, validation, the client the store creates or borrows, and its policies. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { ErrorCode, type SessionData } from '@session-stores/core';
import * as Aerospike from 'aerospike';
import { AerospikeStore, type AerospikeStoreOptions, DEFAULT_TIMEOUTS } from '../src';
import { NAMESPACE, uniqueSet, useAerospike, waitFor } from './helpers';

const set = uniqueSet('options');
const backend = useAerospike([set]);
const stores: AerospikeStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function track(store: AerospikeStore): AerospikeStore {
  stores.push(store);
  return store;
}

const session = () =>
  ({ cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' }, v: 1 }) as never;

describe('defaults', () => {
  test("namespace 'test', set 'express-session', empty prefix (the set already isolates)", () => {
    const store = track(new AerospikeStore({ client: backend().client }));
    expect(store.namespace).toBe('test');
    expect(store.setName).toBe('express-session');
    expect(store.prefix).toBe('');
  });

  test('a store-owned client gets short timeouts unless the app sets its own', async () => {
    const store = track(
      new AerospikeStore({
        hosts: backend().hosts,
        set,
        policies: { read: new Aerospike.ReadPolicy({ totalTimeout: 2500 }) },
      }),
    );
    await store.ready(5000);
    const config = store.client?.config as Aerospike.Config;
    expect(config.connTimeoutMs).toBe(DEFAULT_TIMEOUTS.connTimeoutMs);
    expect(config.policies.read?.totalTimeout).toBe(2500);
    expect(config.policies.write?.totalTimeout).toBe(DEFAULT_TIMEOUTS.totalTimeout);
    expect(config.policies.operate?.totalTimeout).toBe(DEFAULT_TIMEOUTS.totalTimeout);
    expect(config.policies.scan?.socketTimeout).toBe(DEFAULT_TIMEOUTS.scanSocketTimeout);
  });
});

describe('validation', () => {
  const invalid: Array<[string, Record<string, unknown>]> = [
    ['namespace', { namespace: 42 }],
    ['namespace', { namespace: '' }],
    ['namespace', { namespace: 'n'.repeat(32) }],
    ['namespace', { namespace: 'a:b' }],
    ['set', { set: 7 }],
    ['set', { set: 's'.repeat(64) }],
    ['set', { set: 'a;b' }],
    ['mapper', { mapper: { toRecord: () => ({}) } }],
    ['mapper', { mapper: 'json' }],
    ['client', { client: { get: () => undefined } }],
    ['hosts', { hosts: 42 }],
    ['hosts', { hosts: '' }],
    ['hosts', { hosts: [{ port: 3000 }] }],
    ['policies', { policies: 'fast' }],
    ['connTimeoutMs', { connTimeoutMs: -1 }],
    ['tenderInterval', { tenderInterval: 1.5 }],
    ['user', { user: 1 }],
    ['namepsace', { namepsace: 'typo' }],
    ['serializer', { mapper: { toRecord: () => ({}), fromRecord: () => null }, serializer: JSON }],
    ['ttl', { ttl: 0 }],
    ['ttl', { ttl: 'one day' }],
    ['disableTTL', { disableTTL: 'yes' }],
    ['disableTouch', { disableTouch: 1 }],
    ['prefix', { prefix: 5 }],
    ['onCorrupt', { onCorrupt: 'ignore' }],
  ];

  test.each(invalid)('an invalid %s throws ERR_INVALID_OPTION naming it (%j)', (option, options) => {
    expect(() => new AerospikeStore(options as AerospikeStoreOptions)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption, option }),
    );
  });

  test('client options next to `client` are rejected: they would be ignored', () => {
    expect(() => new AerospikeStore({ client: backend().client, hosts: '127.0.0.1:3000' })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption, option: 'hosts' }),
    );
  });

  test('options that are not an object are rejected', () => {
    expect(() => new AerospikeStore('127.0.0.1' as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOption, option: 'options' }),
    );
  });
});

describe('clients', () => {
  test('a borrowed client is used as is and never closed', async () => {
    const store = new AerospikeStore({ client: backend().client, namespace: NAMESPACE, set, prefix: 'b:' });
    expect(store.client).toBe(backend().client);
    await store.set('a', session());
    await store.close();
    expect(backend().client.isConnected()).toBe(true);
    expect(backend().client.listenerCount('nodeAdded')).toBe(0);
  });

  test('a store-owned client is connected at once (silently: no connect) and closed by close()', async () => {
    const store = new AerospikeStore({ hosts: backend().hosts, namespace: NAMESPACE, set, prefix: 'o:' });
    const heard: string[] = [];
    store.on('connect', () => heard.push('connect'));
    store.on('disconnect', () => heard.push('disconnect'));
    await store.set('a', session());
    expect(await store.get('a')).toMatchObject({ v: 1 });
    const client = store.client as Aerospike.Client;
    await store.close();
    await waitFor(() => heard.length === 1, 1000);
    expect(heard).toEqual(['disconnect']);
    expect(client.isConnected()).toBe(false);
  });

  test('a client configuration the client rejects is ERR_BACKEND_CONFIG on every call, and an error event', async () => {
    const errors: unknown[] = [];
    const store = track(new AerospikeStore({ hosts: backend().hosts, tenderInterval: 10 }));
    store.on('error', (err) => errors.push(err));
    await expect(store.get('x')).rejects.toMatchObject({
      code: ErrorCode.BackendMisconfigured,
      message: expect.stringContaining('tend interval'),
    });
    await expect(store.set('x', session())).rejects.toMatchObject({ code: ErrorCode.BackendMisconfigured });
    expect(errors).toEqual([expect.objectContaining({ code: ErrorCode.BackendMisconfigured })]);
  });

  test('a namespace the cluster does not have is ERR_BACKEND_CONFIG naming it', async () => {
    const store = track(new AerospikeStore({ client: backend().client, namespace: 'no-such-ns', set }));
    await expect(store.get('x')).rejects.toMatchObject({
      code: ErrorCode.BackendMisconfigured,
      message: expect.stringContaining('namespace "no-such-ns" does not exist'),
    });
  });

  test('nothing listening on the hosts: calls fail fast with ERR_BACKEND_UNAVAILABLE, never connect', async () => {
    const store = track(new AerospikeStore({ hosts: '127.0.0.1:1' }));
    const started = Date.now();
    await expect(store.get('x')).rejects.toMatchObject({
      code: ErrorCode.BackendUnavailable,
      message: expect.stringContaining('127.0.0.1:1'),
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(store.connected).toBe(false);
  });
});

describe('prefix', () => {
  test('the key is prefix + sid, so one set can hold several apps', async () => {
    const a = track(
      new AerospikeStore({ client: backend().client, namespace: NAMESPACE, set, prefix: 'app-a:' }),
    );
    const b = track(
      new AerospikeStore({ client: backend().client, namespace: NAMESPACE, set, prefix: 'app-b:' }),
    );
    await a.set('same', { v: 'a' } as unknown as SessionData);
    await b.set('same', { v: 'b' } as unknown as SessionData);
    const record = await backend().client.get(new Aerospike.Key(NAMESPACE, set, 'app-a:same'));
    expect(record.bins.session).toBe('{"v":"a"}');
    expect(await b.get('same')).toEqual({ v: 'b' });
  });
});
