// The demo app: a visit counter, a login that stores a name, logout, "new session id",
// and a live list of every session in the store with a button to end any of them.
const path = require('node:path');
const express = require('express');
const session = require('express-session');
const { renderErrorPage, renderPage } = require('./page');
const { watchOperations } = require('./operation-stats');
const { describeSessions } = require('./session-list');

/** The session cookie's name; logout clears it under the same name and path. */
const COOKIE_NAME = 'demo.sid';

/** Sessions last 30 minutes after the last request, so the list shows them counting down. */
const DEFAULT_MAX_AGE_MS = 30 * 60 * 1000;

/**
 * Builds the demo app around a session store.
 * @param {import('@session-stores/core').SessionStore} store the store sessions live in
 * @param {{ storeName: string, packageName?: string, detail?: string, secret: string, maxAgeMs?: number }} info
 *   what the page shows about the store, and the cookie settings
 */
function createApp(store, info) {
  if (!info || !info.secret) throw new Error('createApp: info.secret is required');
  const storeInfo = {
    name: info.storeName,
    packageName: info.packageName ?? '',
    className: store.constructor.name,
    detail: info.detail ?? '',
    // The static manifest of the store's class: what the conformance kit checked.
    capabilities: store.constructor.capabilities,
  };

  // Live counts and latencies of the store's operations, from the store channels.
  const operations = watchOperations(store);

  const app = express();
  app.disable('x-powered-by');
  // Stops watching; the watcher also stops by itself once the store is closed.
  app.locals.stopWatchingOperations = operations.stop;
  app.use((_req, res, next) => {
    // Everything the page loads comes from here; no inline script, no framing.
    res.set({
      'Content-Security-Policy':
        "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });
  app.use(express.static(path.join(__dirname, 'public'), { index: false }));
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(
    session({
      name: COOKIE_NAME,
      store,
      secret: info.secret,
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: info.maxAgeMs ?? DEFAULT_MAX_AGE_MS, httpOnly: true, sameSite: 'lax' },
    }),
  );

  app.get('/', async (req, res, next) => {
    try {
      req.session.visits = (req.session.visits ?? 0) + 1;
      // Saved before listing, so the list the page shows includes this very session.
      await new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
      const list = await describeSessions(store, req.sessionID);
      const yours = await sessionsOfUser(store, req.session.user);
      res.type('html').send(
        renderPage({
          store: storeInfo,
          sessionId: req.sessionID,
          user: req.session.user,
          visits: req.session.visits,
          list,
          yours,
          operations: operations.snapshot(),
        }),
      );
    } catch (err) {
      next(err);
    }
  });

  // Logging in regenerates the session id, so an id planted before login (session fixation) is worthless.
  app.post('/login', (req, res, next) => {
    const name = String(req.body?.name ?? '')
      .trim()
      .slice(0, 64);
    if (!name) return res.redirect(303, '/');
    const { visits } = req.session;
    req.session.regenerate((err) => {
      if (err) return next(err);
      Object.assign(req.session, { user: name, visits });
      res.redirect(303, '/');
    });
  });

  app.post('/regenerate', (req, res, next) => {
    const { user, visits } = req.session;
    req.session.regenerate((err) => {
      if (err) return next(err);
      Object.assign(req.session, { user, visits });
      res.redirect(303, '/');
    });
  });

  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(COOKIE_NAME, { path: '/' }).redirect(303, '/');
    });
  });

  // "Log out everywhere else": ends every other session of the signed-in user, e.g. after a
  // password change. Their cookies then read as logged out on their next request.
  app.post('/logout-everywhere-else', async (req, res, next) => {
    try {
      const { user } = req.session;
      if (typeof user === 'string' && user) await store.destroyAllOf(user, { except: req.sessionID });
      res.redirect(303, '/');
    } catch (err) {
      next(err);
    }
  });

  // Polled by the page about once a second. `current` lets a page notice that its own
  // session was ended elsewhere: it then reloads and shows a fresh session.
  app.get('/sessions.json', async (req, res, next) => {
    try {
      const list = await describeSessions(store, req.sessionID);
      res.json({
        store: { name: storeInfo.name, className: storeInfo.className },
        current: req.sessionID,
        ...list,
        operations: operations.snapshot(),
      });
    } catch (err) {
      next(err);
    }
  });

  // Ends any session in the store. The page calls it with fetch (204) or, without
  // JavaScript, as a plain form post (303 back to the page).
  app.post('/sessions/:id/destroy', async (req, res, next) => {
    try {
      await store.destroy(req.params.id);
      if (req.accepts(['html', 'json']) === 'json') res.status(204).end();
      else res.redirect(303, '/');
    } catch (err) {
      next(err);
    }
  });

  app.use((err, req, res, _next) => {
    const status = err?.code === 'ERR_BACKEND_UNAVAILABLE' ? 503 : 500;
    const message = `${err?.code ? `${err.code}: ` : ''}${err?.message ?? String(err)}`;
    if (req.path.endsWith('.json') || req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ error: message });
    } else {
      res.status(status).type('html').send(renderErrorPage(status, message));
    }
  });
  return app;
}

/**
 * The signed-in user's sessions (ids and expiry), or why there is no such list: the store
 * keeps no user index (its capabilities), or it was built without the `userOf` option.
 * @param {import('@session-stores/core').SessionStore} store
 * @param {unknown} user
 */
async function sessionsOfUser(store, user) {
  if (typeof user !== 'string' || !user) return undefined;
  if (!store.constructor.capabilities?.userSessions) {
    return { supported: false, reason: `${store.constructor.name} keeps no per-user index`, sessions: [] };
  }
  try {
    const sessions = await store.sessionsOf(user);
    return { supported: true, sessions: sessions.map(({ id, expires }) => ({ id, expires })) };
  } catch (err) {
    if (err?.code === 'ERR_INVALID_OPTION') return { supported: false, reason: err.message, sessions: [] };
    throw err;
  }
}

module.exports = { COOKIE_NAME, DEFAULT_MAX_AGE_MS, createApp };
