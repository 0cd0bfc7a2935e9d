import { InvalidOptionError } from '@session-stores/core';

/** A non-null, non-array object, as every group of options must be. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rejects keys the group does not know, naming the first one (`redis.passwd`), so a
 * typo fails at startup instead of being silently ignored.
 */
export function rejectUnknownKeys(
  group: Record<string, unknown>,
  known: readonly string[],
  path: string,
): void {
  for (const key of Object.keys(group)) {
    if (group[key] === undefined) continue;
    if (!known.includes(key)) {
      const name = path ? `${path}.${key}` : key;
      throw new InvalidOptionError(name, `unknown option; expected one of: ${known.join(', ')}`);
    }
  }
}

/** An optional group of options (`redis`, `session`, `cookie`): undefined, or an object. */
export function optionalGroup(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new InvalidOptionError(name, 'expected an object');
  return value;
}

/** An optional string; `allowEmpty` for passwords, which may legitimately be empty. */
export function optionalString(value: unknown, name: string, allowEmpty = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidOptionError(name, `expected a string, got ${typeof value}`);
  if (value === '' && !allowEmpty) throw new InvalidOptionError(name, 'must not be empty');
  return value;
}

/** An optional boolean. */
export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean')
    throw new InvalidOptionError(name, `expected a boolean, got ${typeof value}`);
  return value;
}

/** An optional finite number of seconds greater than zero, at most `max`. */
export function optionalSeconds(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(name, 'expected a number of seconds greater than 0');
  }
  if (value > max) throw new InvalidOptionError(name, `at most ${max} seconds (it is in seconds, not ms)`);
  return value;
}

/** An optional integer within [min, max]. */
export function optionalInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, `expected an integer from ${min} to ${max}`);
  }
  return value;
}
