import expressSession, { type SessionData } from 'express-session';

const DAY_MS = 86_400_000;

/** One expiry for every answer: a day after the process started, so no session is ever expired. */
const EXPIRES = new Date(Date.now() + DAY_MS).toISOString();

/**
 * Issue 18's ceiling: a store that costs nothing. `get` calls back at once (synchronously) with
 * a fixed session owned by the id asked for, so the benchmark's routes accept it; `set`,
 * `touch` and `destroy` do nothing. Whatever express-session, express and the HTTP stack cost
 * is all that is left, so no store can serve more requests per second under express-session.
 */
export class ZeroCostStore extends expressSession.Store {
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    // A new object per call: express-session replaces its cookie with a Cookie instance.
    callback(null, {
      cookie: { originalMaxAge: DAY_MS, expires: EXPIRES, httpOnly: true, path: '/' },
      owner: sid,
      hits: 0,
    } as unknown as SessionData);
  }

  override set(_sid: string, _session: SessionData, callback?: (err?: unknown) => void): void {
    callback?.();
  }

  override touch(_sid: string, _session: SessionData, callback?: () => void): void {
    callback?.();
  }

  override destroy(_sid: string, callback?: (err?: unknown) => void): void {
    callback?.();
  }
}
