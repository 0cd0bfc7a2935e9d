import { runMain } from './round-trip';
import type { SmokeDefinition } from './smoke-definition';

/**
 * JavaScript source (CommonJS and ESM) of `perKeyRoundTrip(altSession, label)`: an
 * express app with the middleware; one request writes a key, the next reads it back
 * with the cookie, a third invalidates the session.
 */
const PER_KEY_ROUND_TRIP = `
async function perKeyRoundTrip(altSession, express, label) {
  const app = express();
  const middleware = altSession({ url: process.env.SMOKE_REDIS_URL, secret: 'release-check-secret',
    session: { prefix: process.env.SMOKE_KEY_PREFIX + label } });
  app.use(middleware);
  app.get('/set', async (req, res) => { await req.session.set('who', { label, at: new Date(0) }); res.json({ id: req.session.id }); });
  app.get('/get', async (req, res) => { const who = await req.session.get('who'); res.json({ who, isDate: who?.at instanceof Date }); });
  app.get('/logout', async (req, res) => { await req.session.invalidate(); res.json({ ok: true }); });
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const base = 'http://127.0.0.1:' + server.address().port;
  try {
    const first = await fetch(base + '/set');
    const cookie = (first.headers.get('set-cookie') || '').split(';')[0];
    if (!cookie.startsWith('sid=')) throw new Error('no session cookie: ' + cookie);
    const read = await (await fetch(base + '/get', { headers: { cookie } })).json();
    if (read.who?.label !== label || !read.isDate) throw new Error('read back ' + JSON.stringify(read));
    await fetch(base + '/logout', { headers: { cookie } });
    const after = await (await fetch(base + '/get', { headers: { cookie } })).json();
    if (after.who != null) throw new Error('session survived invalidate: ' + JSON.stringify(after));
  } finally {
    server.close();
    await middleware.close?.();
  }
}
`;

/** @session-stores/alt-session-async: the middleware factory, per-key API over HTTP against a real redis-server. */
export const altSessionAsyncSmoke: SmokeDefinition = {
  // @types/express: the types script casts an Express request, as the README shows.
  extraInstalls: ['redis', 'express', '@types/express'],
  servers: ['redis'],
  cjs: `'use strict';
const assert = require('node:assert/strict');
const express = require('express');
const altSession = require('@session-stores/alt-session-async');
${PER_KEY_ROUND_TRIP}
assert.equal(typeof altSession, 'function', 'module.exports is the middleware factory');
assert.equal(typeof altSession.altSession, 'function', 'the named export is on module.exports');
${runMain(`async () => {
  await perKeyRoundTrip(altSession, express, 'cjs');
  process.exit(0);
}`)}`,
  esm: `import assert from 'node:assert/strict';
import express from 'express';
import altSession, { altSession as named } from '@session-stores/alt-session-async';
${PER_KEY_ROUND_TRIP}
assert.equal(altSession, named, 'the default export is the middleware factory');
await perKeyRoundTrip(altSession, express, 'esm');
console.log('smoke ok');
process.exit(0);
`,
  types: `import altSession, { type AltSessionOptions, type AltSessionRequest, type AsyncSession } from '@session-stores/alt-session-async';
import express from 'express';

const options: AltSessionOptions = { url: 'redis://127.0.0.1:6379', secret: ['new', 'old'], session: { tti: 300 } };
const middleware = altSession(options);
async function useSession(session: AsyncSession): Promise<unknown> {
  await session.set('k', { n: 1 });
  return session.get('k');
}

// The README's cast, in an Express app: it compiles only when nothing brought
// express-session's types (their global Express.Request.session is another type).
const app = express();
app.get('/me', async (req, res) => {
  res.json(await (req as AltSessionRequest<typeof req>).session.get('user'));
});
app.get('/plain', (req, res) => {
  // @ts-expect-error The package brings no express-session types: Express's Request has no session.
  res.json(req.session);
});

export { app, middleware, useSession };
`,
};
