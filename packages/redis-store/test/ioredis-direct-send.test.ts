import { expect, test } from '@jest/globals';
import type { SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import type { Redis } from 'ioredis';
import { closeIoRedis, openIoRedis, readyStore } from './helpers';

const session = (n: number): SessionData =>
  ({ cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000), path: '/' }, n }) as never;

/** Counts the calls of `client.call` (the auto-pipelined path) while `run` runs. */
async function callsOfCall(client: Redis, run: () => Promise<void>): Promise<number> {
  const original = client.call;
  let calls = 0;
  client.call = function (this: Redis, ...args: Parameters<Redis['call']>) {
    calls += 1;
    return original.apply(this, args);
  } as Redis['call'];
  try {
    await run();
  } finally {
    client.call = original;
  }
  return calls;
}

// The store sends its own commands to ioredis's queue directly (skipping auto-pipelining),
// with the client's keyPrefix and replies as `call()` gives them.
describeWithBackend('redis', 'RedisStore sending to an ioredis client directly', () => {
  const redis = useRedis();
  const base = uniquePrefix('direct');
  cleanUpPrefix(redis, base);
  const pipelined = useStarted(
    'an auto-pipelining client with a keyPrefix',
    () => openIoRedis(redis().url, { enableAutoPipelining: true, keyPrefix: `${base}kp:` }),
    closeIoRedis,
  );

  test('every operation works without going through call(), keyPrefix included', async () => {
    const store = await readyStore({ client: pipelined(), prefix: 'sess:', touchMargin: 0.1 });
    try {
      const calls = await callsOfCall(pipelined(), async () => {
        await Promise.all([1, 2, 3].map((n) => store.set(`s${n}`, session(n))));
        const loaded = await store.get('s1');
        expect(loaded).toMatchObject({ n: 1 });
        await store.set('s1', { ...(loaded as SessionData), n: 10 } as SessionData);
        await store.touch('s2', session(2));
        await store.destroy('s3');
        expect(await store.get('s1')).toMatchObject({ n: 10 });
        expect(await store.get('s3')).toBeNull();
        expect((await store.ids()).sort()).toEqual(['s1', 's2']);
      });
      expect(calls).toBe(0);
      expect(await redis().command('EXISTS', `${base}kp:sess:s1`)).toBe(1);
      // touchMargin's read got the expiry with the value: a later save's PX carries the margin.
      const pttl = Number(await redis().command('PTTL', `${base}kp:sess:s1`));
      expect(pttl).toBeGreaterThan(60_000);
    } finally {
      await store.clear();
      await store.close();
    }
  });

  test('a client whose command class is out of reach is sent to with call()', async () => {
    const client = pipelined();
    const pipeline = client.pipeline;
    // No pipeline to take the class from: the store falls back to call().
    client.pipeline = undefined as never;
    let store: Awaited<ReturnType<typeof readyStore>> | undefined;
    try {
      store = await readyStore({ client, prefix: 'fallback:' });
    } finally {
      client.pipeline = pipeline;
    }
    try {
      const calls = await callsOfCall(client, async () => {
        await store?.set('f1', session(1));
        expect(await store?.get('f1')).toMatchObject({ n: 1 });
      });
      expect(calls).toBeGreaterThanOrEqual(2);
    } finally {
      await store.clear();
      await store.close();
    }
  });

  test('commands sent while the client reconnects are answered once it is back', async () => {
    const client = await openIoRedis(redis().url, { keyPrefix: `${base}re:` });
    const store = await readyStore({ client, prefix: 'sess:' });
    try {
      await store.set('r1', session(1));
      client.disconnect(true);
      // Sent while ioredis is not ready: queued by ioredis, written after it reconnects.
      expect(await store.get('r1')).toMatchObject({ n: 1 });
    } finally {
      await store.clear();
      await store.close();
      client.disconnect();
    }
  });
});

// touchMargin reads the value with its PTTL (GET + PTTL in one round trip).
describeWithBackend('redis', 'RedisStore reading with touchMargin', () => {
  const redis = useRedis();
  const base = uniquePrefix('pttl');
  cleanUpPrefix(redis, base);

  test('a key of another type is corrupt data, a key without expiry is kept forever, a missing one is null', async () => {
    const store = await readyStore({ url: redis().url, prefix: base, touchMargin: 0.1 });
    try {
      await redis().command('RPUSH', `${base}list`, 'x');
      await expect(store.get('list')).rejects.toMatchObject({ code: 'ERR_SESSION_CORRUPT' });
      // Stored without expiry (PTTL -1): Redis keeps it longer than any touch asks.
      const stored = JSON.stringify(session(1));
      await redis().command('SET', `${base}forever`, stored);
      const loaded = (await store.get('forever')) as SessionData;
      expect(loaded).toMatchObject({ n: 1 });
      const expires = new Date(new Date(loaded.cookie.expires as unknown as string).getTime() + 1000);
      // The loaded object itself, as express-session touches it (the store remembers what it read).
      loaded.cookie = { ...loaded.cookie, expires } as SessionData['cookie'];
      await store.touch('forever', loaded);
      // The touch was covered, so not written: the stored cookie is byte for byte the old one.
      expect(await redis().command('GET', `${base}forever`)).toBe(stored);
      expect(await store.get('missing')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
