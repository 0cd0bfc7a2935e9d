/**
 * A namespace with nsup-period 0 refuses writes that carry a TTL (result code 22).
 * The store turns that into ERR_BACKEND_CONFIG naming the setting to change. The
 * setting is changed with set-config, as an operator would, in namespace `express`
 * (the other test files use `test`), and restored afterwards.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { BackendMisconfiguredError, ErrorCode } from '@session-stores/core';
import { AerospikeStore } from '../src';
import { keyOf, uniqueSet, useAerospike } from './helpers';

const NAMESPACE = 'express';
const set = uniqueSet('nsup');
let restore: Record<string, string> = {};
// The restore runs inside the backend's own teardown, before its client closes: a jest
// afterAll of this file would run after that teardown (hooks run in declaration order)
// and could no longer reach the server. A failed restore fails the file.
const backend = useAerospike([set], NAMESPACE, {
  beforeClose: async () => {
    for (const [name, value] of Object.entries(restore)) await setConfig(name, value);
    const now = await namespaceConfig();
    for (const [name, value] of Object.entries(restore)) {
      if (now[name] !== value)
        throw new Error(`namespace ${NAMESPACE}: ${name} is ${now[name]} after restoring ${value}`);
    }
  },
});

async function setConfig(name: string, value: string): Promise<void> {
  const reply = await backend().client.infoAny(
    `set-config:context=namespace;id=${NAMESPACE};${name}=${value}`,
  );
  if (!/\tok\b/.test(reply)) throw new Error(`set-config ${name}=${value} failed: ${reply}`);
}

async function namespaceConfig(): Promise<Record<string, string>> {
  const reply = await backend().client.infoAny(`get-config:context=namespace;id=${NAMESPACE}`);
  const body = reply.slice(reply.indexOf('\t') + 1).trim();
  return Object.fromEntries(body.split(';').map((pair) => pair.split('=') as [string, string]));
}

beforeAll(async () => {
  const current = await namespaceConfig();
  restore = {
    'nsup-period': current['nsup-period'] ?? '1',
    'allow-ttl-without-nsup': current['allow-ttl-without-nsup'] ?? 'false',
  };
  await setConfig('allow-ttl-without-nsup', 'false');
  await setConfig('nsup-period', '0');
});

const session = () =>
  ({ cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' }, v: 1 }) as never;

function storeWith(options: { disableTTL?: boolean } = {}): AerospikeStore {
  return new AerospikeStore({ ...options, client: backend().client, namespace: NAMESPACE, set });
}

describe('namespace without nsup-period (error 22)', () => {
  test('set with a TTL fails with ERR_BACKEND_CONFIG naming the namespace and the settings to change', async () => {
    const store = storeWith();
    const err = await store.set('a', session()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendMisconfiguredError);
    expect(err).toMatchObject({ code: ErrorCode.BackendMisconfigured });
    const { message } = err as Error;
    expect(message).toContain(`namespace "${NAMESPACE}" has nsup-period 0`);
    expect(message).toContain('set nsup-period greater than 0');
    expect(message).toContain(`set-config:context=namespace;id=${NAMESPACE};nsup-period=`);
    expect(message).toContain('allow-ttl-without-nsup to true');
    expect(message).toContain('result code 22');
    await store.close();
  });

  test('touch with a TTL fails the same way', async () => {
    const never = storeWith({ disableTTL: true });
    await never.set('b', session());
    const store = storeWith();
    await expect(store.touch('b', session())).rejects.toMatchObject({
      code: ErrorCode.BackendMisconfigured,
      message: expect.stringContaining('nsup-period'),
    });
    await never.close();
    await store.close();
  });

  test('disableTTL writes sessions that never expire, which such a namespace accepts', async () => {
    const store = storeWith({ disableTTL: true });
    await store.set('c', session());
    expect(await store.get('c')).toMatchObject({ v: 1 });
    const { ttl } = await backend().client.get(keyOf(store, 'c'));
    expect(ttl).toBe(-1);
    await store.close();
  });

  test('with allow-ttl-without-nsup true, TTL writes work again', async () => {
    await setConfig('allow-ttl-without-nsup', 'true');
    try {
      const store = storeWith();
      await store.set('d', session());
      expect(await store.get('d')).toMatchObject({ v: 1 });
      await store.close();
    } finally {
      await setConfig('allow-ttl-without-nsup', 'false');
    }
  });
});
