import { InvalidArgumentError } from '@session-stores/core';

/** Keys starting with this are reserved for the session's own metadata (its creation time). */
export const RESERVED_KEY_START = '@';

/**
 * Checks one key: a non-empty string not starting with `@`.
 * @throws InvalidArgumentError naming `argument`.
 */
export function checkKey(key: unknown, argument: string): string {
  if (typeof key !== 'string' || key === '') {
    throw new InvalidArgumentError(argument, `expected a non-empty string, got ${describe(key)}`);
  }
  if (key.startsWith(RESERVED_KEY_START)) {
    throw new InvalidArgumentError(
      argument,
      `"${key}": keys starting with "${RESERVED_KEY_START}" are reserved`,
    );
  }
  return key;
}

/**
 * Checks an array of keys and drops repeats (one hash field per key).
 * @throws InvalidArgumentError naming `argument`, or `argument[i]` for a bad element.
 */
export function checkKeyList(keys: unknown, argument: string): string[] {
  if (!Array.isArray(keys))
    throw new InvalidArgumentError(argument, `expected an array of keys, got ${describe(keys)}`);
  return [...new Set(keys.map((key, index) => checkKey(key, `${argument}[${index}]`)))];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'an empty string' : typeof value;
}
