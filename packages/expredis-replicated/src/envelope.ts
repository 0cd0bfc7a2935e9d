/**
 * The stored format: every value carries the version of the write that produced it, so
 * replicas that diverged can be compared and converged.
 *
 * | form | value at `prefix + sid` |
 * |---|---|
 * | JSON session with a cookie | `{"v":<version>,"n":<cookie bytes>,"s":{"cookie":<cookie JSON>,...the rest}}` |
 * | JSON session without cookie | `{"v":<version>,"s":<session JSON>}` |
 * | custom serializer | `{"v":<version>,"t":<serializer output as a JSON string>}` |
 * | tombstone (destroyed) | `{"v":<version>,"d":1}` |
 * | legacy (expredis) | the serializer's output as it is; version 0 |
 *
 * The header `{"v":<digits>,"<letter>":` has a fixed shape so the Lua scripts can read the
 * version and the kind with one pattern. In the JSON form the cookie is the session's
 * first member and its length in bytes is in the header, so `touch` can replace it on the
 * server by position, without parsing JSON in Lua (cjson would alter numbers and empty
 * arrays); and a read parses the value once, the session being `s` as it is.
 */

/** The header pattern, in JS. Kept in step with {@link LUA_HEADER_PATTERN}. */
const HEADER = /^\{"v":(\d{1,16}),"([nstd])":/;

/** The same header as a Lua pattern, for the scripts: captures the version and the kind letter. */
export const LUA_HEADER_PATTERN = '^{"v":(%d+),"(%a)":';

/** What a stored value is, judged by its header alone (no decoding). */
export interface StoredHeader {
  /** The write's version; 0 for a legacy value. */
  readonly version: number;
  /** `tombstone`: the session was destroyed at `version`. */
  readonly kind: 'session' | 'tombstone' | 'legacy';
}

const LEGACY: StoredHeader = { version: 0, kind: 'legacy' };

/** Reads the header of a stored value; anything without one is a legacy (expredis) value. */
export function readHeader(text: string): StoredHeader {
  const match = HEADER.exec(text);
  if (!match) return LEGACY;
  return { version: Number(match[1]), kind: match[2] === 'd' ? 'tombstone' : 'session' };
}

/** A stored value taken apart (the session itself still to be decoded for the text forms). */
export type StoredValue =
  | { readonly kind: 'tombstone'; readonly version: number }
  /** An object decoded from the JSON form. */
  | { readonly kind: 'object'; readonly version: number; readonly session: unknown }
  /** Serializer output: from the `t` form, or a legacy value (version 0). */
  | { readonly kind: 'text'; readonly version: number; readonly text: string };

/**
 * Takes a stored value apart.
 * @throws SyntaxError or TypeError when the value has a header but is not a valid envelope.
 */
export function parseStored(text: string): StoredValue {
  const match = HEADER.exec(text);
  if (!match) return { kind: 'text', version: 0, text };
  const version = Number(match[1]);
  if (match[2] === 'd') return { kind: 'tombstone', version };
  const envelope = JSON.parse(text) as { s?: unknown; t?: unknown };
  if (match[2] === 't') {
    if (typeof envelope.t !== 'string') throw new TypeError('the "t" member is not a string');
    return { kind: 'text', version, text: envelope.t };
  }
  const session = envelope.s;
  if (session === null || typeof session !== 'object' || Array.isArray(session)) {
    throw new TypeError('the "s" member is not an object');
  }
  return { kind: 'object', version, session };
}

/**
 * A JSON session from its cookie's JSON (undefined when it has none) and the JSON of the
 * rest (an object). The cookie goes first, where express-session itself puts it.
 */
export function jsonEnvelope(version: number, cookieJson: string | undefined, restJson: string): string {
  if (cookieJson === undefined) return `{"v":${version},"s":${restJson}}`;
  const members = restJson === '{}' ? '}' : `,${restJson.slice(1)}`;
  return `{"v":${version},"n":${Buffer.byteLength(cookieJson, 'utf8')},"s":{"cookie":${cookieJson}${members}}`;
}

/** A session encoded by a custom serializer, kept as a JSON string. */
export function textEnvelope(version: number, text: string): string {
  return `{"v":${version},"t":${JSON.stringify(text)}}`;
}

/** The marker a destroy leaves, so a repair of an older copy can never bring the session back. */
export function tombstoneEnvelope(version: number): string {
  return `{"v":${version},"d":1}`;
}
