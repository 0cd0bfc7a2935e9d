import { afterAll, describe, expect, test } from '@jest/globals';
import type { Serializer, SessionData } from '@session-stores/core';
import {
  cleanUpPrefix,
  describeWithBackend,
  uniquePrefix,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import type { RedisClientType } from 'redis';
import type { RedisStore, RedisStoreOptions } from '../src';
import { sha1Hex } from '../src/lua';
import { COMPARE_AND_SET, TOUCH_JSON } from '../src/scripts';
import { closeNodeRedis, openNodeRedis, readyStore } from './helpers';

const COOKIE = { originalMaxAge: 600_000, expires: '2030-01-01T00:00:00.000Z', httpOnly: true, path: '/' };
const C = JSON.stringify(COOKIE);

/** Stored text → text after the touch script spliced COOKIE in; `null` = left alone (not an object). */
const SURGERY: Array<[string, string, string | null]> = [
  ['cookie first', '{"cookie":{"a":1},"v":1}', `{"cookie":${C},"v":1}`],
  ['cookie last', '{"v":1,"cookie":{"a":1}}', `{"v":1,"cookie":${C}}`],
  ['cookie first and alone', '{"cookie":{"a":1}}', `{"cookie":${C}}`],
  [
    'cookie first, a brace inside its strings',
    '{"cookie":{"p":"/a}b","q":"}"},"v":1}',
    `{"cookie":${C},"v":1}`,
  ],
  ['cookie first, an escaped quote before a brace', '{"cookie":{"p":"\\"}"},"v":1}', `{"cookie":${C},"v":1}`],
  ['cookie first, a nested object', '{"cookie":{"o":{"a":1},"b":2},"v":1}', `{"cookie":${C},"v":1}`],
  ['cookie first, a space after it', '{"cookie":{"a":1} ,"v":1}', `{"cookie":${C} ,"v":1}`],
  ['cookie first, the object never closed', '{"cookie":{"a":1', null],
  [
    'whitespace, and a nested "cookie" that is not the session cookie',
    '{ "v" : [ 1 , { "cookie" : 2 } ] ,\n "cookie" : null }',
    `{ "v" : [ 1 , { "cookie" : 2 } ] ,\n "cookie" : ${C} }`,
  ],
  ['an escaped member name', '{"\\u0063ookie":{"a":1},"v":1}', `{"\\u0063ookie":${C},"v":1}`],
  [
    'brackets and quotes inside strings',
    '{"s":"}\\"{[","cookie":{"t":"\\\\"}}',
    `{"s":"}\\"{[","cookie":${C}}`,
  ],
  ['a longer name starting with cookie', '{"cookiex":1,"cookie":2}', `{"cookiex":1,"cookie":${C}}`],
  ['literals', '{"t":true,"f":false,"n":null,"cookie":1}', `{"t":true,"f":false,"n":null,"cookie":${C}}`],
  [
    'numbers and empty containers cjson would change',
    '{"n":12345678901234567890,"e":[],"o":{},"f":1.0000000000000002,"x":-1.5e+300,"cookie":{}}',
    `{"n":12345678901234567890,"e":[],"o":{},"f":1.0000000000000002,"x":-1.5e+300,"cookie":${C}}`,
  ],
  ['unicode', '{"u":"ü🎉\\u2028","cookie":{}}', `{"u":"ü🎉\\u2028","cookie":${C}}`],
  ['no cookie member: one is added', '{"v":1}', `{"cookie":${C},"v":1}`],
  ['an empty object', '  {}', `  {"cookie":${C}}`],
  ['an array', '[1,2]', null],
  ['a string', '"text"', null],
  ['a number', '42', null],
  ['truncated JSON', '{"a":1,"coo', null],
  ['a member without a value', '{"a":}', null],
  ['garbage', 'not json', null],
  ['an empty string', '', null],
];

describeWithBackend('redis', 'RedisStore touch', () => {
  const redis = useRedis();
  const prefix = uniquePrefix('touch');
  cleanUpPrefix(redis, prefix);

  describe('the JSON surgery script', () => {
    for (const [label, stored, expected] of SURGERY) {
      test(`${expected === null ? 'leaves alone' : 'rewrites only the cookie of'} ${label}`, async () => {
        const key = `${prefix}surgery:${label}`;
        await redis().command('SET', key, stored, 'PX', '50000');
        const result = await redis().command('EVAL', TOUCH_JSON.source, '1', key, C, '600000');
        expect(await redis().command('GET', key)).toBe(expected ?? stored);
        const ttl = Number(await redis().command('PTTL', key));
        if (expected === null) {
          expect(result).toBe(-1);
          expect(ttl).toBeLessThanOrEqual(50_000);
        } else {
          expect(result).toBe(1);
          expect(ttl).toBeGreaterThan(590_000);
          expect(JSON.parse(expected).cookie).toEqual(COOKIE);
        }
      });
    }

    test('never creates a missing key', async () => {
      const key = `${prefix}surgery:missing`;
      expect(await redis().command('EVAL', TOUCH_JSON.source, '1', key, C, '600000')).toBe(0);
      expect(await redis().command('EXISTS', key)).toBe(0);
    });
  });

  describe('the compare-and-set script', () => {
    test('writes only when the stored value is still the one that was read', async () => {
      const key = `${prefix}cas`;
      await redis().command('SET', key, 'old');
      const stale = await redis().command(
        'EVAL',
        COMPARE_AND_SET.source,
        '1',
        key,
        sha1Hex('other'),
        'new',
        '',
      );
      expect(stale).toBe(-2);
      expect(await redis().command('GET', key)).toBe('old');
      const fresh = await redis().command(
        'EVAL',
        COMPARE_AND_SET.source,
        '1',
        key,
        sha1Hex('old'),
        'new',
        '5000',
      );
      expect(fresh).toBe(1);
      expect(await redis().command('GET', key)).toBe('new');
      expect(Number(await redis().command('PTTL', key))).toBeGreaterThan(4000);
    });
  });

  describe('through the store', () => {
    const client = useStarted('the client', () => openNodeRedis(redis().url), closeNodeRedis);
    const stores: RedisStore[] = [];
    afterAll(async () => {
      await Promise.all(stores.map((store) => store.close()));
    });
    const open = async (options: RedisStoreOptions = {}): Promise<RedisStore> => {
      const store = await readyStore({ client: client(), prefix: `${prefix}${stores.length}:`, ...options });
      stores.push(store);
      return store;
    };
    const session = (data: Record<string, unknown>, maxAgeMs = 60_000): SessionData =>
      ({
        cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), path: '/' },
        ...data,
      }) as never;

    test('is one round trip: a single EVALSHA once the server has the script', async () => {
      const store = await open();
      await store.set('s', session({ v: 1 }));
      await store.touch('s', session({ v: 1 })); // loads the script on this server if needed
      const sent: string[] = [];
      const raw = client() as RedisClientType & { sendCommand: RedisClientType['sendCommand'] };
      const original = raw.sendCommand;
      raw.sendCommand = ((args: string[], ...rest: unknown[]) => {
        sent.push(String(args[0]));
        return (original as (...a: unknown[]) => Promise<unknown>).call(raw, args, ...rest);
      }) as never;
      try {
        await store.touch('s', session({ v: 1 }, 120_000));
      } finally {
        delete (raw as { sendCommand?: unknown }).sendCommand;
      }
      expect(sent).toEqual(['EVALSHA']);
    });

    test('with disableTTL it stores the new cookie and keeps the session without expiry', async () => {
      const store = await open({ disableTTL: true });
      await store.set('s', session({ v: 1 }, 10_000));
      const refreshed = session({ v: 1 }, 600_000);
      await store.touch('s', refreshed);
      expect(await redis().command('PTTL', `${store.prefix}s`)).toBe(-1);
      const loaded = await store.get('s');
      expect(new Date(String(loaded?.cookie.expires)).getTime()).toBe(
        (refreshed.cookie.expires as Date).getTime(),
      );
    });

    test('a session without a cookie only extends the TTL and keeps the stored value', async () => {
      const store = await open({ ttl: 600 });
      await redis().command('SET', `${store.prefix}s`, '{"v":1}', 'PX', '5000');
      await store.touch('s', { v: 1 } as never);
      expect(await redis().command('GET', `${store.prefix}s`)).toBe('{"v":1}');
      expect(Number(await redis().command('PTTL', `${store.prefix}s`))).toBeGreaterThan(590_000);
    });

    test('leaves a value it cannot parse alone, and get still reports it', async () => {
      const store = await open();
      await redis().command('SET', `${store.prefix}s`, '{"cookie": tru', 'PX', '5000');
      await expect(store.touch('s', session({}))).resolves.toBeUndefined();
      expect(await redis().command('GET', `${store.prefix}s`)).toBe('{"cookie": tru');
      expect(Number(await redis().command('PTTL', `${store.prefix}s`))).toBeLessThanOrEqual(5000);
      await expect(store.get('s')).rejects.toMatchObject({ code: 'ERR_SESSION_CORRUPT' });
    });

    describe('with a custom serializer (compare-and-set)', () => {
      // Base64 around JSON: text the server-side script cannot edit.
      const base64: Serializer = {
        stringify: (value) => Buffer.from(JSON.stringify(value)).toString('base64'),
        parse: (text) => JSON.parse(Buffer.from(text, 'base64').toString('utf8')),
      };

      test('replaces only the cookie and keeps data written since the session was loaded', async () => {
        const store = await open({ serializer: base64 });
        await store.set('s', session({ v: 1 }));
        await store.set('s', session({ v: 2, extra: [1, 2] }));
        const refreshed = session({ v: 1 }, 600_000);
        await store.touch('s', refreshed);
        const loaded = (await store.get('s')) as unknown as Record<string, unknown> & SessionData;
        expect(loaded).toMatchObject({ v: 2, extra: [1, 2] });
        expect(new Date(String(loaded.cookie.expires)).getTime()).toBe(
          (refreshed.cookie.expires as Date).getTime(),
        );
        expect(Number(await redis().command('PTTL', `${store.prefix}s`))).toBeGreaterThan(590_000);
      });

      test('never creates a missing session', async () => {
        const store = await open({ serializer: base64 });
        await store.touch('missing', session({ v: 1 }));
        expect(await redis().command('EXISTS', `${store.prefix}missing`)).toBe(0);
      });

      test('leaves data the serializer cannot parse alone', async () => {
        const store = await open({ serializer: base64 });
        await redis().command('SET', `${store.prefix}s`, '!!!', 'PX', '5000');
        await expect(store.touch('s', session({}))).resolves.toBeUndefined();
        expect(await redis().command('GET', `${store.prefix}s`)).toBe('!!!');
      });
    });
  });
});
