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

/**
 * The header is `{"v":<1 to 16 digits>,"<n|s|t|d>":`, read by {@link scanHeader}. Kept in
 * step with {@link LUA_HEADER_PATTERN}.
 */
const MAX_VERSION_DIGITS = 16;

/** The same header as a Lua pattern, for the scripts: captures the version and the kind letter. */
export const LUA_HEADER_PATTERN = '^{"v":(%d+),"(%a)":';

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const LETTER_S = 115;
const QUOTE = 34;
const COLON = 58;
const COMMA = 44;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const LETTER_V = 118;
const KIND_COOKIE = 110; // n
const KIND_SESSION = 115; // s
const KIND_TEXT = 116; // t
const KIND_TOMBSTONE = 100; // d

/** The version of the header {@link scanHeader} read last, and where that header ends. */
let scannedVersion = 0;
let scannedEnd = 0;

/**
 * Reads a value's header: returns the char code of its kind letter (0 for a value without
 * a header) and leaves the version in `scannedVersion`. By hand rather than with a regular
 * expression: every read goes through here, and this allocates nothing.
 */
function scanHeader(text: string): number {
  if (
    text.charCodeAt(0) !== OPEN_BRACE ||
    text.charCodeAt(1) !== QUOTE ||
    text.charCodeAt(2) !== LETTER_V ||
    text.charCodeAt(3) !== QUOTE ||
    text.charCodeAt(4) !== COLON
  ) {
    return 0;
  }
  let version = 0;
  let at = 5;
  const end = Math.min(text.length, at + MAX_VERSION_DIGITS);
  for (; at < end; at++) {
    const code = text.charCodeAt(at);
    if (code < DIGIT_0 || code > DIGIT_9) break;
    version = version * 10 + (code - DIGIT_0);
  }
  if (
    at === 5 ||
    text.charCodeAt(at) !== COMMA ||
    text.charCodeAt(at + 1) !== QUOTE ||
    text.charCodeAt(at + 3) !== QUOTE ||
    text.charCodeAt(at + 4) !== COLON
  ) {
    return 0;
  }
  const kind = text.charCodeAt(at + 2);
  if (kind !== KIND_COOKIE && kind !== KIND_SESSION && kind !== KIND_TEXT && kind !== KIND_TOMBSTONE)
    return 0;
  scannedVersion = version;
  scannedEnd = at + 5;
  return kind;
}

/**
 * Where the session's JSON starts in a value exactly as {@link jsonEnvelope} writes it
 * (`{"v":1,"s":<session>}` or `{"v":1,"n":12,"s":<session>}`), just scanned; -1 otherwise.
 */
function sessionStart(text: string, kind: number): number {
  let at = scannedEnd;
  if (kind === KIND_COOKIE) {
    const digits = at;
    for (let code = text.charCodeAt(at); code >= DIGIT_0 && code <= DIGIT_9; code = text.charCodeAt(++at));
    if (
      at === digits ||
      text.charCodeAt(at) !== COMMA ||
      text.charCodeAt(at + 1) !== QUOTE ||
      text.charCodeAt(at + 2) !== LETTER_S ||
      text.charCodeAt(at + 3) !== QUOTE ||
      text.charCodeAt(at + 4) !== COLON
    ) {
      return -1;
    }
    at += 5;
  }
  return text.charCodeAt(at) === OPEN_BRACE && text.charCodeAt(text.length - 1) === CLOSE_BRACE ? at : -1;
}

/**
 * The session of a JSON-form value: its JSON alone is parsed, without the envelope around
 * it (cheaper, on every read); anything else is parsed whole. The same result either way:
 * when the session's JSON parses on its own, the envelope holds nothing else.
 */
function parseSession(text: string, kind: number): unknown {
  parsedJson = undefined;
  const start = sessionStart(text, kind);
  if (start >= 0) {
    const json = text.slice(start, text.length - 1);
    try {
      const session = JSON.parse(json);
      parsedJson = json;
      return session;
    } catch {
      // Not the exact form: the envelope decides.
    }
  }
  return (JSON.parse(text) as { s?: unknown }).s;
}

/** The session's own JSON when {@link parseSession} last parsed it alone (else undefined). */
let parsedJson: string | undefined;

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
  const kind = scanHeader(text);
  if (kind === 0) return LEGACY;
  return { version: scannedVersion, kind: kind === KIND_TOMBSTONE ? 'tombstone' : 'session' };
}

/** A stored value taken apart (the session itself still to be decoded for the text forms). */
export type StoredValue =
  | { readonly kind: 'tombstone'; readonly version: number }
  /**
   * An object decoded from the JSON form; `json` is the session's own JSON within the value
   * when it parsed on its own (the values this store writes), which JSON decodes to the same.
   */
  | {
      readonly kind: 'object';
      readonly version: number;
      readonly session: unknown;
      readonly json: string | undefined;
    }
  /** Serializer output: from the `t` form, or a legacy value (version 0). */
  | { readonly kind: 'text'; readonly version: number; readonly text: string };

/**
 * Takes a stored value apart.
 * @throws SyntaxError or TypeError when the value has a header but is not a valid envelope.
 */
export function parseStored(text: string): StoredValue {
  const kind = scanHeader(text);
  if (kind === 0) return { kind: 'text', version: 0, text };
  const version = scannedVersion;
  if (kind === KIND_TOMBSTONE) return { kind: 'tombstone', version };
  if (kind === KIND_TEXT) {
    const envelope = JSON.parse(text) as { t?: unknown };
    if (typeof envelope.t !== 'string') throw new TypeError('the "t" member is not a string');
    return { kind: 'text', version, text: envelope.t };
  }
  const session = parseSession(text, kind);
  if (session === null || typeof session !== 'object' || Array.isArray(session)) {
    throw new TypeError('the "s" member is not an object');
  }
  return { kind: 'object', version, session, json: parsedJson };
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
