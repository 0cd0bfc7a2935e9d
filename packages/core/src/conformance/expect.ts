import { AssertionError } from 'node:assert';
import { inspect } from 'node:util';

// The kit's own assertions: the subset of jest's `expect` its cases use, on nothing but
// Node. Cases run the same under jest, vitest, mocha, node:test and the command line, and
// a published store's users install no assertion library. A failure is Node's
// AssertionError with `actual` and `expected`, which every runner shows as a diff.

/** The matchers a case can use; `not`, `resolves` and `rejects` work as in jest. */
export interface Matchers<R> {
  /** `Object.is` equality. */
  toBe(expected: unknown): R;
  /** Deep equality; properties whose value is `undefined` count as absent. */
  toEqual(expected: unknown): R;
  /** Deep equality that also compares `undefined` properties and prototypes. */
  toStrictEqual(expected: unknown): R;
  /** The value has at least the expected properties, recursively (arrays match element by element). */
  toMatchObject(expected: object): R;
  toBeNull(): R;
  toBeUndefined(): R;
  toBeDefined(): R;
  toBeTruthy(): R;
  toBeFalsy(): R;
  toBeInstanceOf(expected: abstract new (...args: never[]) => unknown): R;
  toBeGreaterThan(expected: number): R;
  toBeGreaterThanOrEqual(expected: number): R;
  toBeLessThan(expected: number): R;
  toBeLessThanOrEqual(expected: number): R;
  /** An array holds the item (`Object.is`), or a string the substring. */
  toContain(expected: unknown): R;
  /** An array holds an item deep-equal to `expected`. */
  toContainEqual(expected: unknown): R;
  toHaveLength(expected: number): R;
  /** A string matches the pattern (a RegExp, or a substring). */
  toMatch(expected: RegExp | string): R;
  /** Calling the function throws (an error whose message matches, when given). */
  toThrow(expected?: RegExp | string): R;
}

/** What `expect(value)` returns. */
export interface Expectation extends Matchers<void> {
  readonly not: Matchers<void>;
  readonly resolves: Matchers<Promise<void>> & { readonly not: Matchers<Promise<void>> };
  readonly rejects: Matchers<Promise<void>> & { readonly not: Matchers<Promise<void>> };
}

type Check = (received: unknown, expected: unknown) => boolean;

/** How each matcher decides, and whether its failure shows an expected value. */
const CHECKS: Record<keyof Matchers<unknown>, Check> = {
  toBe: (received, expected) => Object.is(received, expected),
  toEqual: (received, expected) => equals(received, expected, false),
  toStrictEqual: (received, expected) => equals(received, expected, true),
  toMatchObject: (received, expected) => matchesObject(received, expected),
  toBeNull: (received) => received === null,
  toBeUndefined: (received) => received === undefined,
  toBeDefined: (received) => received !== undefined,
  toBeTruthy: (received) => Boolean(received),
  toBeFalsy: (received) => !received,
  toBeInstanceOf: (received, expected) => received instanceof (expected as new () => unknown),
  toBeGreaterThan: (received, expected) => (received as number) > (expected as number),
  toBeGreaterThanOrEqual: (received, expected) => (received as number) >= (expected as number),
  toBeLessThan: (received, expected) => (received as number) < (expected as number),
  toBeLessThanOrEqual: (received, expected) => (received as number) <= (expected as number),
  toContain: (received, expected) =>
    typeof received === 'string'
      ? received.includes(String(expected))
      : Array.isArray(received) && received.some((item) => Object.is(item, expected)),
  toContainEqual: (received, expected) =>
    Array.isArray(received) && received.some((item) => equals(item, expected, false)),
  toHaveLength: (received, expected) =>
    (received as { length?: unknown } | null | undefined)?.length === expected,
  toMatch: (received, expected) =>
    typeof received === 'string' &&
    (expected instanceof RegExp ? expected.test(received) : received.includes(String(expected))),
  toThrow: (received, expected) => {
    const thrown = thrownBy(received);
    if (!thrown.threw) return false;
    if (expected === undefined) return true;
    const message = thrown.error instanceof Error ? thrown.error.message : String(thrown.error);
    return expected instanceof RegExp ? expected.test(message) : message.includes(String(expected));
  },
};

/** Matchers that take no expected value. */
const UNARY = new Set(['toBeNull', 'toBeUndefined', 'toBeDefined', 'toBeTruthy', 'toBeFalsy']);

/**
 * jest's `expect`, for the matchers above: `expect(value).toEqual(other)`,
 * `await expect(promise).rejects.toMatchObject({ code })`.
 */
export function expect(received: unknown): Expectation {
  const sync = (negated: boolean) => matchers((name, expected) => assert(name, received, expected, negated));
  const settled = (how: 'resolves' | 'rejects', negated: boolean) =>
    matchers(async (name, expected) => {
      const value = await outcomeOf(received, how);
      assert(name, value, expected, negated, how);
    });
  return Object.assign(sync(false), {
    not: sync(true),
    resolves: Object.assign(settled('resolves', false), { not: settled('resolves', true) }),
    rejects: Object.assign(settled('rejects', false), { not: settled('rejects', true) }),
  });
}

function matchers<R>(run: (name: keyof Matchers<R>, expected: unknown) => R): Matchers<R> {
  const result: Partial<Record<keyof Matchers<R>, (expected?: unknown) => R>> = {};
  for (const name of Object.keys(CHECKS) as (keyof Matchers<R>)[]) {
    result[name] = (expected?: unknown) => run(name, expected);
  }
  return result as Matchers<R>;
}

