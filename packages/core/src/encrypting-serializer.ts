import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomFillSync,
} from 'node:crypto';
import { InvalidOptionError } from './errors';
import { isPlainObject, rejectUnknownKeys } from './option-checks';
import { type Serializer, validateSerializer } from './serializer';
import type { SessionData } from './session-data';

/**
 * One encryption key: `id` names it inside every value it encrypts (so values can say which
 * key to decrypt them with after a rotation), `key` is 32 bytes of secret: a Buffer or
 * Uint8Array, 64 hex characters, or base64 / base64url text of 32 bytes.
 */
export interface EncryptionKey {
  /** 1 to 32 characters of `A-Z a-z 0-9 _ -`; stored in clear in every value. */
  readonly id: string;
  /** 32 bytes of secret (AES-256). Generate one with `crypto.randomBytes(32).toString('base64')`. */
  readonly key: string | Uint8Array;
}

/** Options of {@link createEncryptingSerializer}. */
export interface EncryptingSerializerOptions {
  /** The keys, newest first: values are encrypted with the first and decrypted with any. Required. */
  readonly keys: readonly EncryptionKey[];
  /**
   * Read values stored in clear (written before encryption was turned on) through the
   * inner serializer instead of reporting them as corrupt. Writes are always encrypted.
   * Default `false`: turn it on while migrating a live store, off once every session is
   * encrypted (see {@link reencryptSessions}).
   */
  readonly allowPlaintext?: boolean | undefined;
  /** Turns sessions into the text that gets encrypted. Default JSON. `parse` may be async. */
  readonly serializer?: Serializer | undefined;
}

/** A serializer that encrypts, with what a rotation needs to know about it. */
export interface EncryptingSerializer extends Serializer {
  /** The id of the key new values are encrypted with (the first of `keys`). */
  readonly currentKeyId: string;
  /** Whether `text` is a value this format encrypted (under any key id, known or not). */
  isEncrypted(text: string): boolean;
  /**
   * The key id a decoded session was read with: a key's id, `null` when it was read from
   * plain text, `undefined` when the session did not come from this serializer's `parse`.
   */
  keyIdOf(session: object): string | null | undefined;
}

/** Encrypts and decrypts text in the format of {@link createEncryptingSerializer}, for stores that encrypt values of their own. */
export interface ValueCipher {
  /** The id of the key new values are encrypted with (the first key). */
  readonly currentKeyId: string;
  /** Whether `text` is in the encrypted format (under any key id, known or not). */
  isEncrypted(text: string): boolean;
  /** `sse1.<key id>.<base64url(iv | ciphertext | tag)>` of `plain`, under the current key. */
  encrypt(plain: string): string;
  /**
   * The text `encrypt` was given, and the id of the key that encrypted it.
   * @throws UndecryptableValueError (no stored text in its message) for anything it cannot authenticate.
   */
  decrypt(text: string): { readonly plain: string; readonly keyId: string };
}

/** What starts every encrypted value; no JSON text can start with it. */
export const ENCRYPTED_VALUE_PREFIX = 'sse1.';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const ALGORITHM = 'aes-256-gcm';

/**
 * Which key a decoded session was read with, carried by the session object in a
 * non-enumerable symbol property: JSON, spreads and `Object.keys` never see it.
 */
const READ_WITH = Symbol('session-stores.readWith');

/**
 * Why an encrypted value could not be read. Its message never holds any of the stored
 * text, decrypted or not: it ends up as the `cause` of an `ERR_SESSION_CORRUPT` error,
 * and from there in logs.
 */
export class UndecryptableValueError extends Error {
  constructor(reason: string) {
    super(`encrypted session value: ${reason}`);
    this.name = 'UndecryptableValueError';
  }
}

