import { randomBytes } from 'node:crypto';

/** 24 random bytes = 192 bits from the OS CSPRNG (alt-session used Math.random). */
const ID_BYTES = 24;

/** The exact shape of an id this package issues: base64url (no padding) of {@link ID_BYTES} bytes. */
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** A new session id: 32 base64url characters carrying 192 bits from `crypto.randomBytes`. */
export function generateSessionId(): string {
  return randomBytes(ID_BYTES).toString('base64url');
}

/**
 * Whether `value` has the shape of an id this package issues. Anything else (alt-session's
 * Math.random ids, `false` from a failed signature, junk) never reaches Redis.
 */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
