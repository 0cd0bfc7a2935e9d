/**
 * One of the two app processes of the `stale-read` scenario (forked by stale-read-bench.ts):
 * express + express-session on our RedisStore with `clientCache` and `touchMargin` on, over
 * the run's Redis. `POST /write?value=N` stores N in the session; `GET /read` answers it.
 */
import type { Server } from 'node:http';
import type { Store } from 'express-session';
import { describeError } from './format';
import { sessionApp } from './http-app';
import { closeServer, listenOnLoopback } from './http-listen';
import { closeNodeRedis, connectNodeRedis, type NodeRedisClient } from './redis-clients';

/** What the parent sends. */
export type StaleReadParentMessage =
  | { type: 'start'; redisUrl: string; prefix: string; secret: string; maxAgeMs: number }
  | { type: 'stop' };
/** What this process answers. */
export type StaleReadChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string; unavailable?: boolean };

type CachingStore = Store & { close(): Promise<void>; readonly clientCacheLive: boolean };

let server: Server | undefined;
let store: CachingStore | undefined;
let client: NodeRedisClient | undefined;

function send(message: StaleReadChildMessage): void {
  process.send?.(message);
}

async function start(message: Extract<StaleReadParentMessage, { type: 'start' }>): Promise<void> {
  const { RedisStore } = require('@session-stores/redis-store') as {
    RedisStore: new (options: Record<string, unknown>) => CachingStore;
  };
  client = await connectNodeRedis(message.redisUrl);
  store = new RedisStore({
    client,
    prefix: message.prefix,
    touchMargin: 0.1,
    clientCache: { maxAgeMs: message.maxAgeMs },
  });
  const deadline = Date.now() + 10_000;
  while (!store.clientCacheLive) {
    if (Date.now() > deadline) throw new Error('the client cache did not go live within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const app = sessionApp(store, message.secret, 86_400_000);
  app.post('/login', (req, res) => {
    Object.assign(req.session, { value: 0 });
    res.json({ id: req.sessionID });
  });
  app.post('/write', (req, res) => {
    Object.assign(req.session, { value: Number(req.query.value) });
    res.json({ value: (req.session as unknown as { value: number }).value });
  });
  app.get('/read', (req, res) => {
    res.json({ value: (req.session as unknown as { value?: number }).value ?? null });
  });
  const listening = await listenOnLoopback(app);
  server = listening.server;
  send({ type: 'ready', port: listening.port });
}

async function stop(): Promise<void> {
  await closeServer(server);
  await store?.close().catch(() => undefined);
  if (client) await closeNodeRedis(client).catch(() => undefined);
  send({ type: 'stopped' });
  process.disconnect?.();
}

process.on('message', (message: StaleReadParentMessage) => {
  if (message.type === 'start') {
    start(message).catch((err: unknown) => send({ type: 'error', message: describeError(err) }));
  } else if (message.type === 'stop') {
    void stop();
  }
});
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 100).unref();
});
