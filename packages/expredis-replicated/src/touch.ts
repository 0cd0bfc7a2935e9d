import type { SessionData } from '@session-stores/core';
import {
  COMPARE_AND_SET,
  replyNumber,
  rewriteStored,
  ScriptReply,
} from '@session-stores/redis-store/connection';
import { readHeader } from './envelope';
import type { Replica } from './replica';
import { TOUCH_JSON } from './scripts';
import type { SessionCodec } from './session-codec';

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

function rewriteCookie(replica: Replica, codec: SessionCodec, touch: TouchRequest): Promise<void> {
  const { sid, key } = touch;
  return rewriteStored({
    read: () => replica.send(['GET', key]),
    rewrite: async (text) => {
      const session = await codec.decode(sid, text);
      if (!session) return undefined;
      return codec.encode(sid, readHeader(text).version, { ...session, cookie: touch.cookie } as SessionData);
    },
    compareAndSet: (sha, next) => replica.script(COMPARE_AND_SET, [key], [sha, next, touch.ttl]),
  });
}
