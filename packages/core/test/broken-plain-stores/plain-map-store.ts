// A small, correct plain express-session store, as a store author outside this repository
// would write one: a subclass of express-session's Store, callbacks only, TTL from the
// cookie, no core. The broken stores of the catalogue each change one thing in it.
import session from 'express-session';

// biome-ignore lint/suspicious/noExplicitAny: express-session's own callback types take any value
type Callback = (err?: unknown, value?: any) => void;

/** A stored record: the JSON text and when it expires (epoch ms; null for never). */
export interface PlainRecord {
  text: string;
  expiresAt: number | null;
}

/** The backend: one map shared by every store made from it, as one database server is. */
export type PlainDatabase = Map<string, PlainRecord>;

/** Options of {@link PlainMapStore}. */
export interface PlainMapStoreOptions {
  readonly database: PlainDatabase;
  readonly prefix?: string;
}

/** Backend latency: every callback comes later, as a networked store's does. */
export const later = (fn: () => void): void => {
  setImmediate(fn);
};

/** A correct plain store over a shared map. */
export class PlainMapStore extends session.Store {
  readonly database: PlainDatabase;
  readonly prefix: string;

  constructor(options: PlainMapStoreOptions) {
    super();
    this.database = options.database;
    this.prefix = options.prefix ?? 'sess:';
  }

  /** When a session expires: cookie.expires, else cookie.maxAge, else one day. */
  expiresAt(sess: session.SessionData): number | null {
    const cookie = sess.cookie as { expires?: Date | string | null; maxAge?: number | null } | undefined;
    if (cookie?.expires) return new Date(cookie.expires).getTime();
    if (typeof cookie?.maxAge === 'number') return Date.now() + cookie.maxAge;
    return Date.now() + 86_400_000;
  }

  isLive(record: PlainRecord | undefined): record is PlainRecord {
    return record !== undefined && (record.expiresAt === null || record.expiresAt > Date.now());
  }

  override get(sid: string, callback: Callback): void {
    later(() => {
      const record = this.database.get(this.prefix + sid);
      callback(null, this.isLive(record) ? JSON.parse(record.text) : null);
    });
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    later(() => {
      this.database.set(this.prefix + sid, { text: JSON.stringify(sess), expiresAt: this.expiresAt(sess) });
      callback?.();
    });
  }

  override destroy(sid: string, callback?: Callback): void {
    later(() => {
      this.database.delete(this.prefix + sid);
      callback?.();
    });
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    later(() => {
      const record = this.database.get(this.prefix + sid);
      if (this.isLive(record)) {
        const stored = JSON.parse(record.text);
        stored.cookie = sess.cookie;
        this.database.set(this.prefix + sid, {
          text: JSON.stringify(stored),
          expiresAt: this.expiresAt(sess),
        });
      }
      callback?.();
    });
  }

  /** This store's live keys. */
  ownKeys(): string[] {
    return [...this.database.keys()].filter(
      (key) => key.startsWith(this.prefix) && this.isLive(this.database.get(key)),
    );
  }

  override all(callback: Callback): void {
    later(() => {
      const sessions: Record<string, unknown> = {};
      for (const key of this.ownKeys()) {
        sessions[key.slice(this.prefix.length)] = JSON.parse((this.database.get(key) as PlainRecord).text);
      }
      callback(null, sessions);
    });
  }

  override length(callback: Callback): void {
    later(() => callback(null, this.ownKeys().length));
  }

  override clear(callback?: Callback): void {
    later(() => {
      for (const key of [...this.database.keys()]) if (key.startsWith(this.prefix)) this.database.delete(key);
      callback?.();
    });
  }
}