/**
 * A serializer for any store's `serializer` option that encrypts sessions at rest with
 * AES-256-GCM (authenticated: a changed, truncated or foreign value is detected), from
 * `node:crypto`.
 *
 * Value format, one line of ASCII:
 * `sse1.<key id>.<base64url of: 12-byte random IV | ciphertext | 16-byte GCM tag>`;
 * the bytes `sse1.<key id>` are the GCM additional data, so the key id cannot be swapped.
 * The plaintext is the inner serializer's text (JSON by default).
 *
 * @throws InvalidOptionError naming the option (`keys`, `keys[1].key`, ...) for a missing,
 *   short or duplicate key; the message never holds key material.
 * @example
 * const serializer = createEncryptingSerializer({
 *   keys: [{ id: '2026-12', key: process.env.SESSION_KEY_2026_12 }, { id: '2026-06', key: process.env.SESSION_KEY_2026_06 }],
 * });
 * app.use(session({ store: new RedisStore({ client, serializer }), secret }));
 */
export function createEncryptingSerializer(options: EncryptingSerializerOptions): EncryptingSerializer {
  if (!isPlainObject(options)) throw new InvalidOptionError('options', 'expected an object with keys');
  rejectUnknownKeys(options as Record<string, unknown>, ['keys', 'allowPlaintext', 'serializer'], '');
  const cipher = createValueCipher(options.keys);
  if (options.allowPlaintext !== undefined && typeof options.allowPlaintext !== 'boolean') {
    throw new InvalidOptionError('allowPlaintext', 'expected a boolean');
  }
  const allowPlaintext = options.allowPlaintext === true;
  const inner = validateSerializer(options.serializer);

  const parseInner = (text: string, keyId: string | null): SessionData | Promise<SessionData> => {
    let parsed: SessionData | Promise<SessionData>;
    try {
      parsed = inner.parse(text);
    } catch {
      // The inner error (a JSON SyntaxError quotes the text) must not travel: it is the data.
      throw new UndecryptableValueError(
        keyId === null
          ? 'plain text that the serializer cannot parse'
          : 'decrypted text that the serializer cannot parse',
      );
    }
    if (parsed instanceof Promise) {
      return parsed.then(
        (session) => markReadWith(session, keyId),
        () => {
          throw new UndecryptableValueError('decrypted text that the serializer cannot parse');
        },
      );
    }
    return markReadWith(parsed, keyId);
  };

  return {
    currentKeyId: cipher.currentKeyId,
    isEncrypted: cipher.isEncrypted,
    keyIdOf: (session) => (session as { [READ_WITH]?: string | null })[READ_WITH],
    stringify(session) {
      const plain = inner.stringify(session);
      if (typeof plain !== 'string') {
        throw new TypeError(`serializer.stringify returned ${typeof plain}, expected a string`);
      }
      return cipher.encrypt(plain);
    },
    parse(text) {
      if (typeof text !== 'string') throw new UndecryptableValueError('not text');
      if (!cipher.isEncrypted(text)) {
        if (allowPlaintext) return parseInner(text, null);
        throw new UndecryptableValueError('not an encrypted value (allowPlaintext is off)');
      }
      const { plain, keyId } = cipher.decrypt(text);
      return parseInner(plain, keyId);
    },
  };
}

/**
 * The AES-256-GCM cipher behind {@link createEncryptingSerializer}, for text.
 * @param keys `[{ id, key }]`, newest first (see {@link EncryptionKey}).
 * @param optionName how the user spells the keys option, for errors (`keys`, `encryption.keys`).
 * @throws InvalidOptionError naming `<optionName>[n].key` or `.id`; never showing key material.
 */
