/**
 * The text stored in one hash field: JSON, with Dates kept as Dates. A Date is written as
 * `{"$date":"<ISO>"}`; a plain object of the app that happens to have that exact shape (a
 * single `$date` or `$esc` key) is wrapped as `{"$esc":{...}}`, so it never comes back as a
 * Date. Everything else follows JSON.stringify: `toJSON` is honoured, functions and
 * `undefined` are dropped from objects and become null in arrays, NaN and Infinity become null.
 *
 * Plain JSON written by alt-session reads back the same, unless it contains those tags.
 */

const DATE_TAG = '$date';
const ESCAPE_TAG = '$esc';
/** Marks a value JSON would leave out of an object. */
const OMIT: unique symbol = Symbol('omit');

type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

/** Sets a property even when it is named `__proto__` (plain assignment would change the prototype). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function looksTagged(keys: readonly string[]): boolean {
  return keys.length === 1 && (keys[0] === DATE_TAG || keys[0] === ESCAPE_TAG);
}

function toEncoded(value: unknown, key: string, ancestors: Set<object>): Encoded | typeof OMIT {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      throw new TypeError(`cannot store a BigInt (at "${key}")`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return OMIT;
  }
  if (value === null) return null;
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? null : { [DATE_TAG]: value.toISOString() };
  }
  const object = value as object;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    return toEncoded((object as { toJSON(key: string): unknown }).toJSON(key), key, ancestors);
  }
  if (ancestors.has(object)) throw new TypeError(`cannot store a circular structure (at "${key}")`);
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return object.map((item, index) => {
        const encoded = toEncoded(item, String(index), ancestors);
        return encoded === OMIT ? null : encoded;
      });
    }
    const out: { [key: string]: Encoded } = {};
    for (const [name, item] of Object.entries(object)) {
      const encoded = toEncoded(item, name, ancestors);
      if (encoded !== OMIT) put(out, name, encoded);
    }
    return looksTagged(Object.keys(out)) ? { [ESCAPE_TAG]: out } : out;
  } finally {
    ancestors.delete(object);
  }
}

/**
 * The stored text of `value`.
 * @throws TypeError for values JSON cannot hold: a BigInt, a circular structure, or a
 * top-level `undefined`, function or symbol.
 */
export function encodeValue(value: unknown): string {
  const encoded = toEncoded(value, '', new Set());
  if (encoded === OMIT) throw new TypeError(`cannot store ${typeof value}; use remove() to delete a key`);
  return JSON.stringify(encoded);
}

function fromEncoded(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromEncoded);
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (looksTagged(keys)) {
    const inner = object[keys[0] as string];
    if (keys[0] === DATE_TAG && typeof inner === 'string') return new Date(inner);
    if (keys[0] === ESCAPE_TAG && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
      return decodeMembers(inner as Record<string, unknown>);
    }
  }
  return decodeMembers(object);
}

function decodeMembers(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(object)) put(out, name, fromEncoded(item));
  return out;
}

/**
 * The value stored as `text`.
 * @throws SyntaxError when the text is not JSON.
 */
export function decodeValue(text: string): unknown {
  return fromEncoded(JSON.parse(text));
}
