import { InvalidOptionError } from './errors';

/**
 * The longest delay a Node.js timer supports, in ms (about 24.8 days): a longer one
 * fires at once, with only a warning. The upper bound of every delay option.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Names a refused value at the end of an error message (`..., got <description>`). */
export type DescribeValue = (value: unknown) => string;

/** Describes a value by its `typeof`: `got number`. */
export const describeType: DescribeValue = (value) => typeof value;

/** Describes a value as written where that is short: `got "5"`, `got 3.1`, `got null`, `got an array`. */
export const describeValue: DescribeValue = (value) => {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
};

function got(value: unknown, describe: DescribeValue | undefined): string {
  return describe ? `, got ${describe(value)}` : '';
}

/** A non-null, non-array object, as a group of options must be. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An options argument: absent, or an object (arrays pass, as they always have).
 * @throws InvalidOptionError naming `name`: "expected an object".
 */
export function optionalObject(value: unknown, name: string): object | undefined {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new InvalidOptionError(name, 'expected an object');
  }
  return value as object | undefined;
}

/**
 * An optional group of options (`redis`, `session`, `cookie`): absent (read as `{}`) or a
 * plain object.
 * @throws InvalidOptionError naming `name`: "expected an object".
 */
export function optionalGroup(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new InvalidOptionError(name, 'expected an object');
  return value;
}

/**
 * Rejects keys the group does not know, naming the first one (`redis.passwd`), so a typo
 * fails at startup instead of being silently ignored. Keys set to `undefined` are ignored.
 * @param path the group's own name (`redis`), or `''` for top-level options.
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

/**
 * An optional string, never empty unless `allowEmpty` (passwords may be).
 * @throws InvalidOptionError naming `name`: "expected a string, got <typeof>" or "must not be empty".
 */
export function optionalString(value: unknown, name: string, allowEmpty = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidOptionError(name, `expected a string, got ${typeof value}`);
  if (value === '' && !allowEmpty) throw new InvalidOptionError(name, 'must not be empty');
  return value;
}

/**
 * An optional boolean.
 * @param describe how the message names a refused value; without it, the message is just "expected a boolean".
 */
export function optionalBoolean(value: unknown, name: string, describe?: DescribeValue): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidOptionError(name, `expected a boolean${got(value, describe)}`);
}

/**
 * An optional integer within [min, max].
 * @throws InvalidOptionError naming `name`: "expected an integer from <min> to <max>".
 */
export function optionalInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * An optional finite number of seconds greater than zero, at most `max`.
 * @throws InvalidOptionError naming `name`, saying it is in seconds when the value is above `max`.
 */
export function optionalSeconds(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(name, 'expected a number of seconds greater than 0');
  }
  if (value > max) throw new InvalidOptionError(name, `at most ${max} seconds (it is in seconds, not ms)`);
  return value;
}

/**
 * An optional delay (`commandTimeout`, `hedgeDelay`): a number of milliseconds from `min` to
 * {@link MAX_TIMER_DELAY_MS}.
 * @param describe how the message names a refused value; without it, the message ends at the range.
 * @throws InvalidOptionError naming `name`: "expected a number of milliseconds from <min> to 2147483647".
 */
export function optionalMilliseconds(
  value: unknown,
  name: string,
  min: number,
  describe?: DescribeValue,
): number | undefined {
  if (value === undefined || (typeof value === 'number' && value >= min && value <= MAX_TIMER_DELAY_MS)) {
    return value;
  }
  throw new InvalidOptionError(
    name,
    `expected a number of milliseconds from ${min} to ${MAX_TIMER_DELAY_MS}${got(value, describe)}`,
  );
}
