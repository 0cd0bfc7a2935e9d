import { randomBytes } from 'node:crypto';
import { expect, test } from '@jest/globals';
import { createEncryptingSerializer, reencryptSessions, type SessionData } from '@session-stores/core';
import { cleanUpPrefix, describeWithBackend, uniquePrefix, useRedis } from '@session-stores/test-servers';
import { readyStore } from './helpers';

const oldKey = { id: 'old', key: randomBytes(32) };
const newKey = { id: 'new', key: randomBytes(32) };

const session = (data: Record<string, unknown>): SessionData =>
  ({
    cookie: { originalMaxAge: 120_000, expires: new Date(Date.now() + 120_000).toISOString(), path: '/' },
    ...data,
  }) as never;

describeWithBackend('redis', 'reencryptSessions on a RedisStore', () => {
  const redis = useRedis();
  const base = uniquePrefix('reencrypt');
  cleanUpPrefix(redis, base);

  test('moves every session to the new key, keeps each TTL, and never brings back one destroyed meanwhile', async () => {
    const prefix = `${base}a:`;
    const before = await readyStore({
      url: redis().url,
      prefix,
      serializer: createEncryptingSerializer({ keys: [oldKey] }),
    });
    const serializer = createEncryptingSerializer({ keys: [newKey, oldKey] });
    const store = await readyStore({ url: redis().url, prefix, serializer });
    try {
      for (const id of ['a', 'b', 'c', 'gone']) await before.set(id, session({ user: id }));
      const ttlBefore = Number(await redis().command('PTTL', `${prefix}a`));

      // A logout lands between the rewrite's read of 'gone' and its save.
      const get = store.get.bind(store) as (sid: string) => Promise<SessionData | null>;
      (store as unknown as { get: typeof get }).get = async (sid) => {
        const loaded = await get(sid);
        if (sid === 'gone') await before.destroy(sid);
        return loaded;
      };
      const report = await reencryptSessions(store, { serializer });
      expect(report).toEqual({ scanned: 4, rewritten: 3, current: 0, gone: 1, skippedWithoutExpiry: 0 });

      for (const id of ['a', 'b', 'c']) {
        expect(String(await redis().command('GET', `${prefix}${id}`))).toMatch(/^sse1\.new\./);
      }
      expect(await redis().command('EXISTS', `${prefix}gone`)).toBe(0);
      // Same expiry as before, give or take the time the test took (the cookie sets it).
      const ttlAfter = Number(await redis().command('PTTL', `${prefix}a`));
      expect(ttlAfter).toBeLessThanOrEqual(ttlBefore);
      expect(ttlAfter).toBeGreaterThan(ttlBefore - 10_000);
      // The old key can be retired.
      const newOnly = await readyStore({
        url: redis().url,
        prefix,
        serializer: createEncryptingSerializer({ keys: [newKey] }),
      });
      try {
        expect(await newOnly.get('b')).toMatchObject({ user: 'b' });
      } finally {
        await newOnly.close();
      }
    } finally {
      await Promise.all([before.close(), store.close()]);
    }
  });
});
