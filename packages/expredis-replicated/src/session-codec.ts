import {
  CorruptSessionError,
  decodeSession,
  encodeSession,
  jsonSerializer,
  SerializeError,
  type Serializer,
  type SessionData,
} from '@session-stores/core';
import { isJsonSerializer } from '@session-stores/redis-store/connection';
import { jsonEnvelope, parseStored, type StoredValue, textEnvelope } from './envelope';
import { processClock } from './version-clock';

/** A key holding another Redis type than a string: never a session of ours. */
export const FOREIGN_VALUE: unique symbol = Symbol('foreign value');

/** One server's answer to a GET: the stored text, `null` when missing, or {@link FOREIGN_VALUE}. */
export type StoredAnswer = string | null | typeof FOREIGN_VALUE;

/**
 * Turns sessions into versioned envelopes and back, with the configured serializer.
 * With JSON (the default) the cookie is stored apart from the rest (see envelope.ts),
 * so touch can replace it on the server; any other serializer's output is kept as text.
 */
export class SessionCodec {
  /** Whether sessions are stored in the JSON form that touch can edit on the server. */
  readonly editsOnServer: boolean;
  /**
   * What the last {@link decode} call found for core's merge base (`rememberLoaded`'s `text`):
   * text the store's serializer decodes to the same session, sliced from the stored value at
   * no cost (the session's own JSON, the custom serializer's output, a legacy value), or
   * undefined (a tombstone, a JSON value not in the exact form). Read it right after the call.
   */
  decodedText: string | undefined;

  constructor(private readonly serializer: Serializer) {
    this.editsOnServer = isJsonSerializer(serializer);
    this.decodedText = undefined;
  }

  /** The envelope of `session` at `version`. @throws SerializeError */
  encode(sid: string, version: number, session: SessionData): string {
    if (!this.editsOnServer) return textEnvelope(version, encodeSession(this.serializer, sid, session));
    const { cookie, ...rest } = session as SessionData & { cookie?: unknown };
    const restJson = encodeSession(jsonSerializer, sid, rest as SessionData);
    // A session whose own toJSON turns it into something else than an object is kept as text.
    if (restJson[0] !== '{') return textEnvelope(version, encodeSession(jsonSerializer, sid, session));
    return jsonEnvelope(version, this.cookieJson(sid, cookie), restJson);
  }

  /** A cookie as JSON, or undefined when there is none (JSON would leave it out too). @throws SerializeError */
  cookieJson(sid: string, cookie: unknown): string | undefined {
    if (cookie === undefined) return undefined;
    try {
      return JSON.stringify(cookie);
    } catch (cause) {
      throw new SerializeError(sid, cause);
    }
  }

  /** Takes a stored value apart. @throws CorruptSessionError */
  private parse(sid: string, answer: string | typeof FOREIGN_VALUE): StoredValue {
    if (answer === FOREIGN_VALUE) {
      throw new CorruptSessionError(sid, new TypeError('the key holds another Redis type than a string'));
    }
    try {
      return parseStored(answer);
    } catch (cause) {
      throw new CorruptSessionError(sid, cause);
    }
  }

  /**
   * The session in a stored value; `null` for a tombstone. The version read advances this
   * process's clock, so a write that follows carries a higher one. No promise for the JSON
   * form and tombstones (the read path's common case, where every promise costs); a promise
   * only when the serializer's `parse` returns one.
   * @throws CorruptSessionError, at once or as the promise's rejection, when it cannot be decoded.
   */
  decode(
    sid: string,
    answer: string | typeof FOREIGN_VALUE,
  ): SessionData | null | Promise<SessionData | null> {
    this.decodedText = undefined;
    const stored = this.parse(sid, answer);
    if (stored.version > 0) processClock.observe(stored.version);
    if (stored.kind === 'object') {
      // The slice is JSON: core decodes it with the serializer, so only when that is JSON.
      this.decodedText = this.editsOnServer ? stored.json : undefined;
      return stored.session as SessionData;
    }
    if (stored.kind === 'tombstone') return null;
    this.decodedText = stored.text;
    return decodeSession(this.serializer, sid, stored.text);
  }
}
