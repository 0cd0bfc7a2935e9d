import { escapeUserName, type UserLink, type WriteTtl } from '@session-stores/core';

/**
 * Follows the prefix in the key of a user's index (`sess:#user:<escaped user>`): no
 * express-session id contains `#`, and enumeration leaves keys starting so out.
 */
export const USER_INDEX_MARK = '#user:';

/** The key of a user's index: under the prefix, the user name escaped (no glob, colon or brace). */
export function userIndexKey(prefix: string, user: string): string {
  return `${prefix}${USER_INDEX_MARK}${escapeUserName(user)}`;
}

/** The user index side of one write, as the scripts take it (see `INDEX_SESSION`). */
export interface UserIndexPlan {
  /** The index keys, after the session key: the user's, then the former user's. */
  readonly keys: string[];
  /** Which keys follow: `u` the user's, `f` the former user's. */
  readonly which: string;
  /** The session's expiry as the index scores it: epoch ms, or 'inf'. */
  readonly score: string;
  /** Now, epoch ms: entries scored at or before it are dropped. */
  readonly now: string;
}

/** The session's expiry as a user index scores it. */
export function indexScore(ttl: WriteTtl): string {
  return ttl.kind === 'expire' ? String(ttl.at) : 'inf';
}

/** The index keys and arguments of a write that `link` describes, for a store of `prefix`. */
export function userIndexPlan(prefix: string, ttl: WriteTtl, link: UserLink): UserIndexPlan {
  const keys: string[] = [];
  let which = '';
  if (link.user !== undefined) {
    keys.push(userIndexKey(prefix, link.user));
    which += 'u';
  }
  if (link.formerUser !== undefined) {
    keys.push(userIndexKey(prefix, link.formerUser));
    which += 'f';
  }
  return { keys, which, score: indexScore(ttl), now: String(Date.now()) };
}

/** The link when a write changes an index, else `undefined` (a session of nobody, before and after: a plain write). */
export function indexChange(link: UserLink | undefined): UserLink | undefined {
  return link && (link.user !== undefined || link.formerUser !== undefined) ? link : undefined;
}
