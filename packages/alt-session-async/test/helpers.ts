import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  parseInfo,
  type RedisServer,
  respCommand,
  uniquePrefix,
  useStarted,
} from '@session-stores/test-servers';
import { parseSetCookie, type SetCookie } from 'cookie';
import { sign } from 'cookie-signature';
import express, { type Express } from 'express';
import Redis from 'ioredis';
import { createClient, type RedisClientType } from 'redis';
import request, { type Response } from 'supertest';
import {
  type AltSessionHandler,
  type AltSessionMiddleware,
  type AltSessionOptions,
  type AsyncSession,
  altSession,
} from '../src';

/**
 * Makes middlewares for the block's tests, all closed after the block: `altSession` with
 * the test SECRET, `base()` (e.g. the server's url), the test's own options, and the
 * block's key `prefix` unless the test names another.
 */
export function useMiddlewares(
  prefix: string,
  base: () => Partial<AltSessionOptions> = () => ({}),
): (options?: Partial<AltSessionOptions>) => AltSessionMiddleware {
  const opened: AltSessionMiddleware[] = [];
  useStarted(
    'the middlewares',
    () => undefined,
    async () => {
      await Promise.all(opened.splice(0).map((m) => m.close()));
    },
  );
  return (options = {}) => {
    const middleware = altSession({
      secret: SECRET,
      ...base(),
      ...options,
      session: { prefix, ...options.session },
    });
    opened.push(middleware);
    return middleware;
  };
}

/** A supertest agent: a client with a cookie jar. */
export type TestAgent = ReturnType<typeof request.agent>;

/** The signing secret the tests use unless they test secrets. */
export const SECRET = 'a test secret';

/** A route body: what the test runs inside one request. */
export type StepFn<T> = (session: AsyncSession, req: IncomingMessage, res: ServerResponse) => Promise<T> | T;

/** An app whose `/step` route runs whatever function the test hands it, inside a real request. */
export interface StepApp {
  readonly app: Express;
  /**
   * Sends one request through `agent` (or a plain request) to run `fn` with `req.session`;
   * resolves with its result and the response, or rejects with what `fn` threw.
   */
  step<T>(
    fn: StepFn<T>,
    agent?: TestAgent,
    headers?: Record<string, string>,
  ): Promise<{ value: T; response: Response }>;
}

/**
 * Builds the app: optional middlewares before the session middleware (cookie-parser), the
 * session middleware, optional ones after it (the bridge), then `/step`.
 */
export function stepApp(
  middleware: AltSessionHandler,
  options: { before?: express.RequestHandler[]; after?: AltSessionHandler[] } = {},
): StepApp {
  const app = express();
  for (const handler of options.before ?? []) app.use(handler);
  app.use(middleware);
  for (const handler of options.after ?? []) app.use(handler);
  let current: StepFn<unknown> | undefined;
  let outcome: { value?: unknown; error?: unknown; failed: boolean } = { failed: false };
  app.all('/step', async (req, res) => {
    const fn = current as StepFn<unknown>;
    try {
      outcome = {
        value: await fn((req as unknown as { session: AsyncSession }).session, req, res),
        failed: false,
      };
    } catch (error) {
      outcome = { error, failed: true };
    }
    if (!res.headersSent) res.end('ok');
  });
  // Errors passed to next(err) (e.g. by the bridge) come back as a 500 with their code.
  app.use(
    (err: { code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ code: err.code ?? 'unknown' });
    },
  );
  return {
    app,
    async step<T>(fn: StepFn<T>, agent?: TestAgent, headers: Record<string, string> = {}) {
      current = fn as StepFn<unknown>;
      outcome = { failed: false };
      let pending = (agent ?? request(app)).get('/step');
      for (const [name, value] of Object.entries(headers)) pending = pending.set(name, value);
      const response = await pending;
      if (outcome.failed) throw outcome.error;
      return { value: outcome.value as T, response };
    },
  };
}

/** The Set-Cookie headers of a response. */
export function setCookies(response: Response): string[] {
  const header = response.headers['set-cookie'] as unknown;
  if (header === undefined) return [];
  return Array.isArray(header) ? header.map(String) : [String(header)];
}

/** The parsed Set-Cookie for `name`, or undefined. */
export function cookieSet(response: Response, name = 'sid'): SetCookie | undefined {
  return setCookies(response)
    .map((header) => parseSetCookie(header))
    .find((cookie) => cookie.name === name);
}

/** The session id a Set-Cookie carries (verified with `secret`), or undefined. */
export function cookieId(response: Response, name = 'sid', secret = SECRET): string | undefined {
  const value = cookieSet(response, name)?.value;
  if (!value?.startsWith('s:')) return undefined;
  const signed = value.slice(2);
  const id = signed.slice(0, signed.lastIndexOf('.'));
  return sign(id, secret) === signed ? id : undefined;
}

/** A Cookie request header carrying `id`, signed as the middleware signs it. */
export function cookieHeader(id: string, secret = SECRET, name = 'sid'): string {
  return `${name}=${encodeURIComponent(`s:${sign(id, secret)}`)}`;
}

/** A key prefix unique to this run, without the trailing ':' (the middleware adds one). */
export function testPrefix(label: string): string {
  return uniquePrefix(`alt-${label}`).slice(0, -1);
}

/** One raw command on `db` of the server, bypassing the middleware. */
export function raw(server: RedisServer, db = 0) {
  return (...args: string[]) => respCommand({ host: server.host, port: server.port, db }, args);
}

/** The calls per command from INFO commandstats (`evalsha`, `hmget`, ...), subcommands included. */
export async function commandCalls(server: RedisServer): Promise<Record<string, number>> {
  const info = parseInfo(await server.command('INFO', 'commandstats'));
  const calls: Record<string, number> = {};
  for (const [name, value] of Object.entries(info)) {
    const match = /^cmdstat_(.+)$/.exec(name);
    const count = /calls=(\d+)/.exec(value);
    if (match && count) calls[match[1] as string] = Number(count[1]);
  }
  return calls;
}

/** The commands an app sent between two commandstats readings, without the tests' own (INFO, CONFIG, SELECT, MONITOR). */
export function callsBetween(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) {
    if (/^(info|config|select|monitor)/.test(name)) continue;
    const added = count - (before[name] ?? 0);
    if (added > 0) delta[name] = added;
  }
  return delta;
}

/** A connected node-redis client that ignores its errors (the tests assert on the middleware). */
export async function openNodeRedis(url: string): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Closes a node-redis client in whatever state it is. */
export async function closeNodeRedis(client: RedisClientType): Promise<void> {
  if (client.isOpen) await client.destroy();
}

/** A ready ioredis client that ignores its errors. */
export async function openIoRedis(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
