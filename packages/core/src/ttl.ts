import { InvalidOptionError } from './errors';
import { optionalBoolean } from './option-checks';
import type { SessionData } from './session-data';

/** Seconds in a day: the TTL of a session whose cookie carries no expiry. */
export const DEFAULT_TTL_SECONDS = 86_400;

/**
 * The `ttl` option: a number of seconds used when the cookie has no expiry, or a
 * function returning seconds, which wins over the cookie.
 */
export type TtlOption = number | ((session: SessionData) => number);

/** The options that decide how long a stored session lives. */
export interface TtlSettings {
  /** See {@link TtlOption}. Default {@link DEFAULT_TTL_SECONDS}. `0` is rejected: use `disableTTL`. */
  ttl?: TtlOption | undefined;
  /** Store sessions with no expiry at all. A cookie that has already expired is still deleted. */
  disableTTL?: boolean | undefined;
}

/** How long to keep a session that is being written. */
export type WriteTtl =
  /**
   * Expire after `ms` milliseconds; `seconds` is the same rounded up, for backends with whole-second TTLs;
   * `at` is that moment as epoch milliseconds, for backends that store an absolute expiry (read once, so
   * the stored expiry equals the cookie's even when the machine is slow between resolving and writing).
   */
  | { readonly kind: 'expire'; readonly ms: number; readonly seconds: number; readonly at: number }
  /** Keep until deleted. */
  | { readonly kind: 'never' };

/** The outcome of the TTL rule: keep for a while, keep forever, or delete now. */
export type ResolvedTtl = WriteTtl | { readonly kind: 'expired' };

/**
 * Checks the `ttl` / `disableTTL` options once, at construction.
 * @throws InvalidOptionError naming the option at fault.
 */
export function validateTtlSettings(settings: TtlSettings): void {
  const { ttl, disableTTL } = settings;
  optionalBoolean(disableTTL, 'disableTTL', describe);
  if (ttl === undefined || typeof ttl === 'function') return;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl)) {
    throw new InvalidOptionError('ttl', `expected a number of seconds or a function, got ${describe(ttl)}`);
  }
  if (ttl <= 0) {
    throw new InvalidOptionError(
      'ttl',
      `must be greater than 0 seconds, got ${ttl}; use disableTTL: true for sessions that never expire`,
    );
  }
}

/**
 * The one TTL rule every store follows, in order:
 * 1. `disableTTL` → never expires (but an already expired cookie → delete);
 * 2. `ttl` function → its result in seconds;
 * 3. `cookie.expires` (a Date or an ISO string) → time left until then;
 * 4. `cookie.maxAge` (milliseconds) → that;
 * 5. the `ttl` number, else 86,400 s.
 * A result of zero or less means the session has expired and is deleted instead of written.
 */
export function resolveTtl(
  session: SessionData,
  settings: TtlSettings,
  now: number = Date.now(),
): ResolvedTtl {
  const cookieMs = cookieRemainingMs(session, now);
  if (settings.disableTTL) {
    return cookieMs !== undefined && cookieMs <= 0 ? { kind: 'expired' } : { kind: 'never' };
  }
  const { ttl } = settings;
  if (typeof ttl === 'function') {
    const seconds = ttl(session);
    if (typeof seconds !== 'number' || Number.isNaN(seconds)) {
      throw new InvalidOptionError('ttl', `the ttl function returned ${describe(seconds)}, expected seconds`);
    }
    return fromMs(seconds * 1000, now);
  }
  if (cookieMs !== undefined) return fromMs(cookieMs, now);
  return fromMs((ttl ?? DEFAULT_TTL_SECONDS) * 1000, now);
}

function fromMs(ms: number, now: number): ResolvedTtl {
  if (ms === Number.POSITIVE_INFINITY) return { kind: 'never' };
  if (!(ms > 0)) return { kind: 'expired' };
  const whole = Math.ceil(ms);
  return { kind: 'expire', ms: whole, seconds: Math.ceil(whole / 1000), at: now + whole };
}

/** Milliseconds until the session's cookie expires, or undefined when it sets no expiry. */
function cookieRemainingMs(session: SessionData, now: number): number | undefined {
  const cookie = (session as { cookie?: { expires?: unknown; maxAge?: unknown } }).cookie;
  if (cookie === null || typeof cookie !== 'object') return undefined;
  const { expires } = cookie;
  if (expires instanceof Date || typeof expires === 'string') {
    const at = new Date(expires).getTime();
    if (!Number.isNaN(at)) return at - now;
  }
  const { maxAge } = cookie;
  return typeof maxAge === 'number' && Number.isFinite(maxAge) ? maxAge : undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}
