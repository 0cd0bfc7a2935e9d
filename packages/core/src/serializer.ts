import { CorruptSessionError, InvalidOptionError, SerializeError } from './errors';
import type { SessionData } from './session-data';

/** Turns sessions into text and back. `parse` may return a promise. */
export interface Serializer {
  /** Encode a session for storage. */
  stringify(session: SessionData): string;
  /** Decode stored text; may be async. */
  parse(text: string): SessionData | Promise<SessionData>;
}

/** The default serializer: JSON, the format connect-redis and express-session use. */
export const jsonSerializer: Serializer = {
  stringify: (session) => JSON.stringify(session),
  parse: (text) => JSON.parse(text) as SessionData,
};

/** @throws InvalidOptionError when `serializer` lacks `parse` or `stringify`. */
export function validateSerializer(serializer: unknown): Serializer {
  if (serializer === undefined) return jsonSerializer;
  const candidate = serializer as Partial<Serializer> | null;
  if (!candidate || typeof candidate.parse !== 'function' || typeof candidate.stringify !== 'function') {
    throw new InvalidOptionError(
      'serializer',
      'expected an object with parse(text) and stringify(session) functions',
    );
  }
  return candidate as Serializer;
}

/**
 * Encodes a session, turning any failure (a circular structure, a BigInt, a
 * serializer returning something else than text) into a SerializeError.
 */
export function encodeSession(serializer: Serializer, sid: string, session: SessionData): string {
  let text: unknown;
  try {
    text = serializer.stringify(session);
  } catch (cause) {
    throw new SerializeError(sid, cause);
  }
  if (typeof text !== 'string') {
    throw new SerializeError(
      sid,
      new TypeError(`serializer.stringify returned ${typeof text}, expected a string`),
    );
  }
  return text;
}

/**
 * Decodes stored text. Anything that does not come back as a plain object is corrupt: a
 * crash in `parse`, `null`, an array, a number. Returns the session at once when `parse` is
 * synchronous (the default JSON), a promise only when `parse` returns one; every caller
 * awaits it (no promise on the hot path, where each one costs).
 * @throws CorruptSessionError, at once or as the promise's rejection.
 */
export function decodeSession(
  serializer: Serializer,
  sid: string,
  text: string,
): SessionData | Promise<SessionData> {
  let value: unknown;
  try {
    value = serializer.parse(text);
  } catch (cause) {
    throw new CorruptSessionError(sid, cause);
  }
  if (isThenable(value)) {
    return Promise.resolve(value).then(
      (parsed) => checkDecoded(sid, parsed),
      (cause: unknown) => {
        throw new CorruptSessionError(sid, cause);
      },
    );
  }
  return checkDecoded(sid, value);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function checkDecoded(sid: string, value: unknown): SessionData {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CorruptSessionError(sid, new TypeError('stored data is not a session object'));
  }
  return value as SessionData;
}