async function outcomeOf(received: unknown, how: 'resolves' | 'rejects'): Promise<unknown> {
  try {
    const value = await received;
    if (how === 'rejects') {
      throw failure(`expect(received).rejects: the promise resolved with ${show(value)}`, value, undefined);
    }
    return value;
  } catch (err) {
    if (how === 'rejects') return err;
    throw failure(`expect(received).resolves: the promise rejected with ${show(err)}`, err, undefined);
  }
}

function assert(name: string, received: unknown, expected: unknown, negated: boolean, how?: string): void {
  if (CHECKS[name as keyof typeof CHECKS](received, expected) !== negated) return;
  const call = `expect(received).${how ? `${how}.` : ''}${negated ? 'not.' : ''}${name}(${UNARY.has(name) ? '' : 'expected'})`;
  const lines = [call, ''];
  if (!negated && (name === 'toEqual' || name === 'toStrictEqual' || name === 'toMatchObject')) {
    const found = differences(received, expected, name === 'toMatchObject');
    if (found.length > 0) lines.push(`Difference: ${found.join('; ')}`);
  }
  if (!UNARY.has(name) && name !== 'toThrow')
    lines.push(`Expected: ${negated ? 'not ' : ''}${show(expected)}`);
  if (name === 'toThrow') {
    const thrown = thrownBy(received);
    lines.push(thrown.threw ? `Thrown: ${show(thrown.error)}` : 'Received function did not throw');
  } else {
    lines.push(`Received: ${show(received)}`);
  }
  throw failure(lines.join('\n'), received, UNARY.has(name) ? undefined : expected, name);
}

function failure(message: string, actual: unknown, expected: unknown, operator = 'expect'): AssertionError {
  const error = new AssertionError({ message, actual, expected, operator });
  // Runners shorten the stack to the test file; the kit's frames say nothing to a store author.
  Error.captureStackTrace?.(error, expect);
  return error;
}

const thrownCache = new WeakMap<object, { threw: boolean; error?: unknown }>();

/** Calls `fn` once (a failed toThrow reports what the same call threw). */
function thrownBy(fn: unknown): { threw: boolean; error?: unknown } {
  if (typeof fn !== 'function') return { threw: false };
  const known = thrownCache.get(fn);
  if (known) return known;
  let outcome: { threw: boolean; error?: unknown };
  try {
    fn();
    outcome = { threw: false };
  } catch (error) {
    outcome = { threw: true, error };
  }
  thrownCache.set(fn, outcome);
  return outcome;
}

/** A value as a failure message shows it: deep, but bounded (a 1 MB session stays readable). */
export function show(value: unknown): string {
  return inspect(value, { depth: 6, maxArrayLength: 20, maxStringLength: 200, breakLength: 100 });
}

/** jest's `toEqual` (`strict` false) and `toStrictEqual` (`strict` true). */
function equals(a: unknown, b: unknown, strict: boolean): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => equals(item, b[index], strict));
  }
  const keys = (value: object) =>
    Object.keys(value).filter((key) => strict || (value as Record<string, unknown>)[key] !== undefined);
  const aKeys = keys(a);
  const bKeys = keys(b);
  if (aKeys.length !== bKeys.length) return false;
  const bRecord = b as Record<string, unknown>;
  const aRecord = a as Record<string, unknown>;
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && equals(aRecord[key], bRecord[key], strict));
}

const oneLine = (value: unknown): string => show(value).replace(/\s*\n\s*/g, ' ');

/**
 * Where `received` departs from `expected`, as paths (`.user.name: expected 'Ada', received
 * 'Bob'`), at most three: a failure on a large session then says what differs.
 */
function differences(
  received: unknown,
  expected: unknown,
  subset: boolean,
  path = '',
  found: string[] = [],
): string[] {
  if (found.length >= 3) return found;
  const bothObjects =
    typeof received === 'object' &&
    received !== null &&
    typeof expected === 'object' &&
    expected !== null &&
    !(received instanceof Date) &&
    !(expected instanceof Date) &&
    Array.isArray(received) === Array.isArray(expected);
  if (!bothObjects) {
    if (!(subset ? matchesObject(received, expected) : equals(received, expected, false))) {
      found.push(`${path || 'value'}: expected ${oneLine(expected)}, received ${oneLine(received)}`);
    }
    return found;
  }
  const have = received as Record<string, unknown>;
  const want = expected as Record<string, unknown>;
  const keys = subset ? Object.keys(want) : [...new Set([...Object.keys(want), ...Object.keys(have)])];
  for (const key of keys) {
    const child = Array.isArray(expected) ? `${path}[${key}]` : `${path}.${key}`;
    if (!subset && want[key] === undefined && have[key] !== undefined) {
      found.push(`${child}: not expected, received ${oneLine(have[key])}`);
    } else differences(have[key], want[key], subset, child, found);
    if (found.length >= 3) break;
  }
  return found;
}

/** jest's `toMatchObject`: every expected property is there and matches. */
function matchesObject(received: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null || expected instanceof Date) {
    return equals(received, expected, false);
  }
  if (typeof received !== 'object' || received === null) return false;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(received) &&
      received.length === expected.length &&
      expected.every((item, index) => matchesObject(received[index], item))
    );
  }
  const record = received as Record<string, unknown>;
  return Object.entries(expected).every(
    ([key, value]) => (key in record || value === undefined) && matchesObject(record[key], value),
  );
}
