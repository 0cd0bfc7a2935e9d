import type { SessionData as ExpressSessionData } from 'express-session';

/**
 * A session as express-session hands it to a store: the app's own fields plus the
 * `cookie`. Stores also accept sessions without a cookie (other frameworks send those).
 */
export type SessionData = ExpressSessionData;

/** A session as `all()` returns it: the stored data plus its `id`. */
export type SessionWithId = SessionData & { id: string };
