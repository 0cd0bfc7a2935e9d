import { InvalidOptionError } from './errors';
import type { LoadedSession } from './overlap';
import type { WriteTtl } from './ttl';

/** The largest `touchMargin`: half of a session's lifetime. */
export const MAX_TOUCH_MARGIN = 0.5;

/**
 * Checks the `touchMargin` option: a share of a session's lifetime, from 0 (every touch is
 * written, the default) to {@link MAX_TOUCH_MARGIN}.
 * @throws InvalidOptionError naming `touchMargin`.
 */
export function validateTouchMargin(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TOUCH_MARGIN) {
    throw new InvalidOptionError(
      'touchMargin',
      `expected a share of the session's lifetime from 0 to ${MAX_TOUCH_MARGIN}, got ${typeof value === 'number' ? value : typeof value}`,
    );
  }
  return value;
}

/**
 * The TTL a write gives the backend with a touch margin: the TTL rule's, plus `margin` of it.
 * The session's cookie (and so the stored `cookie.expires`) is untouched: only the server
 * keeps the session that much longer, which is what lets later touches be skipped.
 */
export function withMargin(ttl: WriteTtl, margin: number): WriteTtl {
  if (margin === 0 || ttl.kind !== 'expire') return ttl;
  const ms = ttl.ms + Math.ceil(ttl.ms * margin);
  return { kind: 'expire', ms, seconds: Math.ceil(ms / 1000), at: ttl.at + (ms - ttl.ms) };
}

/**
 * Whether a touch may be skipped: only when the store read, with the session, when the
 * backend will expire it (`expiresAt`), and
 * 1. the backend already keeps it at least until the expiry the touch asks for, so skipping
 *    never makes a session expire earlier than writing would, whoever wrote it last; and
 * 2. the stored `cookie.expires` trails the touch's by at most `margin` of the lifetime (both
 *    absent counts as equal), so what is stored stays close to what the browser holds.
 * @param ttl the TTL rule's result for the touch (without the margin).
 */
export function touchIsCovered(
  loaded: LoadedSession | undefined,
  ttl: WriteTtl,
  margin: number,
  cookieExpiresAt: number | undefined,
): boolean {
  if (margin === 0 || ttl.kind !== 'expire' || loaded?.expiresAt === undefined) return false;
  if (ttl.at > loaded.expiresAt) return false;
  if (cookieExpiresAt === undefined || loaded.cookieExpiresAt === undefined) {
    return cookieExpiresAt === loaded.cookieExpiresAt;
  }
  return cookieExpiresAt - loaded.cookieExpiresAt <= ttl.ms * margin;
}

/** A session's `cookie.expires` in epoch ms, or undefined when it has none (or not a valid one). */
export function cookieExpiry(session: object): number | undefined {
  const cookie = (session as { cookie?: { expires?: unknown } }).cookie;
  const expires = cookie?.expires;
  if (expires === null || expires === undefined) return undefined;
  if (!(expires instanceof Date) && typeof expires !== 'string') return undefined;
  const at = new Date(expires).getTime();
  return Number.isNaN(at) ? undefined : at;
}
