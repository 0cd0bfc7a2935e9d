import { createHmac } from 'node:crypto';
import { COOKIE_NAME } from './http-protocol';

/**
 * The `Cookie` header a browser would send for session `id`: express-session's signed
 * value (`s:` + id + `.` + HMAC-SHA256 in unpadded base64, as cookie-signature makes it),
 * URI-encoded as the `cookie` module serialises it.
 */
export function sessionCookieHeader(id: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
  return `${COOKIE_NAME}=${encodeURIComponent(`s:${id}.${mac}`)}`;
}
