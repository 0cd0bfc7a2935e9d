import type fastifyCookie from '@fastify/cookie';
import type fastifySession from '@fastify/session';
import type Fastify from 'fastify';
import type supertest from 'supertest';
import { expect } from '../expect';
import { field, needsModules, storeForFrameworks } from '../fixtures';
import { httpModule } from '../http-modules';
import type { ConformanceGroup } from '../types';

/** The same store serves @fastify/session, which speaks the same Store contract. */
export const fastifyFlowGroup: ConformanceGroup = {
  name: 'fastify + @fastify/session',
  cases: [
    {
      name: 'login, read back and logout through @fastify/session',
      unsupported: needsModules('fastify', '@fastify/session', '@fastify/cookie', 'supertest'),
      async run({ store }) {
        const s = await store();
        const request = httpModule<typeof supertest>('supertest');
        const app = httpModule<typeof Fastify>('fastify')();
        try {
          await app.register(httpModule<typeof fastifyCookie>('@fastify/cookie'));
          await app.register(httpModule<typeof fastifySession>('@fastify/session'), {
            secret: 'a-conformance-kit-secret-of-at-least-32-chars',
            store: storeForFrameworks(s) as never,
            saveUninitialized: false,
            cookie: { secure: false, maxAge: 60_000 },
          });
          app.post('/login', async (req) => {
            req.session.set('user' as never, 'alice' as never);
            await req.session.save();
            return { id: req.session.sessionId };
          });
          app.get('/me', async (req) => ({ user: req.session.get('user' as never) ?? null }));
          app.post('/logout', async (req) => {
            await req.session.destroy();
            return { ok: true };
          });
          await app.ready();
          // Over a real socket: fastify's inject() needs an ESM-only dependency jest cannot load on Node 20.
          const agent = request.agent(app.server);
          const login = await agent.post('/login').expect(200);
          const id = login.body.id as string;
          expect(String(login.headers['set-cookie'])).toMatch(/^sessionId=/);
          expect(field(await s.get(id), 'user')).toBe('alice');
          expect((await agent.get('/me').expect(200)).body).toEqual({ user: 'alice' });
          await agent.post('/logout').expect(200);
          expect(await s.get(id)).toBeNull();
          expect((await agent.get('/me').expect(200)).body).toEqual({ user: null });
        } finally {
          await app.close();
        }
      },
    },
  ],
};
