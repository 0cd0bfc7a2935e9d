/**
 * The HTTP server process of the end-to-end benchmark (forked by http-bench.ts): an
 * express + express-session app on one subject's store, with `--sessions` sessions
 * loaded. It runs apart from autocannon so the load generator does not share its event loop.
 */
import type { Server } from 'node:http';
import type express from 'express';
import type session from 'express-session';
import {
  type AerospikeTarget,
  type RedisEndpoint,
  type SubjectContext,
  type SubjectInstance,
  SubjectUnavailable,
} from './context';
import { makeItems } from './fixtures';
import { describeError } from './format';
import { plainApp, sessionApp } from './http-app';
import { closeServer, listenOnLoopback } from './http-listen';
import type {
  AerospikeReply,
  AerospikeRequest,
  ChildMessage,
  CouchUrlReply,
  CouchUrlRequest,
  ParentMessage,
  RedisGroupReply,
  RedisGroupRequest,
  RedisUrlReply,
  RedisUrlRequest,
  StartMessage,
} from './http-protocol';
import { runConcurrent } from './load-runner';
import { MemorySampler } from './memory';
import { NO_SESSIONS, subjectNamed } from './subjects';

const DAY_MS = 86_400_000;

let instance: SubjectInstance | undefined;
let server: Server | undefined;
let sampler: MemorySampler | undefined;
let storeErrors = 0;
const redisWaiters: Array<(reply: RedisUrlReply) => void> = [];
const aerospikeWaiters: Array<(reply: AerospikeReply) => void> = [];
const groupWaiters: Array<(reply: RedisGroupReply) => void> = [];
const couchWaiters: Array<(reply: CouchUrlReply) => void> = [];

function send(
  message: ChildMessage | RedisUrlRequest | AerospikeRequest | RedisGroupRequest | CouchUrlRequest,
): void {
  process.send?.(message);
}

/** Asks the parent for the run's CouchDB-API server, which it starts on first use. */
function askCouchUrl(): Promise<string> {
  return new Promise((resolve, reject) => {
    couchWaiters.push((reply) =>
      reply.url ? resolve(reply.url) : reject(new SubjectUnavailable(reply.error)),
    );
    send({ type: 'couch-url?' });
  });
}

/** Asks the parent for the run's Redis server, which it starts on first use. */
function askRedisUrl(): Promise<string> {
  return new Promise((resolve, reject) => {
    redisWaiters.push((reply) =>
      reply.url ? resolve(reply.url) : reject(new SubjectUnavailable(reply.error)),
    );
    send({ type: 'redis-url?' });
  });
}

/** Asks the parent for the run's Aerospike server, which it starts on first use. */
function askAerospike(): Promise<AerospikeTarget> {
  return new Promise((resolve, reject) => {
    aerospikeWaiters.push((reply) =>
      reply.target ? resolve(reply.target) : reject(new SubjectUnavailable(reply.error)),
    );
    send({ type: 'aerospike?' });
  });
}

/** Asks the parent for `count` independent Redis servers, which it starts on first use. */
function askRedisGroup(count: number): Promise<RedisEndpoint[]> {
  return new Promise((resolve, reject) => {
    groupWaiters.push((reply) =>
      reply.servers ? resolve(reply.servers) : reject(new SubjectUnavailable(reply.error)),
    );
    send({ type: 'redis-group?', count });
  });
}

/**
 * Issue 18's first ceiling: the same express app and routes without express-session. The
 * routes answer as the session routes do for a session of `owner` '-', with no store behind them.
 */
function buildPlainApp(): express.Express {
  const app = plainApp();
  let hits = 0;
  app.get('/read', (_req, res) => {
    res.json({ owner: '-', name: undefined, hits });
  });
  app.post('/write', (_req, res) => {
    hits += 1;
    res.json({ owner: '-', hits });
  });
  return app;
}

function buildApp(store: session.Store, secret: string): express.Express {
  const app = sessionApp(store, secret, DAY_MS);
  // Unmodified session: express-session does store.get, then store.touch.
  app.get('/read', (req, res) => {
    const s = req.session;
    if (s.owner !== req.sessionID) {
      res.status(401).json({ error: 'no such session' });
      return;
    }
    res.json({ owner: s.owner, name: s.user?.name, hits: s.hits });
  });
  // Modified session: store.get, then store.set.
  app.post('/write', (req, res) => {
    const s = req.session;
    if (s.owner !== req.sessionID) {
      res.status(401).json({ error: 'no such session' });
      return;
    }
    s.hits = (s.hits ?? 0) + 1;
    s.lastSeen = Date.now();
    res.json({ owner: s.owner, hits: s.hits });
  });
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (storeErrors++ === 0) console.error(`  http-server: first store error: ${describeError(err)}`);
    res.status(500).json({ error: 'store error' });
  });
  return app;
}

async function start(message: StartMessage): Promise<void> {
  sampler = new MemorySampler();
  const subject = subjectNamed(message.subject);
  if (!subject) throw new Error(`unknown subject ${message.subject}`);
  const ctx: SubjectContext = {
    prefix: message.prefix,
    redisUrl: askRedisUrl,
    aerospike: askAerospike,
    redisGroup: askRedisGroup,
    couchUrl: askCouchUrl,
  };
  instance = await subject.create(ctx);
  const { store, ops } = instance;
  const plain = subject.name === NO_SESSIONS;
  if (!store && !plain) throw new SubjectUnavailable(`${subject.name} is not an express-session store`);
  const items = makeItems(message.sessions);
  // A baseline stores nothing: loading would only time its no-op set.
  if (subject.kind !== 'baseline') {
    await runConcurrent(items.length, message.concurrency, (i) =>
      ops.set(items[i] as (typeof items)[number]),
    );
  }
  sampler.markRetained();
  const app = store && !plain ? buildApp(store, message.secret) : buildPlainApp();
  const listening = await listenOnLoopback(app);
  server = listening.server;
  const { port } = listening;
  send({ type: 'ready', port, ids: items.map((item) => item.id) });
}

async function stop(): Promise<void> {
  await closeServer(server);
  try {
    await instance?.close();
  } catch (err) {
    console.error(`  http-server: close failed: ${describeError(err)}`);
  }
  const memory = (sampler ?? new MemorySampler()).stop();
  send({ type: 'stopped', memory });
  process.disconnect?.();
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    start(message).catch((err: unknown) => {
      const unavailable = err instanceof SubjectUnavailable;
      send({ type: 'error', message: unavailable ? err.message : describeError(err), unavailable });
    });
  } else if (message.type === 'stop') {
    void stop();
  } else if (message.type === 'cpu?') {
    const { user, system } = process.cpuUsage();
    send({ type: 'cpu', userUs: user, systemUs: system });
  } else if (message.type === 'redis-url') {
    redisWaiters.shift()?.(message);
  } else if (message.type === 'aerospike') {
    aerospikeWaiters.shift()?.(message);
  } else if (message.type === 'redis-group') {
    groupWaiters.shift()?.(message);
  } else if (message.type === 'couch-url') {
    couchWaiters.shift()?.(message);
  }
});

// The parent went away: nothing left to serve.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 100).unref();
});
