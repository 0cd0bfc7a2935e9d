// The demo app: a visit counter, a login that stores a name, logout and "new session id".
const express = require('express');
const session = require('express-session');
const { renderPage } = require('./page');

/**
 * Builds the demo app around a session store.
 * @param {import('express-session').Store} store the store sessions live in
 * @param {{ storeName: string, secret?: string }} info shown on the page
 */
function createApp(store, info) {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      store,
      secret: info.secret ?? 'demo-secret-change-me',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 30 * 60 * 1000, httpOnly: true, sameSite: 'lax' },
    }),
  );

  app.get('/', (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1;
    res.type('html').send(
      renderPage({
        storeName: info.storeName,
        sessionId: req.sessionID,
        user: req.session.user,
        visits: req.session.visits,
      }),
    );
  });
  app.post('/login', (req, res) => {
    const name = String(req.body.name ?? '')
      .trim()
      .slice(0, 64);
    if (name) req.session.user = name;
    res.redirect(303, '/');
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
    req.session.destroy((err) => (err ? next(err) : res.clearCookie('connect.sid').redirect(303, '/')));
  });
  return app;
}

module.exports = { createApp };
