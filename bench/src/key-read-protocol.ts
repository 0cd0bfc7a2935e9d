/** Messages between key-read-bench.ts (parent) and key-read-server.ts (child), and shared constants. */

/** The scenario's name on the command line (`--stores alt-session`). */
export const KEY_READ_SCENARIO = 'alt-session';

/** The two apps of the `alt-session` scenario. */
export type KeyReadApp = 'alt-session' | 'redis-store';

/** The key every timed request reads (the 26th of the session's 50). */
export const READ_KEY = 'k25';

/** Parent -> child: build the app on this Redis server and listen. */
export interface KeyReadStart {
  type: 'start';
  app: KeyReadApp;
  redisUrl: string;
  /** alt-session: its `session.prefix` (hash `<prefix>:<id>`); redis-store: its key prefix. */
  prefix: string;
  secret: string;
  /** Idle timeout (alt-session `tti`) and cookie maxAge of express-session, in seconds. */
  ttiSeconds: number;
}

export type KeyReadParent = KeyReadStart | { type: 'count?' } | { type: 'stop' };

export type KeyReadChild =
  | { type: 'ready'; port: number }
  /** Requests that reached the `/read` route so far, and errors passed to the error handler. */
  | { type: 'count'; handled: number; errors: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };
