/**
 * The HTTP server process of the `alt-session` scenario (forked by key-read-bench.ts): one
 * app reading ONE key of a big session, either with `@session-stores/alt-session-async`
 * (`await req.session.get(key)`: one hash field) or with express-session + our RedisStore
 * (`req.session[key]` after loading the whole session). The sessions are seeded by the
 * parent; this process only serves them. Both apps use a node-redis 5 client.
 */
import type { Server } from 'node:http';
import express from 'express';
import session from 'express-session';
import { describeError } from './format';
import { closeServer, listenOnLoopback } from './http-listen';
import { COOKIE_NAME } from './http-protocol';
import { type KeyReadChild, type KeyReadParent, type KeyReadStart, READ_KEY } from './key-read-protocol';
import { closeNodeRedis, connectNodeRedis, type NodeRedisClient } from './redis-clients';

/** What a seeded value looks like (the parent makes them). */
interface SeededValue {
  owner?: unknown;
  key?: unknown;
  data?: unknown;
}

/** The part of alt-session-async's `req.session` used here. */
interface AsyncSessionLike {
  readonly id: string;
  get(key: string): Promise<unknown>;
}

/** The middleware of alt-session-async (the options used here). */
type AltSessionFactory = (options: {
  client: unknown;
  secret: string;
  session: { prefix: string; tti: number };
}) => express.RequestHandler & { close(): Promise<void> };

/** The store class of `@session-stores/redis-store`. */
type RedisStoreClass = new (options: {
  client: unknown;
  prefix: string;
}) => session.Store & { close?(): Promise<void> };

let server: Server | undefined;
let client: NodeRedisClient | undefined;
let closeApp: (() => Promise<void>) | undefined;
let handled = 0;
let errors = 0;

function send(message: KeyReadChild): void {
  process.send?.(message);
}

/** Answers the value read: its owner and key (and its data's length), or 401 when there is none. */
function answer(res: express.Response, value: unknown, id: string): void {
  const v = value as SeededValue | null | undefined;
  if (!v || v.owner !== id || v.key !== READ_KEY) {
    res.status(401).json({ error: 'no such session or key' });
    return;
  }
  res.json({ owner: v.owner, key: v.key, dataLength: typeof v.data === 'string' ? v.data.length : -1 });
}

async function start(message: KeyReadStart): Promise<void> {
  client = await connectNodeRedis(message.redisUrl);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (message.app === 'alt-session') {
    const loaded = require('@session-stores/alt-session-async') as AltSessionFactory & {
      altSession?: AltSessionFactory;
    };
    const altSession = loaded.altSession ?? loaded;
    const middleware = altSession({
      client,
      secret: message.secret,
      session: { prefix: message.prefix, tti: message.ttiSeconds },
    });
    closeApp = () => middleware.close();
    app.use(middleware);
    app.get('/read', async (req, res, next) => {
      handled++;
      try {
        const s = (req as unknown as { session: AsyncSessionLike }).session;
        answer(res, await s.get(READ_KEY), s.id);
      } catch (err) {
        next(err);
      }
    });
  } else {
    const loaded = require('@session-stores/redis-store') as { RedisStore: RedisStoreClass };
    const store = new loaded.RedisStore({ client, prefix: message.prefix });
    closeApp = async () => store.close?.();
    app.use(
      session({
        store,
        secret: message.secret,
        name: COOKIE_NAME,
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: message.ttiSeconds * 1000, httpOnly: true },
      }),
    );
    // Unmodified session: express-session does store.get (the whole session), then store.touch.
    app.get('/read', (req, res) => {
      handled++;
      answer(res, (req.session as unknown as Record<string, unknown>)[READ_KEY], req.sessionID);
    });
  }
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (errors++ === 0) console.error(`  key-read-server: first error: ${describeError(err)}`);
    res.status(500).json({ error: 'session error' });
  });
  const listening = await listenOnLoopback(app);
  server = listening.server;
  const { port } = listening;
  send({ type: 'ready', port });
}

async function stop(): Promise<void> {
  await closeServer(server);
  try {
    await closeApp?.();
    if (client) await closeNodeRedis(client);
  } catch (err) {
    console.error(`  key-read-server: close failed: ${describeError(err)}`);
  }
  send({ type: 'stopped' });
  process.disconnect?.();
}

process.on('message', (message: KeyReadParent) => {
  if (message.type === 'start') {
    start(message).catch((err: unknown) => {
      send({ type: 'error', message: describeError(err) });
    });
  } else if (message.type === 'count?') {
    send({ type: 'count', handled, errors });
  } else if (message.type === 'stop') {
    void stop();
  }
});

process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 100).unref();
});
