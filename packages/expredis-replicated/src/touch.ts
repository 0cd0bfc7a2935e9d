import { CorruptSessionError, type SessionData } from '@session-stores/core';
import {
  COMPARE_AND_SET,
  isWrongType,
  replyNumber,
  replyText,
  ScriptReply,
  sha1Hex,
} from '@session-stores/redis-store/connection';
import { readHeader } from './envelope';
import type { Replica } from './replica';
import { TOUCH_JSON } from './scripts';
import type { SessionCodec } from './session-codec';

/** How often a rewrite retries when the session changed between its read and its write. */
const COMPARE_AND_SET_ATTEMPTS = 3;

/** One touch, as sent to every server. */
export interface TouchRequest {
  readonly sid: string;
  readonly key: string;
  /** The refreshed cookie (undefined: the session has none, only the TTL moves). */
  readonly cookie: unknown;
  /** The cookie as JSON for the server-side edit ('' for none), and its length in bytes. */
  readonly cookieJson: string;
  readonly cookieBytes: string;
  /** The new TTL in ms, or '' for none. */
  readonly ttl: string;
}

/**
 * Touches one server's copy: a new TTL and the refreshed cookie, nothing else, keeping the
 * copy's version (a touch is not a new version of the data, so a stale copy touched on one
 * server never outranks the newest). A missing key or a tombstone is left alone.
 *
 * JSON envelopes are edited on the server in one round trip (TOUCH_JSON). Values the server
 * cannot edit (custom serializer, legacy expredis values) are read, given the new cookie and
 * written back with a compare-and-set, retried if the value changed in between.
 */
export async function touchReplica(
  replica: Replica,
  codec: SessionCodec,
  touch: TouchRequest,
): Promise<void> {
  if (codec.editsOnServer || touch.cookie === undefined) {
    const reply = await replica.script(
      TOUCH_JSON,
      [touch.key],
      [touch.cookieJson, touch.cookieBytes, touch.ttl],
    );
    if (replyNumber(reply) !== ScriptReply.CannotEdit) return;
  }
  await rewriteCookie(replica, codec, touch);
}

async function rewriteCookie(replica: Replica, codec: SessionCodec, touch: TouchRequest): Promise<void> {
  const { sid, key } = touch;
  for (let attempt = 0; attempt < COMPARE_AND_SET_ATTEMPTS; attempt++) {
    const reply = await replica.send(['GET', key]).catch((err: unknown) => {
      if (isWrongType(err)) return null;
      throw err;
    });
    if (reply == null) return;
    const text = replyText(reply);
    let session: SessionData | null;
    try {
      session = await codec.decode(sid, text);
    } catch (err) {
      // touch never rewrites data it cannot read; get reports it.
      if (err instanceof CorruptSessionError) return;
      throw err;
    }
    if (!session) return;
    const next = codec.encode(sid, readHeader(text).version, {
      ...session,
      cookie: touch.cookie,
    } as SessionData);
    const outcome = await replica.script(COMPARE_AND_SET, [key], [sha1Hex(text), next, touch.ttl]);
    if (replyNumber(outcome) !== ScriptReply.Changed) return;
  }
}
