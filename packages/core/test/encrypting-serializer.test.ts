import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  CorruptSessionError,
  createEncryptingSerializer,
  ENCRYPTED_VALUE_PREFIX,
  ErrorCode,
  InvalidOptionError,
  MemoryDatabase,
  MemoryStore,
  type Serializer,
  type SessionData,
} from '../src';

const SECRET = 'the user is logged in as alice@example.org';
const session = {
  cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString() },
  user: SECRET,
} as unknown as SessionData;
const keyA = { id: 'a', key: randomBytes(32) };
const keyB = { id: 'b', key: randomBytes(32).toString('base64') };

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** Every message along an error's cause chain, as one string. */
function messages(err: unknown): string {
  const parts: string[] = [];
  for (let current = err; current instanceof Error; current = current.cause)
    parts.push(current.message, String(current.stack));
  return parts.join('\n');
}

function storeWith(
  serializer: Serializer,
  options: { onCorrupt?: 'miss' } = {},
): { store: MemoryStore; database: MemoryDatabase } {
  const database = new MemoryDatabase();
  return { store: new MemoryStore({ database, serializer, prefix: 's:', ...options }), database };
}

describe('createEncryptingSerializer', () => {
  it('round-trips a session, and the stored value holds none of its text', async () => {
    const serializer = createEncryptingSerializer({ keys: [keyA] });
    const text = serializer.stringify(session);
    expect(text.startsWith(`${ENCRYPTED_VALUE_PREFIX}a.`)).toBe(true);
    expect(text).not.toContain('alice');
    expect(await serializer.parse(text)).toEqual(session);
  });

  it('encrypts the same session differently each time (random IV)', () => {
    const serializer = createEncryptingSerializer({ keys: [keyA] });
    expect(serializer.stringify(session)).not.toBe(serializer.stringify(session));
  });

  it('encrypts with the first key and decrypts values of any listed key', async () => {
    const old = createEncryptingSerializer({ keys: [keyB] });
    const rotated = createEncryptingSerializer({ keys: [keyA, keyB] });
    expect(rotated.currentKeyId).toBe('a');
    const oldText = old.stringify(session);
    const parsed = await rotated.parse(oldText);
    expect(parsed).toEqual(session);
    expect(rotated.keyIdOf(parsed)).toBe('b');
    expect(rotated.stringify(session).startsWith('sse1.a.')).toBe(true);
  });

  it('accepts a key as 64 hex characters, base64 or base64url', async () => {
    const bytes = randomBytes(32);
    for (const key of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]) {
      const serializer = createEncryptingSerializer({ keys: [{ id: 'k', key }] });
      const other = createEncryptingSerializer({ keys: [{ id: 'k', key: bytes }] });
      expect(await other.parse(serializer.stringify(session))).toEqual(session);
    }
  });

  it('leaves the session out of the enumerable keys (the key id is a hidden mark)', async () => {
    const serializer = createEncryptingSerializer({ keys: [keyA] });
    const parsed = await serializer.parse(serializer.stringify(session));
    expect(Object.keys(parsed)).toEqual(Object.keys(session));
    expect(JSON.stringify(parsed)).toBe(JSON.stringify(session));
  });

  describe('a value it cannot trust fails without leaking the data', () => {
    const serializer = createEncryptingSerializer({ keys: [keyA] });
    const good = serializer.stringify(session);
    const body = good.slice('sse1.a.'.length);
    const flipped = `${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    const cases: Array<[string, string]> = [
      ['a changed byte', `sse1.a.${flipped}`],
      ['a truncated value', good.slice(0, good.length - 6)],
      ['a value cut to its header', 'sse1.a.'],
      ['a value of an unknown key', good.replace('sse1.a.', 'sse1.zz.')],
      [
        'a value of another key with the same id',
        createEncryptingSerializer({ keys: [{ id: 'a', key: randomBytes(32) }] }).stringify(session),
      ],
      ['plain JSON with plain text off', JSON.stringify(session)],
      ['garbage', 'sse1.a.!!!'],
    ];
    it.each(cases)('%s is ERR_SESSION_CORRUPT from get()', async (_label, stored) => {
      const { store, database } = storeWith(serializer);
      database.write('s:sid', { text: stored, expiresAt: null });
      const err = await store.get('sid').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(err).toBeInstanceOf(CorruptSessionError);
      expect((err as CorruptSessionError).code).toBe(ErrorCode.CorruptSession);
      expect(messages(err)).not.toContain('alice');
      await store.close();
    });
    it.each(cases)('%s reads as no session with onCorrupt: miss', async (_label, stored) => {
      const { store, database } = storeWith(serializer, { onCorrupt: 'miss' });
      database.write('s:sid', { text: stored, expiresAt: null });
      await expect(store.get('sid')).resolves.toBeNull();
      await store.close();
    });
  });

  it('decrypted text the inner serializer cannot parse does not appear in the error', async () => {
    // An inner parse whose error quotes the whole text it was given (JSON's quotes part of it).
    const leaky: Serializer = {
      stringify: (value) => JSON.stringify(value),
      parse: (text) => {
        throw new SyntaxError(`cannot parse ${text}`);
      },
    };
    const serializer = createEncryptingSerializer({ keys: [keyA], serializer: leaky });
    const { store, database } = storeWith(serializer);
    database.write('s:sid', { text: serializer.stringify(session), expiresAt: null });
    const err = await store.get('sid').catch((error: unknown) => error);
    expect(err).toBeInstanceOf(CorruptSessionError);
    expect(messages(err)).not.toContain('alice');
    await store.close();
  });

  describe('allowPlaintext', () => {
    it('reads values stored in clear and writes encrypted ones', async () => {
      const serializer = createEncryptingSerializer({ keys: [keyA], allowPlaintext: true });
      const { store, database } = storeWith(serializer);
      database.write('s:old', { text: JSON.stringify(session), expiresAt: null });
      const read = await store.get('old');
      expect(read).toEqual(session);
      expect(serializer.keyIdOf(read as object)).toBeNull();
      await store.set('old', read as SessionData);
      expect(database.peek('s:old')?.text.startsWith('sse1.a.')).toBe(true);
      await store.close();
    });

    it('plain text that is not JSON is still corrupt, without its text in the error', async () => {
      const serializer = createEncryptingSerializer({ keys: [keyA], allowPlaintext: true });
      const { store, database } = storeWith(serializer);
      database.write('s:bad', { text: `{"user": "${SECRET}`, expiresAt: null });
      const err = await store.get('bad').catch((error: unknown) => error);
      expect(err).toBeInstanceOf(CorruptSessionError);
      expect(messages(err)).not.toContain('alice');
      await store.close();
    });

    it('a tampered encrypted value is not read as plain text', async () => {
      const serializer = createEncryptingSerializer({ keys: [keyA], allowPlaintext: true });
      expect(() => serializer.parse(`${serializer.stringify(session).slice(0, -4)}AAAA`)).toThrow(
        /authentication failed/,
      );
    });
  });

  it('an async inner serializer works, and its failures are corrupt data', async () => {
    const asyncJson: Serializer = { stringify: JSON.stringify, parse: async (text) => JSON.parse(text) };
    const serializer = createEncryptingSerializer({ keys: [keyA], serializer: asyncJson });
    const { store } = storeWith(serializer);
    await store.set('x', session);
    expect(await store.get('x')).toEqual(session);
    await store.close();
  });

  describe('bad options name the option and never show key material', () => {
    const secretHex = 'ab'.repeat(16);
    const cases: Array<[string, unknown, string]> = [
      ['no options', undefined, 'options'],
      ['no keys', {}, 'keys'],
      ['an empty key list', { keys: [] }, 'keys'],
      ['a key that is not an object', { keys: ['x'] }, 'keys[0]'],
      ['a missing id', { keys: [{ key: randomBytes(32) }] }, 'keys[0].id'],
      ['an id with a dot', { keys: [{ id: 'a.b', key: randomBytes(32) }] }, 'keys[0].id'],
      ['a duplicate id', { keys: [keyA, { id: 'a', key: randomBytes(32) }] }, 'keys[1].id'],
      ['a missing key', { keys: [{ id: 'a' }] }, 'keys[0].key'],
      ['a short Buffer', { keys: [{ id: 'a', key: randomBytes(16) }] }, 'keys[0].key'],
      ['a short hex string', { keys: [keyA, { id: 'b', key: secretHex }] }, 'keys[1].key'],
      ['a passphrase', { keys: [{ id: 'a', key: 'correct horse battery staple' }] }, 'keys[0].key'],
      ['an unknown option', { keys: [keyA], alowPlaintext: true }, 'alowPlaintext'],
      ['a non-boolean allowPlaintext', { keys: [keyA], allowPlaintext: 'yes' }, 'allowPlaintext'],
      ['a bad inner serializer', { keys: [keyA], serializer: {} }, 'serializer'],
    ];
    it.each(cases)('%s', (_label, options, option) => {
      const err = thrownBy(() => createEncryptingSerializer(options as never));
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).code).toBe(ErrorCode.InvalidOption);
      expect((err as InvalidOptionError).option).toBe(option);
      expect((err as Error).message).not.toContain(secretHex);
      expect((err as Error).message).not.toContain('horse');
    });
  });
});
