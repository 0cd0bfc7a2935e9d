import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError } from '@session-stores/core';
import type { AsyncSession } from './async-session';
import { appendSetCookie, beforeHeaders } from './response-headers';
import { cookieChange, Session } from './session';
import type { SessionBackend } from './session-backend';
import { clearingCookieHeader, readSessionCookie, sessionCookieHeader } from './session-cookie';
import type { SessionSettings } from './session-settings';

/** A connect/Express middleware: `(req, res, next)`. */
export type AltSessionHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * A request after the middleware ran: `req.session` is the {@link AsyncSession}. `Request`
 * is the request type of your framework, so that a cast from it compiles:
 * `(req as AltSessionRequest<typeof req>).session` in an Express route (Express's `Request`
 * has no `session`, so a plain `IncomingMessage` subtype is not comparable to it).
 */
export type AltSessionRequest<Request extends IncomingMessage = IncomingMessage> = Request & {
  session: AsyncSession;
};

/**
 * The per-request part, shared by the Redis middleware and its in-memory double: reads and
 * verifies the cookie (no I/O), puts a lazy {@link Session} on `req.session`, and decides
 * the Set-Cookie header when the response's headers go out.
 */
export function sessionHandler(backend: SessionBackend, settings: SessionSettings): AltSessionHandler {
  const { cookie, secrets } = settings;
  const rolling = cookie.maxAgeSeconds !== undefined;
  const signingSecret = secrets[0] as string;
  return function altSessionMiddleware(req, res, next) {
    const holder = req as IncomingMessage & { session?: unknown };
    // Mounted twice (app and router): the first one already did the work.
    if (holder.session instanceof Session) return next();
    if (holder.session !== undefined) {
      return next(
        new InvalidArgumentError(
          'req.session',
          'is already set by another session middleware (express-session?); use one per route',
        ),
      );
    }
    const incoming = readSessionCookie(req, cookie, secrets);
    const session = new Session(backend, { id: incoming.id, cookiePresent: incoming.present });
    holder.session = session;
    beforeHeaders(res, () => {
      const change = session[cookieChange](rolling);
      if (change === undefined) return;
      appendSetCookie(
        res,
        change === 'clear'
          ? clearingCookieHeader(cookie)
          : sessionCookieHeader(change.set, cookie, signingSecret),
      );
    });
    next();
  };
}
