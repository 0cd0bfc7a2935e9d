// Deliberately broken plain express-session stores, each with one bug found in published
// stores. The kit's self-test checks that the group guarding that promise catches it.
import type session from 'express-session';
import { later, PlainMapStore, type PlainRecord } from './plain-map-store';

type Callback = (err?: unknown, value?: unknown) => void;

/** Calls set's callback twice: once before the write and once after (an early "ok" left in). */
export class DoubleCallbackStore extends PlainMapStore {
  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    callback?.();
    super.set(sid, sess, callback);
  }
}

/** Stores every session with the store's default lifetime, whatever the cookie says. */
export class IgnoresTtlStore extends PlainMapStore {
  override expiresAt(): number | null {
    return Date.now() + 86_400_000;
  }
}

/** touch() writes the cookie whether or not the session exists, so it brings a destroyed one back. */
export class TouchRecreatesStore extends PlainMapStore {
  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    later(() => {
      const record = this.database.get(this.prefix + sid);
      const stored = record ? JSON.parse(record.text) : { ...sess };
      stored.cookie = sess.cookie;
      this.database.set(this.prefix + sid, { text: JSON.stringify(stored), expiresAt: this.expiresAt(sess) });
      callback?.();
    });
  }
}

/**
 * Keeps the expiry in whole seconds, as SQL stores do in an integer column, but adds the
 * cookie's maxAge to it as if it were seconds too: it is milliseconds, so a session whose
 * cookie lasts 1.5 s lives 25 minutes.
 */
export class MaxAgeAsSecondsStore extends PlainMapStore {
  override expiresAt(sess: session.SessionData): number | null {
    const maxAge = (sess.cookie as { maxAge?: number | null }).maxAge ?? 86_400_000;
    const expiresInSeconds = Math.floor(Date.now() / 1000) + maxAge; // maxAge is in ms
    return expiresInSeconds * 1000;
  }
}

/** clear() deletes every key of the database, not only its prefix (a FLUSHDB or a DELETE without WHERE). */
export class ClearsOtherPrefixesStore extends PlainMapStore {
  override clear(callback?: Callback): void {
    later(() => {
      this.database.clear();
      callback?.();
    });
  }
}

/**
 * Keeps all sessions in one document (a JSON file, one row) and saves by read-modify-write:
 * two saves at once each write back what they read, and one of them is lost.
 */
export class LostWritesStore extends PlainMapStore {
  private document(): Record<string, PlainRecord> {
    const record = this.database.get(`${this.prefix}__all`);
    return record ? JSON.parse(record.text) : {};
  }

  override get(sid: string, callback: Callback): void {
    later(() => {
      const record = this.document()[sid];
      callback(null, this.isLive(record) ? JSON.parse(record.text) : null);
    });
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    later(() => {
      const document = this.document();
      document[sid] = { text: JSON.stringify(sess), expiresAt: this.expiresAt(sess) };
      // The write lands a moment after the read, as a file write does.
      setTimeout(() => {
        this.database.set(`${this.prefix}__all`, { text: JSON.stringify(document), expiresAt: null });
        callback?.();
      }, 1);
    });
  }
}
