import { randomBytes } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { ErrorCode, InvalidOptionError } from '@session-stores/core';
import { describeWithBackend, useRedis } from '@session-stores/test-servers';
import request from 'supertest';
import { altSession, bridge } from '../src';
import { commandCalls, raw, SECRET, stepApp, testPrefix, useMiddlewares } from './helpers';

const key = { id: 'k1', key: randomBytes(32) };
const SECRET_VALUE = 'alice@example.org';

describeWithBackend('redis', 'encryption at rest', () => {
  // Our own server: two tests count the server's calls (INFO commandstats).
  const redis = useRedis({ ownProcess: true });
  const prefix = testPrefix('enc');
  const middleware = useMiddlewares(prefix, () => ({ url: redis().url }));

  test('values are encrypted in Redis and read back; field names and @created stay in clear', async () => {
    const app = stepApp(middleware({ encryption: { keys: [key] } }));
    const jar = request.agent(app.app);
    const since = new Date('2026-01-01T00:00:00Z');
    const { value: id } = await app.step(async (s) => {
      await s.mset({ user: { email: SECRET_VALUE }, since });
      return s.id;
    }, jar);
    const stored = (await raw(redis())('HGETALL', `${prefix}:${id}`)) as string[];
    const fields = new Map<string, string>();
    for (let i = 0; i < stored.length; i += 2) fields.set(stored[i] as string, stored[i + 1] as string);
    expect([...fields.keys()].sort()).toEqual(['@created', 'since', 'user']);
    expect(fields.get('user')).toMatch(/^sse1\.k1\./);
    expect(fields.get('since')).toMatch(/^sse1\.k1\./);
    expect(stored.join(' ')).not.toContain('alice');
    const { value } = await app.step((s) => s.mget(['user', 'since']), jar);
    expect(value).toEqual({ user: { email: SECRET_VALUE }, since });
  });

  test('touch and regenerate work, one script each, without reading values', async () => {
    const app = stepApp(middleware({ encryption: { keys: [key] } }));
    const jar = request.agent(app.app);
    await app.step((s) => s.set('cart', [1, 2]), jar);
    expect((await app.step((s) => s.touch(), jar)).value).toBe(true);
    const before = await commandCalls(redis());
    await app.step((s) => s.regenerate(), jar);
    const after = await commandCalls(redis());
    expect((after.hmget ?? 0) - (before.hmget ?? 0)).toBe(0);
    expect((await app.step((s) => s.get('cart'), jar)).value).toEqual([1, 2]);
  });

  test('a changed value is ERR_SESSION_CORRUPT without its text; another key or plain text too, unless allowPlaintext', async () => {
    // A session written in clear by a middleware without encryption; its cookie goes to the others.
    const { value: id, response } = await stepApp(middleware()).step(async (s) => {
      await s.set('user', SECRET_VALUE);
      return s.id;
    });
    const cookie = { Cookie: String(response.headers['set-cookie']).split(';')[0] as string };
    const getUser = (app: ReturnType<typeof stepApp>) => app.step((s) => s.get('user'), undefined, cookie);

    // An encrypting middleware refuses the plain text...
    const encApp = stepApp(middleware({ encryption: { keys: [key] } }));
    const refused = await getUser(encApp).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: ErrorCode.CorruptSession });
    expect(`${(refused as Error).message} ${String((refused as Error).cause)}`).not.toContain('alice');

    // ...reads it with allowPlaintext, and writes it back encrypted.
    const migrating = stepApp(middleware({ encryption: { keys: [key], allowPlaintext: true } }));
    expect((await getUser(migrating)).value).toBe(SECRET_VALUE);
    await migrating.step((s) => s.set('user', SECRET_VALUE), undefined, cookie);
    const stored = String(await raw(redis())('HGET', `${prefix}:${id}`, 'user'));
    expect(stored).toMatch(/^sse1\.k1\./);
    expect((await getUser(encApp)).value).toBe(SECRET_VALUE);

    // A value under a key that is not listed, or with a character changed: corrupt.
    const otherKey = stepApp(middleware({ encryption: { keys: [{ id: 'k2', key: randomBytes(32) }] } }));
    await expect(getUser(otherKey)).rejects.toMatchObject({ code: ErrorCode.CorruptSession });
    const flipped = `${stored.slice(0, -3)}${stored.at(-3) === 'A' ? 'B' : 'A'}${stored.slice(-2)}`;
    await raw(redis())('HSET', `${prefix}:${id}`, 'user', flipped);
    const changed = await getUser(encApp).catch((err: unknown) => err);
    expect(changed).toMatchObject({ code: ErrorCode.CorruptSession });
    expect(`${(changed as Error).message} ${String((changed as Error).cause)}`).not.toContain('alice');
  });

  test('the bridge saves only the keys a route changed (encryption draws a new IV each time)', async () => {
    const mw = middleware({ encryption: { keys: [key] } });
    const app = stepApp(mw, { after: [bridge({ keys: ['user', 'cart'] })] });
    const jar = request.agent(app.app);
    await app.step(async (s) => s.mset({ user: 'u', cart: [1] }), jar);
    const before = await commandCalls(redis());
    await app.step((_s, req) => {
      const session = (req as unknown as { session: { cart: number[] } }).session;
      void session.cart;
    }, jar);
    const after = await commandCalls(redis());
    // One read (the bridge's load), no write: nothing changed.
    expect((after.evalsha ?? 0) - (before.evalsha ?? 0)).toBe(1);
  });
});

describe('encryption options', () => {
  test('a bad key names the option and shows no key material', () => {
    const secretHex = 'ab'.repeat(16);
    const err = (() => {
      try {
        altSession({
          secret: SECRET,
          url: 'redis://127.0.0.1:1',
          encryption: { keys: [{ id: 'k', key: secretHex }] },
        });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).option).toBe('encryption.keys[0].key');
    expect((err as Error).message).not.toContain(secretHex);
    expect(() => altSession({ secret: SECRET, url: 'redis://127.0.0.1:1', encryption: {} as never })).toThrow(
      expect.objectContaining({ option: 'encryption.keys' }),
    );
    expect(() =>
      altSession({
        secret: SECRET,
        url: 'redis://127.0.0.1:1',
        encryption: { keys: [key], plain: true } as never,
      }),
    ).toThrow(expect.objectContaining({ option: 'encryption.plain' }));
  });
});
