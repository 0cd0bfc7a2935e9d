import { InvalidArgumentError, InvalidOptionError, UserOfError } from './errors';
import { optionalInteger } from './option-checks';
import type { SessionData } from './session-data';

/**
 * The `userOf` option: names the user a session belongs to, or `undefined` for a session
 * of nobody (not logged in). With Passport: `(session) => session.passport?.user`, made a
 * string where user ids are numbers.
 */
export type UserOf = (session: SessionData) => string | undefined;

/** The per-user options every store accepts where its capabilities declare `userSessions`. */
export interface UserIndexOptions {
  /**
   * Names the user of a session, so the store keeps an index from each user to their
   * sessions (`sessionsOf`, `destroyAllOf`, `maxSessionsPerUser`). Default none: nothing
   * extra is computed or written.
   */
  userOf?: UserOf | undefined;
  /**
   * At most this many sessions per user: saving a user's session beyond it ends that user's
   * sessions whose cookies expire first (the least recently used ones, as express-session
   * renews the cookie on each request). Needs `userOf`. Default none (unbounded).
   */
  maxSessionsPerUser?: number | undefined;
}

/** The per-user settings of a store, validated. */
export interface UserIndexSettings {
  readonly userOf: UserOf;
  readonly maxSessionsPerUser: number | undefined;
}

/** One live session of a user, as `sessionsOf()` lists it. */
export interface UserSession {
  /** The session id. */
  readonly id: string;
  /** The stored session. */
  readonly session: SessionData;
  /** When its cookie expires, or `null` for a browser-session cookie (no expiry set). */
  readonly expires: Date | null;
}

/** Options of `destroyAllOf()`. */
export interface DestroyAllOfOptions {
  /** A session id, or ids, to keep (typically the current request's `req.sessionID`). */
  except?: string | readonly string[] | undefined;
}

/**
 * How a write changes the user index. The backend files the id under `user` (when set) and
 * removes it from `formerUser`'s index (when set), in the same step as the write where it can.
 */
export interface UserLink {
  /** The user the written session belongs to, or `undefined` for nobody. */
  readonly user: string | undefined;
  /** The user the stored copy belonged to when it was loaded, when known and not `user`. */
  readonly formerUser: string | undefined;
}

/** The largest `maxSessionsPerUser` accepted. */
const MAX_SESSIONS_PER_USER = 1_000_000;

/**
 * Checks `userOf` and `maxSessionsPerUser` once, at construction.
 * @param supported whether the store class declares `userSessions`.
 * @param storeName for the message when it does not.
 * @throws InvalidOptionError naming the option at fault.
 */
export function validateUserIndexOptions(
  options: UserIndexOptions,
  supported: boolean,
  storeName: string,
): UserIndexSettings | undefined {
  const { userOf } = options;
  const maxSessionsPerUser = optionalInteger(
    options.maxSessionsPerUser,
    'maxSessionsPerUser',
    1,
    MAX_SESSIONS_PER_USER,
  );
  if (userOf === undefined) {
    if (maxSessionsPerUser !== undefined) {
      throw new InvalidOptionError('maxSessionsPerUser', 'needs the userOf option, which names the users');
    }
    return undefined;
  }
  if (typeof userOf !== 'function') {
    throw new InvalidOptionError(
      'userOf',
      `expected a function (session) => string | undefined, got ${typeof userOf}`,
    );
  }
  if (!supported) {
    throw new InvalidOptionError(
      'userOf',
      `${storeName} keeps no per-user index (its capabilities declare no userSessions)`,
    );
  }
  return { userOf, maxSessionsPerUser };
}

/**
 * The user of a session, by the `userOf` option.
 * @throws UserOfError when the function throws or returns anything but a non-empty string or `undefined`.
 */
export function userOfSession(userOf: UserOf, sid: string, session: SessionData): string | undefined {
  let user: unknown;
  try {
    user = userOf(session);
  } catch (cause) {
    throw new UserOfError(sid, 'threw', cause);
  }
  if (user === undefined) return undefined;
  if (typeof user !== 'string' || user === '') {
    const got = typeof user === 'string' ? 'an empty string' : user === null ? 'null' : `a ${typeof user}`;
    throw new UserOfError(sid, `returned ${got}, expected a non-empty string or undefined`);
  }
  return user;
}

/** The user of a session, or `undefined` when `userOf` fails on it (for reads, which must not fail on it). */
export function userOfOrUnknown(userOf: UserOf, session: SessionData): string | undefined {
  try {
    const user = userOf(session);
    return typeof user === 'string' && user !== '' ? user : undefined;
  } catch {
    return undefined;
  }
}

/** Checks a `user` argument. */
export function checkUser(user: unknown): asserts user is string {
  if (typeof user !== 'string' || user === '') {
    throw new InvalidArgumentError('user', 'expected a non-empty string');
  }
}

/** The ids of `destroyAllOf`'s `except`, checked. */
export function exceptIds(options: unknown): ReadonlySet<string> {
  if (options === undefined || options === null) return new Set();
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError('options', 'expected an object such as { except: req.sessionID }');
  }
  const { except } = options as DestroyAllOfOptions;
  if (except === undefined) return new Set();
  const ids = typeof except === 'string' ? [except] : except;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== '')) {
    throw new InvalidArgumentError('options.except', 'expected a session id or an array of session ids');
  }
  return new Set(ids);
}

/** The cookie's expiry of a stored session, or `null` when it sets none. */
export function cookieExpiry(session: SessionData): Date | null {
  const expires = (session as { cookie?: { expires?: unknown } }).cookie?.expires;
  if (expires instanceof Date || typeof expires === 'string' || typeof expires === 'number') {
    const at = new Date(expires);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return null;
}

/**
 * A user name made safe for any key: ASCII letters, digits, `-`, `_` and `.` stay; every
 * other UTF-16 code unit becomes `%XXXX`. Injective (so two users never share a key) and
 * free of glob characters, colons, braces (Redis Cluster hash tags) and spaces.
 */
export function escapeUserName(user: string): string {
  return user.replace(/[^A-Za-z0-9._-]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
