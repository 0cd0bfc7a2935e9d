import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from '@jest/globals';
import { cleanUpPrefix, describeWithBackend, useRedis, useStarted } from '@session-stores/test-servers';
import { altSession, bridge } from '../src';
import { cookieHeader, cookieId, raw, SECRET, stepApp, testPrefix } from './helpers';

type Legacy = { user?: string; cart?: number[] };
const legacy = (req: IncomingMessage) => (req as unknown as { session: Legacy }).session;

// Issue 13's two promises for overlapping requests, on alt-session-async's per-key writes: a
// change another request made meanwhile is kept, and an invalidated session never comes back.
describeWithBackend('redis', 'overlapping requests on one session', () => {
  const redis = useRedis();
  const prefix = testPrefix('overlap');
  cleanUpPrefix(redis, prefix, { tolerateDown: true });

  describe('on Redis', () => {
    const middleware = useStarted(
      'the resource',
      () => altSession({ url: redis().url, secret: SECRET, session: { prefix } }),
      (m) => m.close(),
    );
    const direct = () => stepApp(middleware());
    const bridged = () => stepApp(middleware(), { after: [bridge({ keys: ['user', 'cart'] })] });
    const hash = (id: string) => `${prefix}:${id}`;

    async function login(): Promise<string> {
      const { value } = await direct().step(async (s) => {
        await s.set('user', 'ann');
        return s.id;
      });
      return value;
    }

    test('two overlapping requests setting different keys both keep their change', async () => {
      const id = await login();
      const app = direct();
      const cookie = { Cookie: cookieHeader(id) };
      await app.step(
        async (s) => {
          expect(await s.get('user')).toBe('ann');
          // The other request runs from start to end while this one is in the middle.
          await app.step((other) => other.set('cart', [1]), undefined, cookie);
          await s.set('seen', true);
        },
        undefined,
        cookie,
      );
      expect(await raw(redis())('HMGET', hash(id), 'user', 'cart', 'seen')).toEqual(['"ann"', '[1]', 'true']);
    });

    test('a write after another request invalidated the session does not bring it back', async () => {
      const id = await login();
      const app = direct();
      const cookie = { Cookie: cookieHeader(id) };
      const { response } = await app.step(
        async (s) => {
          expect(await s.get('user')).toBe('ann');
          await app.step((other) => other.invalidate(), undefined, cookie);
          await s.set('cart', [1]);
        },
        undefined,
        cookie,
      );
      expect(await raw(redis())('EXISTS', hash(id))).toBe(0);
      // The write went to a new, empty session: none of the old one's data came along.
      const fresh = cookieId(response) as string;
      expect(fresh).not.toBe(id);
      expect(await raw(redis())('HMGET', hash(fresh), 'user', 'cart')).toEqual([null, '[1]']);
      const after = await app.step(
        // isNew is decided by the first command: read first, then ask.
        async (s) => {
          const user = await s.get('user');
          return { user, isNew: s.isNew };
        },
        undefined,
        cookie,
      );
      expect(after.value).toEqual({ user: null, isNew: true });
    });

    test('the bridge: a request that loaded the session before a logout does not save it back', async () => {
      const id = await login();
      const app = bridged();
      const cookie = { Cookie: cookieHeader(id) };
      await app.step(
        async (_s, req) => {
          expect(legacy(req).user).toBe('ann');
          await direct().step((other) => other.invalidate(), undefined, cookie);
          legacy(req).cart = [1, 2];
        },
        undefined,
        cookie,
      );
      expect(await raw(redis())('EXISTS', hash(id))).toBe(0);
    });

    test('the bridge: a key another request changed meanwhile keeps its value', async () => {
      const id = await login();
      const app = bridged();
      const cookie = { Cookie: cookieHeader(id) };
      await app.step(
        async (_s, req) => {
          await direct().step((other) => other.set('user', 'bob'), undefined, cookie);
          legacy(req).cart = [3];
        },
        undefined,
        cookie,
      );
      expect(await raw(redis())('HMGET', hash(id), 'user', 'cart')).toEqual(['"bob"', '[3]']);
    });
  });
});
