import express from 'express';
import session, { type Store } from 'express-session';
import { COOKIE_NAME } from './http-protocol';

/**
 * An express 5 app with express-session on `store` as the benchmark runs it everywhere:
 * `resave: false`, `saveUninitialized: false`, cookie {@link COOKIE_NAME} signed with
 * `secret`, `maxAge` `maxAgeMs`, no `x-powered-by` and no ETag. Routes are the caller's.
 */
export function sessionApp(store: Store, secret: string, maxAgeMs: number): express.Express {
  const app = plainApp();
  app.use(
    session({
      store,
      secret,
      name: COOKIE_NAME,
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: maxAgeMs, httpOnly: true },
    }),
  );
  return app;
}

/** The same express 5 app without express-session: no `x-powered-by`, no ETag, no routes. */
export function plainApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  return app;
}
