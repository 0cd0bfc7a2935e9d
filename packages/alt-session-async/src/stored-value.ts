import { CorruptSessionError, SerializeError } from '@session-stores/core';
import { decodeValue, encodeValue } from './value-codec';

/**
 * The stored text of one session value.
 * @throws SerializeError (`ERR_SESSION_SERIALIZE`) naming the key, for values JSON cannot hold.
 */
export function encodeStored(sid: string, key: string, value: unknown): string {
  try {
    return encodeValue(value);
  } catch (err) {
    if (err instanceof TypeError)
      throw new SerializeError(sid, new TypeError(`value of "${key}": ${err.message}`));
    throw err;
  }
}

/**
 * The value stored as `text`.
 * @throws CorruptSessionError (`ERR_SESSION_CORRUPT`) naming the key, when the text is not JSON.
 */
export function decodeStored(sid: string, key: string, text: string): unknown {
  try {
    return decodeValue(text);
  } catch (err) {
    throw new CorruptSessionError(sid, new SyntaxError(`value of "${key}": ${(err as Error).message}`));
  }
}
