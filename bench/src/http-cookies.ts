import { createHmac } from 'node:crypto';
import { COOKIE_NAME } from './http-protocol';

/**
 * The `Cookie` header a browser would send for a cookie `name` holding the signed session
 * `id`: `s:` + id + `.` + HMAC-SHA256 in unpadded base64 (cookie-signature's `sign`, which
 * express-session and alt-session-async both use), URI-encoded as the `cookie` module
 * serialises it.
 */
export function signedCookieHeader(name: string, id: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
  return `${name}=${encodeURIComponent(`s:${id}.${mac}`)}`;
}

/** The `Cookie` header of express-session's signed session cookie for `id` (name {@link COOKIE_NAME}). */
export function sessionCookieHeader(id: string, secret: string): string {
  return signedCookieHeader(COOKIE_NAME, id, secret);
}
