import type { IncomingMessage } from 'node:http';
import { parse, serialize } from 'cookie';
import { sign, unsign } from 'cookie-signature';
import { isSessionId } from './session-id';
import type { CookieSettings } from './session-settings';

/** What cookie-parser leaves on the request when it ran before this middleware. */
interface CookieParserFields {
  signedCookies?: Record<string, unknown>;
  secret?: string;
}

/** The session cookie a request carried. */
export interface IncomingCookie {
  /** The id, when one of the secrets verifies the signature and the id has the shape we issue. */
  readonly id: string | undefined;
  /** Whether a cookie of this name came at all, valid or not: `invalidate()` must clear it. */
  readonly present: boolean;
}

/** Express's signed-cookie format (`s:` + value + HMAC), so cookie-parser reads ours and we read its. */
const SIGNED = 's:';

function verify(value: string, secrets: readonly string[]): string | undefined {
  if (!value.startsWith(SIGNED)) return undefined;
  for (const secret of secrets) {
    const id = unsign(value.slice(SIGNED.length), secret);
    if (id !== false) return id;
  }
  return undefined;
}

/**
 * Reads the session id from the request's own Cookie header, so cookie-parser is not needed.
 * When cookie-parser ran first with one of our secrets, its verified `req.signedCookies` is
 * accepted too. A bad signature, an unsigned value or an id of the wrong shape gives no id:
 * the request starts a new session (alt-session instead used `false` as the id).
 */
export function readSessionCookie(
  req: IncomingMessage,
  cookie: CookieSettings,
  secrets: readonly string[],
): IncomingCookie {
  const header = req.headers.cookie;
  const raw = typeof header === 'string' && header !== '' ? parse(header)[cookie.name] : undefined;
  let id = raw === undefined ? undefined : verify(raw, secrets);
  if (id === undefined) {
    const parsed = req as IncomingMessage & CookieParserFields;
    const fromParser = parsed.signedCookies?.[cookie.name];
    if (typeof fromParser === 'string' && parsed.secret !== undefined && secrets.includes(parsed.secret)) {
      id = fromParser;
    }
  }
  return { id: isSessionId(id) ? id : undefined, present: raw !== undefined || id !== undefined };
}

function attributes(cookie: CookieSettings) {
  return {
    path: cookie.path,
    domain: cookie.domain,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
  };
}

/** The Set-Cookie value carrying `id`, signed with the first secret. */
export function sessionCookieHeader(id: string, cookie: CookieSettings, secret: string): string {
  return serialize(cookie.name, SIGNED + sign(id, secret), {
    ...attributes(cookie),
    ...(cookie.maxAgeSeconds === undefined ? {} : { maxAge: cookie.maxAgeSeconds }),
  });
}

/**
 * The Set-Cookie value deleting the cookie. It repeats the name, path and domain the cookie
 * was set with: a browser only replaces a cookie when all three match (alt-session left them out).
 */
export function clearingCookieHeader(cookie: CookieSettings): string {
  return serialize(cookie.name, '', { ...attributes(cookie), expires: new Date(0) });
}
