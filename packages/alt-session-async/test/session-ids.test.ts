import { describe, expect, test } from '@jest/globals';
import {
  cleanUpPrefix,
  describeWithBackend,
  type RespReply,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import { sign } from 'cookie-signature';
import { altSession } from '../src';
import { cookieHeader, cookieId, cookieSet, raw, SECRET, setCookies, stepApp, testPrefix } from './helpers';

const ID = /^[A-Za-z0-9_-]{32}$/;

describeWithBackend('redis', 'session ids', () => {
  const redis = useRedis();
  const prefix = testPrefix('ids');
  cleanUpPrefix(redis, prefix, { tolerateDown: true });

  /** Every session key this run stored, without the prefix. */
  const storedIds = async (): Promise<string[]> => {
    const reply = (await raw(redis())('SCAN', '0', 'MATCH', `${prefix}:*`, 'COUNT', '10000')) as RespReply[];
    return (reply[1] as string[]).map((key) => key.slice(prefix.length + 1)).sort();
  };

  describe('middleware', () => {
    const middleware = useStarted(
      'the resource',
      () => altSession({ url: redis().url, secret: SECRET, session: { prefix } }),
      (m) => m.close(),
    );
    const app = () => stepApp(middleware());

    test('new ids are 32 base64url characters (192 bits from the CSPRNG), all different', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const { value } = await app().step((s) => s.id);
        expect(value).toMatch(ID);
        ids.add(value);
      }
      expect(ids.size).toBe(50);
    });

    test('the cookie carries the id signed like cookie-parser does (s:<id>.<HMAC-SHA256>)', async () => {
      const { value: id, response } = await app().step(async (s) => {
        await s.set('a', 1);
        return s.id;
      });
      expect(cookieSet(response)?.value).toBe(`s:${sign(id, SECRET)}`);
      expect(cookieId(response)).toBe(id);
      expect(await raw(redis())('HGET', `${prefix}:${id}`, 'a')).toBe('1');
    });

    test('a tampered cookie starts a new session with a new id; nothing is stored under a shared key', async () => {
      const { value: victim } = await app().step(async (s) => {
        await s.set('owner', 'victim');
        return s.id;
      });
      const signed = sign(victim, SECRET);
      const tampered = [
        `sid=${encodeURIComponent(`s:${signed.slice(0, -1)}${signed.endsWith('A') ? 'B' : 'A'}`)}`,
        `sid=${encodeURIComponent(`s:${victim}.`)}`,
        `sid=${encodeURIComponent(`s:${sign(victim, 'another secret')}`)}`,
        `sid=${victim}`, // unsigned
        'sid=s%3Afalse',
        'sid=',
      ];
      const before = await storedIds();
      const seen = new Set<string>();
      for (const cookie of tampered) {
        const { value, response } = await app().step(
          async (s) => {
            const view = { id: s.id, isNew: s.isNew, owner: await s.get('owner') };
            await s.set('mine', cookie);
            return view;
          },
          undefined,
          { Cookie: cookie },
        );
        expect(value.isNew).toBe(true);
        expect(value.owner).toBeNull();
        expect(value.id).not.toBe(victim);
        expect(value.id).toMatch(ID);
        expect(cookieId(response)).toBe(value.id);
        seen.add(value.id);
      }
      expect(seen.size).toBe(tampered.length);
      const after = await storedIds();
      expect(after.filter((id) => !before.includes(id)).sort()).toEqual([...seen].sort());
      expect(await raw(redis())('EXISTS', `${prefix}:false`)).toBe(0);
      expect(await raw(redis())('HGETALL', `${prefix}:${victim}`)).toEqual([
        'owner',
        '"victim"',
        '@created',
        expect.any(String),
      ]);
    });

    test('a validly signed id the server never issued is not adopted (session fixation): the write goes to a new id', async () => {
      const planted = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      const { value, response } = await app().step(
        async (s) => {
          const before = { id: s.id, isNew: s.isNew };
          await s.set('user', 'victim');
          return { before, after: { id: s.id, isNew: s.isNew } };
        },
        undefined,
        { Cookie: cookieHeader(planted) },
      );
      // Lazy: before the first call the session looks like the cookie's.
      expect(value.before).toEqual({ id: planted, isNew: false });
      expect(value.after.isNew).toBe(true);
      expect(value.after.id).not.toBe(planted);
      expect(cookieId(response)).toBe(value.after.id);
      expect(await raw(redis())('EXISTS', `${prefix}:${planted}`)).toBe(0);
      expect(await raw(redis())('HGET', `${prefix}:${value.after.id}`, 'user')).toBe('"victim"');
    });

    test('an unknown id found by a read switches to a new id and clears the stale cookie', async () => {
      const gone = 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
      const { value, response } = await app().step(
        async (s) => ({ value: await s.get('user'), id: s.id, isNew: s.isNew }),
        undefined,
        { Cookie: cookieHeader(gone) },
      );
      expect(value.value).toBeNull();
      expect(value.isNew).toBe(true);
      expect(value.id).not.toBe(gone);
      expect(cookieSet(response)).toMatchObject({ name: 'sid', value: '', expires: new Date(0) });
      expect(await raw(redis())('EXISTS', `${prefix}:${gone}`)).toBe(0);
    });

    test('a validly signed value of another shape (an alt-session id) is not used as an id', async () => {
      const legacy = 'k2v5Y0m+Q3/yq4H0nD1E9w0s6ZrJq8yWm4pQe3dC0Fs=abcdefgh';
      const { value } = await app().step(async (s) => ({ id: s.id, isNew: s.isNew }), undefined, {
        Cookie: cookieHeader(legacy),
      });
      expect(value.isNew).toBe(true);
      expect(value.id).toMatch(ID);
    });

    test('a session created in this request keeps its id, and its cookie, across later requests', async () => {
      const { value: id, response } = await app().step(async (s) => {
        await s.set('n', 1);
        return s.id;
      });
      const again = await app().step(
        async (s) => ({ id: s.id, isNew: s.isNew, n: await s.get('n') }),
        undefined,
        {
          Cookie: cookieHeader(id),
        },
      );
      expect(again.value).toEqual({ id, isNew: false, n: 1 });
      // The browser already has this cookie and nothing asks for a persistent one: no Set-Cookie.
      expect(setCookies(again.response)).toEqual([]);
      expect(setCookies(response)).toHaveLength(1);
    });

    test('regenerate: the old key is gone, the data is under the new id, the cookie carries it', async () => {
      const { value: oldId } = await app().step(async (s) => {
        await s.mset({ user: 'ann', cart: [1] });
        return s.id;
      });
      const ttlBefore = Number(await raw(redis())('PTTL', `${prefix}:${oldId}`));
      const { value: newId, response } = await app().step((s) => s.regenerate(), undefined, {
        Cookie: cookieHeader(oldId),
      });
      expect(newId).not.toBe(oldId);
      expect(cookieId(response)).toBe(newId);
      expect(await raw(redis())('EXISTS', `${prefix}:${oldId}`)).toBe(0);
      expect(await raw(redis())('HMGET', `${prefix}:${newId}`, 'user', 'cart')).toEqual(['"ann"', '[1]']);
      expect(Number(await raw(redis())('PTTL', `${prefix}:${newId}`))).toBeGreaterThanOrEqual(
        ttlBefore - 1000,
      );
      // The old cookie now gets a new, empty session.
      const old = await app().step(async (s) => ({ user: await s.get('user'), isNew: s.isNew }), undefined, {
        Cookie: cookieHeader(oldId),
      });
      expect(old.value).toEqual({ user: null, isNew: true });
    });
  });
});