export function createValueCipher(keys: readonly EncryptionKey[], optionName = 'keys'): ValueCipher {
  const checked = checkKeys(keys, optionName);
  const [current] = checked as [CheckedKey, ...CheckedKey[]];
  const byId = new Map(checked.map((key) => [key.id, key]));
  return {
    currentKeyId: current.id,
    isEncrypted: (text) => text.startsWith(ENCRYPTED_VALUE_PREFIX),
    encrypt(plain) {
      const header = `${ENCRYPTED_VALUE_PREFIX}${current.id}`;
      const iv = nextIv();
      const cipher = createCipheriv(ALGORITHM, current.secret, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(header, 'ascii'));
      const body = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${header}.${body.toString('base64url')}`;
    },
    decrypt(text) {
      if (typeof text !== 'string' || !text.startsWith(ENCRYPTED_VALUE_PREFIX)) {
        throw new UndecryptableValueError('not an encrypted value');
      }
      const dot = text.indexOf('.', ENCRYPTED_VALUE_PREFIX.length);
      if (dot < 0) throw new UndecryptableValueError('malformed (no key id)');
      const keyId = text.slice(ENCRYPTED_VALUE_PREFIX.length, dot);
      const key = byId.get(keyId);
      // The id is ours to print only if it has the shape of one (it is stored in clear anyway).
      if (!key) {
        throw new UndecryptableValueError(
          KEY_ID_PATTERN.test(keyId)
            ? `encrypted with key "${keyId}", which is not in keys`
            : 'malformed key id',
        );
      }
      const encoded = text.slice(dot + 1);
      if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new UndecryptableValueError('malformed (not base64url)');
      const body = Buffer.from(encoded, 'base64url');
      if (body.length < IV_BYTES + TAG_BYTES) throw new UndecryptableValueError('truncated');
      try {
        const decipher = createDecipheriv(ALGORITHM, key.secret, body.subarray(0, IV_BYTES), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(text.slice(0, dot), 'ascii'));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        const plain =
          decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES), undefined, 'utf8') +
          decipher.final('utf8');
        return { plain, keyId };
      } catch {
        throw new UndecryptableValueError(`authentication failed with key "${keyId}" (changed or truncated)`);
      }
    },
  };
}

interface CheckedKey {
  readonly id: string;
  readonly secret: KeyObject;
}

function checkKeys(keys: unknown, optionName: string): CheckedKey[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new InvalidOptionError(
      optionName,
      'expected a non-empty array of { id, key }, the newest key first',
    );
  }
  const seen = new Set<string>();
  return keys.map((entry: unknown, index) => {
    const name = `${optionName}[${index}]`;
    if (!isPlainObject(entry)) throw new InvalidOptionError(name, 'expected an object { id, key }');
    rejectUnknownKeys(entry, ['id', 'key'], name);
    const { id } = entry;
    if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
      throw new InvalidOptionError(`${name}.id`, 'expected 1 to 32 characters of A-Z, a-z, 0-9, _ and -');
    }
    if (seen.has(id)) throw new InvalidOptionError(`${name}.id`, `"${id}" is used by an earlier key`);
    seen.add(id);
    return { id, secret: createSecretKey(keyBytes(entry.key, `${name}.key`)) };
  });
}

/** The 32 bytes of a key option. The messages describe the key's shape, never its content. */
function keyBytes(key: unknown, name: string): Buffer {
  const expected = `expected ${KEY_BYTES} bytes: a Buffer, 64 hex characters or base64 of 32 bytes`;
  if (key instanceof Uint8Array) {
    if (key.length !== KEY_BYTES) throw new InvalidOptionError(name, `${expected}, got ${key.length} bytes`);
    return Buffer.from(key);
  }
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidOptionError(name, `${expected}, got ${key === '' ? 'an empty string' : typeof key}`);
  }
  if (/^[0-9a-fA-F]{64}$/.test(key)) return Buffer.from(key, 'hex');
  const base64 = /^[A-Za-z0-9+/_-]+={0,2}$/.test(key) ? Buffer.from(key, 'base64') : undefined;
  if (base64?.length === KEY_BYTES) return base64;
  throw new InvalidOptionError(
    name,
    `${expected}, got a string of ${key.length} characters${base64 ? ` (${base64.length} bytes as base64)` : ''}`,
  );
}

/**
 * Random IVs, taken from a pool refilled 256 at a time: one `randomBytes` call per value
 * cost about as much as the encryption itself. Each IV is still 12 fresh random bytes.
 */
const IV_POOL_SIZE = IV_BYTES * 256;
let ivPool = Buffer.alloc(0);
let ivOffset = IV_POOL_SIZE;

function nextIv(): Buffer {
  if (ivOffset >= IV_POOL_SIZE) {
    // A new buffer each time: the IVs handed out before stay as they were.
    ivPool = randomFillSync(Buffer.allocUnsafe(IV_POOL_SIZE));
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

function markReadWith(session: SessionData, keyId: string | null): SessionData {
  if (session !== null && typeof session === 'object') {
    Object.defineProperty(session, READ_WITH, {
      value: keyId,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return session;
}
