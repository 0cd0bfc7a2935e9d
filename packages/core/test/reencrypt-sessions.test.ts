import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  createEncryptingSerializer,
  ErrorCode,
  InvalidOptionError,
  MemoryDatabase,
  MemoryStore,
  reencryptSessions,
  type SessionData,
} from '../src';

const oldKey = { id: 'old', key: randomBytes(32) };
const newKey = { id: 'new', key: randomBytes(32) };
const before = createEncryptingSerializer({ keys: [oldKey] });
const after = createEncryptingSerializer({ keys: [newKey, oldKey] });

function sessionExpiringIn(ms: number, data: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms).toISOString() },
    ...data,
  } as unknown as SessionData;
}

/** A database filled by a store with the old key, and a store on it with both keys, the new one first. */
async function rotatedStore(
  sessions: Record<string, SessionData>,
  options: { lastWriteWins?: boolean } = {},
) {
  const database = new MemoryDatabase();
  const writer = new MemoryStore({ database, serializer: before, prefix: 'r:' });
  for (const [sid, session] of Object.entries(sessions)) await writer.set(sid, session);
  await writer.close();
  const store = new MemoryStore({ database, serializer: after, prefix: 'r:', ...options });
  return { database, store, keyOf: (sid: string) => database.peek(`r:${sid}`)?.text.split('.')[1] };
}

describe('reencryptSessions', () => {
  it('moves every session to the current key, data unchanged', async () => {
    const { store, keyOf } = await rotatedStore({
      a: sessionExpiringIn(60_000, { user: 'a' }),
      b: sessionExpiringIn(60_000, { user: 'b' }),
    });
    const report = await reencryptSessions(store, { serializer: after });
    expect(report).toEqual({ scanned: 2, rewritten: 2, current: 0, gone: 0, skippedWithoutExpiry: 0 });
    expect([keyOf('a'), keyOf('b')]).toEqual(['new', 'new']);
    expect(await store.get('a')).toMatchObject({ user: 'a' });
    // The old key can go now.
    const newOnly = new MemoryStore({
      database: (store as MemoryStore).database,
      serializer: createEncryptingSerializer({ keys: [newKey] }),
      prefix: 'r:',
    });
    expect(await newOnly.get('b')).toMatchObject({ user: 'b' });
    await Promise.all([store.close(), newOnly.close()]);
  });

  it('leaves sessions already under the current key alone, so a second run writes nothing', async () => {
    const { store } = await rotatedStore({ a: sessionExpiringIn(60_000) });
    await reencryptSessions(store, { serializer: after });
    const second = await reencryptSessions(store, { serializer: after });
    expect(second).toEqual({ scanned: 1, rewritten: 0, current: 1, gone: 0, skippedWithoutExpiry: 0 });
    await store.close();
  });

  it('keeps the expiry the cookie sets (does not extend the TTL)', async () => {
    const { store, database } = await rotatedStore({ a: sessionExpiringIn(30_000) });
    const expiresAt = database.peek('r:a')?.expiresAt as number;
    await reencryptSessions(store, { serializer: after });
    const rewritten = database.peek('r:a')?.expiresAt as number;
    // The same instant, give or take the ms the TTL rule rounds to.
    expect(Math.abs(rewritten - expiresAt)).toBeLessThanOrEqual(5);
    await store.close();
  });

  it('skips sessions without a cookie expiry unless asked, since their TTL would restart', async () => {
    const browserSession = { cookie: { originalMaxAge: null, expires: null } } as unknown as SessionData;
    const { store, keyOf } = await rotatedStore({ a: browserSession });
    expect(await reencryptSessions(store, { serializer: after })).toMatchObject({
      rewritten: 0,
      skippedWithoutExpiry: 1,
    });
    expect(keyOf('a')).toBe('old');
    expect(await reencryptSessions(store, { serializer: after, includeWithoutExpiry: true })).toMatchObject({
      rewritten: 1,
    });
    expect(keyOf('a')).toBe('new');
    await store.close();
  });

  it('never brings back a session destroyed while it is being rewritten', async () => {
    const { store, database } = await rotatedStore({ a: sessionExpiringIn(60_000) });
    // A logout lands between the rewrite's read and its save.
    const get = store.get.bind(store) as (sid: string) => Promise<SessionData | null>;
    (store as unknown as { get: typeof get }).get = async (sid: string) => {
      const session = await get(sid);
      await store.destroy(sid);
      return session;
    };
    const report = await reencryptSessions(store, { serializer: after });
    expect(report).toMatchObject({ rewritten: 0, gone: 1 });
    expect(database.peek('r:a')).toBeUndefined();
    await store.close();
  });

  it('keeps a change a request saved while the session was being rewritten', async () => {
    const { store } = await rotatedStore({ a: sessionExpiringIn(60_000, { cart: 1 }) });
    const get = store.get.bind(store) as (sid: string) => Promise<SessionData | null>;
    (store as unknown as { get: typeof get }).get = async (sid: string) => {
      const session = await get(sid);
      const other = await get(sid);
      await store.set(sid, { ...(other as SessionData), cart: 2 } as SessionData);
      return session;
    };
    await reencryptSessions(store, { serializer: after });
    expect(await get('a')).toMatchObject({ cart: 2 });
    await store.close();
  });

  it('refuses a store whose saves are plain writes unless allowUnconditional', async () => {
    const { store, keyOf } = await rotatedStore({ a: sessionExpiringIn(60_000) }, { lastWriteWins: true });
    const err = await reencryptSessions(store, { serializer: after }).catch((error: unknown) => error);
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).option).toBe('allowUnconditional');
    expect(keyOf('a')).toBe('old');
    await reencryptSessions(store, { serializer: after, allowUnconditional: true });
    expect(keyOf('a')).toBe('new');
    await store.close();
  });

  it('bad options fail with ERR_INVALID_OPTION naming them', async () => {
    const { store } = await rotatedStore({});
    await expect(reencryptSessions(store, { serializer: {} as never })).rejects.toMatchObject({
      code: ErrorCode.InvalidOption,
      option: 'serializer',
    });
    await expect(reencryptSessions(store, { serializer: after, concurrency: 0 })).rejects.toMatchObject({
      code: ErrorCode.InvalidOption,
      option: 'concurrency',
    });
    await store.close();
  });
});
