/**
 * The `alt-session` scenario (issue 7): a session of 50 keys of 1 KB each, and a request
 * that reads ONE of them. `@session-stores/alt-session-async` reads one hash field;
 * express-session + our RedisStore (node-redis) loads the whole session, then touches it.
 * Both apps serve the same sessions (seeded once in each layout) from the run's Redis
 * server, in a forked server process each, one after the other in every round; autocannon
 * runs here. Measured per request: bytes Redis sent to its clients (INFO stats
 * `total_net_output_bytes`, delta over the timed run / requests that reached the route),
 * req/s, p50 and p99.
 */
import { randomBytes } from 'node:crypto';
import { parseInfo, type RedisServer } from '@session-stores/test-servers';
import { ChildChannel } from './child-channel';
import { SubjectUnavailable, VerificationFailure } from './context';
import { newSessionId } from './fixtures';
import { describeError, formatMs, formatRate } from './format';
import { cannon, request } from './http-client';
import { sessionCookieHeader, signedCookieHeader } from './http-cookies';
import {
  KEY_READ_SCENARIO,
  type KeyReadApp,
  type KeyReadChild,
  type KeyReadParent,
  READ_KEY,
} from './key-read-protocol';
import { closeNodeRedis, connectNodeRedis } from './redis-clients';
import { renderTable } from './report';
import type { ContextHandle } from './servers';

export const KEYS_PER_SESSION = 50;
export const VALUE_BYTES = 1024;
/** Sessions seeded in each layout (at most): 50 KB each, so 1,000 are ~100 MB of Redis for both. */
export const KEY_READ_MAX_SESSIONS = 1_000;
const TTI_SECONDS = 3_600;
/** alt-session-async's default cookie name. */
const ALT_COOKIE_NAME = 'sid';

/** The goals of issue 7, checked against the redis-store app of the same run. */
export const KEY_READ_TARGETS = { lessData: 5, fasterRate: 2 } as const;

const APPS: ReadonlyArray<{ app: KeyReadApp; label: string }> = [
  { app: 'redis-store', label: 'express-session + redis-store' },
  { app: 'alt-session', label: 'alt-session-async' },
];

/** Figures of one app (the median round's, by req/s). */
export interface KeyReadFigures {
  label: string;
  /** Requests autocannon completed in the timed run. */
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** `total_net_output_bytes` delta over the timed run / requests that reached the route. */
  redisBytesPerRequest: number;
  /** Requests that reached the route in the timed run (the divisor above). */
  handled: number;
  /** Every round's req/s. */
  roundRates?: number[];
}

export interface KeyReadTargetResult {
  what: string;
  goal: string;
  ratio: number | null;
  met: boolean | null;
}

/** The scenario's results (in the JSON as `keyRead`). */
export interface KeyReadResult {
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  sessions: number;
  keysPerSession: number;
  valueBytes: number;
  readKey: string;
  /** Bytes of one seeded session in each layout. */
  sessionBytes: Partial<Record<KeyReadApp, number>>;
  apps: Partial<Record<KeyReadApp, KeyReadFigures>>;
  targets: KeyReadTargetResult[];
}

export interface KeyReadSettings {
  sessions: number;
  concurrency: number;
  duration: number;
  rounds: number;
  quick: boolean;
  log: (line: string) => void;
}

/** A value of the session: 1 KB of JSON naming its owner and key, so a mixed-up read is caught. */
function seededValue(id: string, key: string): { owner: string; key: string; data: string } {
  const empty = JSON.stringify({ owner: id, key, data: '' }).length;
  return { owner: id, key, data: 'x'.repeat(Math.max(0, VALUE_BYTES - empty)) };
}

function keys(): string[] {
  return Array.from({ length: KEYS_PER_SESSION }, (_, i) => `k${i}`);
}

/** The store class of `@session-stores/redis-store`. */
type RedisStoreClass = new (options: {
  client: unknown;
  prefix: string;
}) => { set(sid: string, session: unknown): Promise<unknown>; close?(): Promise<void> };

function requireOrSkip<T>(pkg: string): T {
  try {
    return require(pkg) as T;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SubjectUnavailable(`${pkg} did not load (${why}); build it: pnpm --filter ${pkg} build`);
  }
}

/**
 * Seeds the same sessions in both layouts: alt-session-async's documented one (a hash
 * `<prefix>:<id>`, one JSON field per key, `@created` in ms, an idle expiry), and through
 * RedisStore's own `set` (`<prefix><id>`: one JSON string, with an express-session cookie).
 */
async function seed(
  redisUrl: string,
  ids: readonly string[],
  altPrefix: string,
  storePrefix: string,
): Promise<Partial<Record<KeyReadApp, number>>> {
  const { RedisStore } = requireOrSkip<{ RedisStore: RedisStoreClass }>('@session-stores/redis-store');
  const client = await connectNodeRedis(redisUrl);
  const store = new RedisStore({ client, prefix: storePrefix });
  const sizes: Partial<Record<KeyReadApp, number>> = {};
  try {
    const batch = 50;
    for (let start = 0; start < ids.length; start += batch) {
      await Promise.all(
        ids.slice(start, start + batch).map(async (id) => {
          const fields: Record<string, string> = {};
          const data: Record<string, unknown> = {};
          for (const key of keys()) {
            const value = seededValue(id, key);
            fields[key] = JSON.stringify(value);
            data[key] = value;
          }
          fields['@created'] = String(Date.now());
          const hash = `${altPrefix}:${id}`;
          await client.hSet(hash, fields);
          await client.pExpire(hash, TTI_SECONDS * 1000);
          const now = Date.now();
          const session = {
            cookie: {
              originalMaxAge: TTI_SECONDS * 1000,
              expires: new Date(now + TTI_SECONDS * 1000),
              httpOnly: true,
              path: '/',
            },
            ...data,
          };
          await store.set(id, session);
          if (sizes['redis-store'] === undefined) {
            sizes['redis-store'] = Buffer.byteLength(JSON.stringify(session));
            sizes['alt-session'] = Object.entries(fields).reduce(
              (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
              0,
            );
          }
        }),
      );
    }
  } finally {
    await store.close?.();
    await closeNodeRedis(client);
  }
  return sizes;
}

/** The forked key-read-server.ts. */
class KeyReadServer extends ChildChannel<KeyReadChild, KeyReadParent> {
  constructor() {
    super('key-read-server.ts');
  }

  async count(): Promise<{ handled: number; errors: number }> {
    this.send({ type: 'count?' });
    return this.next('count', 10_000);
  }
}

/** Sampled cookies must read their own session's key; an unknown id and a bad signature get 401. */
async function verify(
  base: string,
  app: KeyReadApp,
  ids: readonly string[],
  cookieOf: (id: string) => string,
): Promise<void> {
  const dataLength = seededValue(ids[0] as string, READ_KEY).data.length;
  const step = Math.max(1, Math.floor(ids.length / 25));
  for (let i = 0; i < ids.length; i += step) {
    const id = ids[i] as string;
    const { status, body } = await request(`${base}/read`, 'GET', cookieOf(id));
    if (status !== 200 || body.owner !== id || body.key !== READ_KEY || body.dataLength !== dataLength) {
      throw new VerificationFailure(
        `${app}: GET /read with session ${id}: ${status} ${JSON.stringify(body)}`,
      );
    }
  }
  const unknown = await request(`${base}/read`, 'GET', cookieOf(newSessionId()));
  if (unknown.status !== 401)
    throw new VerificationFailure(`${app}: an unknown session got ${unknown.status}`);
  const forged = cookieOf(ids[0] as string).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  const tampered = await request(`${base}/read`, 'GET', forged);
  if (tampered.status !== 401)
    throw new VerificationFailure(
      `${app}: a tampered cookie got ${tampered.status} ${JSON.stringify(tampered.body)}`,
    );
}

async function netOutputBytes(redis: RedisServer): Promise<number> {
  const value = parseInfo(await redis.command('INFO', 'stats')).total_net_output_bytes;
  const bytes = Number(value);
  if (!Number.isFinite(bytes)) throw new Error(`INFO stats has no total_net_output_bytes (${String(value)})`);
  return bytes;
}

/** One round of one app: server up, verified, warmed, timed with the Redis bytes around the run. */
async function runApp(
  app: KeyReadApp,
  label: string,
  redis: RedisServer,
  prefix: string,
  ids: readonly string[],
  settings: KeyReadSettings,
): Promise<KeyReadFigures> {
  const secret = randomBytes(16).toString('hex');
  const cookieOf =
    app === 'alt-session'
      ? (id: string) => signedCookieHeader(ALT_COOKIE_NAME, id, secret)
      : (id: string) => sessionCookieHeader(id, secret);
  const server = new KeyReadServer();
  try {
    server.send({ type: 'start', app, redisUrl: redis.url, prefix, secret, ttiSeconds: TTI_SECONDS });
    const { port } = await server.next('ready', 60_000);
    const base = `http://127.0.0.1:${port}`;
    await verify(base, app, ids, cookieOf);
    const cookies = ids.map(cookieOf);
    // Warm-up: JIT, connections, and the first EVALSHA (NOSCRIPT, then the script is loaded).
    await cannon(`${base}/read`, 'GET', cookies, settings.concurrency, settings.quick ? 1 : 2);
    const countBefore = await server.count();
    const bytesBefore = await netOutputBytes(redis);
    const run = await cannon(`${base}/read`, 'GET', cookies, settings.concurrency, settings.duration);
    // Let requests cut off at the end of the run finish before reading the counters.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const bytesAfter = await netOutputBytes(redis);
    const countAfter = await server.count();
    if (run.non2xx > 0 || run.errors > 0 || countAfter.errors > 0) {
      throw new VerificationFailure(
        `${app}: ${run.non2xx} non-2xx responses (4xx ${run['4xx']}, 5xx ${run['5xx']}), ${run.errors} client errors, ` +
          `${countAfter.errors} server errors`,
      );
    }
    await verify(base, app, ids, cookieOf);
    const handled = countAfter.handled - countBefore.handled;
    const figures: KeyReadFigures = {
      label,
      requests: run.requests.total,
      perSecond: run.requests.total / run.duration,
      p50Ms: run.latency.p50,
      p99Ms: run.latency.p99,
      redisBytesPerRequest: handled > 0 ? (bytesAfter - bytesBefore) / handled : Number.NaN,
      handled,
    };
    settings.log(
      `    ${label.padEnd(30)} ${formatRate(figures.perSecond).padStart(7)} req/s  p50 ${formatMs(figures.p50Ms)} ms  ` +
        `p99 ${formatMs(figures.p99Ms)} ms  ${formatBytes(figures.redisBytesPerRequest)} from Redis per request`,
    );
    return figures;
  } finally {
    await server.stop({ type: 'stop' });
  }
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${Math.round(bytes)} B`;
}

function medianRound(list: readonly KeyReadFigures[]): KeyReadFigures | undefined {
  const sorted = [...list].sort((a, b) => a.perSecond - b.perSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return median && { ...median, roundRates: list.map((f) => f.perSecond) };
}

function checkKeyReadTargets(apps: KeyReadResult['apps']): KeyReadTargetResult[] {
  const ours = apps['alt-session'];
  const theirs = apps['redis-store'];
  const lessData = ours && theirs ? theirs.redisBytesPerRequest / ours.redisBytesPerRequest : null;
  const faster = ours && theirs ? ours.perSecond / theirs.perSecond : null;
  const ok = (x: number | null): x is number => x !== null && Number.isFinite(x);
  return [
    {
      what: 'bytes read from Redis per request',
      goal: `>= ${KEY_READ_TARGETS.lessData}x less than express-session + redis-store`,
      ratio: ok(lessData) ? lessData : null,
      met: ok(lessData) ? lessData >= KEY_READ_TARGETS.lessData : null,
    },
    {
      what: 'req/s',
      goal: `>= ${KEY_READ_TARGETS.fasterRate}x express-session + redis-store`,
      ratio: ok(faster) ? faster : null,
      met: ok(faster) ? faster >= KEY_READ_TARGETS.fasterRate : null,
    },
  ];
}

/** Runs the scenario: seeds, then `rounds` rounds of both apps, each round the anchor first. */
export async function benchKeyRead(
  redisServer: () => Promise<RedisServer>,
  contextFor: (name: string) => ContextHandle,
  settings: KeyReadSettings,
): Promise<KeyReadResult> {
  const sessions = Math.min(settings.sessions, KEY_READ_MAX_SESSIONS);
  const result: KeyReadResult = {
    status: 'ok',
    sessions,
    keysPerSession: KEYS_PER_SESSION,
    valueBytes: VALUE_BYTES,
    readKey: READ_KEY,
    sessionBytes: {},
    apps: {},
    targets: [],
  };
  const handles = {
    'alt-session': contextFor('alt-session'),
    'redis-store': contextFor('alt-session-anchor'),
  };
  try {
    requireOrSkip('@session-stores/alt-session-async');
    // Marks the contexts as using Redis, so their cleanup deletes what is seeded below.
    const url = await handles['alt-session'].ctx.redisUrl();
    await handles['redis-store'].ctx.redisUrl();
    const redis = await redisServer();
    const prefixes: Record<KeyReadApp, string> = {
      // alt-session-async: hash `<prefix>:<id>`; RedisStore: `<prefix><id>`.
      'alt-session': `${handles['alt-session'].ctx.prefix}session`,
      'redis-store': `${handles['redis-store'].ctx.prefix}sess:`,
    };
    const ids = Array.from({ length: sessions }, newSessionId);
    const began = Date.now();
    result.sessionBytes = await seed(url, ids, prefixes['alt-session'], prefixes['redis-store']);
    settings.log(
      `  seeded ${sessions.toLocaleString('en-US')} sessions of ${KEYS_PER_SESSION} keys x ${VALUE_BYTES} B in both layouts ` +
        `(${((Date.now() - began) / 1000).toFixed(1)} s)`,
    );
    const rounds = new Map<KeyReadApp, KeyReadFigures[]>();
    for (let round = 1; round <= settings.rounds; round++) {
      settings.log(`  round ${round}/${settings.rounds}`);
      for (const { app, label } of APPS) {
        const figures = await runApp(app, label, redis, prefixes[app], ids, settings);
        rounds.set(app, [...(rounds.get(app) ?? []), figures]);
      }
    }
    for (const { app } of APPS) {
      const median = medianRound(rounds.get(app) ?? []);
      if (median) result.apps[app] = median;
    }
    result.targets = checkKeyReadTargets(result.apps);
  } catch (err) {
    result.status = err instanceof SubjectUnavailable ? 'skipped' : 'failed';
    result.reason = err instanceof SubjectUnavailable ? err.message : describeError(err);
    result.apps = {};
    settings.log(`    ${result.status.toUpperCase()}: ${result.reason}`);
  } finally {
    for (const handle of Object.values(handles)) {
      try {
        await handle.cleanup();
      } catch (err) {
        settings.log(`    (cleanup: ${describeError(err)})`);
      }
    }
  }
  return result;
}

/** The scenario's table and its targets, for the report. */
export function renderKeyRead(
  result: KeyReadResult,
  concurrency: number,
  duration: number,
  rounds: number,
): string {
  const title =
    `HTTP GET /read of ONE key (${READ_KEY}) of a session holding ${KEYS_PER_SESSION} keys x ${VALUE_BYTES} B ` +
    `(scenario ${KEY_READ_SCENARIO}), ${concurrency} connections, ${result.sessions.toLocaleString('en-US')} distinct cookies, ` +
    `${duration} s${rounds > 1 ? ` (median of ${rounds} rounds)` : ''}`;
  if (result.status !== 'ok') return `${title}\n${result.status.toUpperCase()}: ${result.reason}`;
  const anchor = result.apps['redis-store'];
  const rows = APPS.flatMap(({ app }) => {
    const f = result.apps[app];
    if (!f) return [];
    const rates = f.roundRates && f.roundRates.length > 1 ? f.roundRates : undefined;
    const vs =
      app === 'redis-store'
        ? 'anchor'
        : anchor
          ? `${(f.perSecond / anchor.perSecond).toFixed(2)}x req/s, ` +
            `${(anchor.redisBytesPerRequest / f.redisBytesPerRequest).toFixed(1)}x less data`
          : '';
    return [
      [
        f.label,
        formatRate(f.perSecond),
        rates ? `${formatRate(Math.min(...rates))}-${formatRate(Math.max(...rates))}` : '',
        formatMs(f.p50Ms),
        formatMs(f.p99Ms),
        formatBytes(f.redisBytesPerRequest),
        formatBytes(result.sessionBytes[app] ?? Number.NaN),
        vs,
      ],
    ];
  });
  const table = renderTable(
    ['app', 'req/s', 'rounds', 'p50 ms', 'p99 ms', 'Redis->app /req', 'stored /session', 'vs anchor'],
    rows,
    [1, 2, 3, 4, 5, 6],
  );
  const targets = renderTable(
    ['subject', 'what', 'goal', 'measured', ''],
    result.targets.map((t) => [
      'alt-session-async',
      t.what,
      t.goal,
      t.ratio === null ? 'n/a' : `${t.ratio.toFixed(2)}x`,
      t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED',
    ]),
    [3],
  );
  const notes = [
    '  note: Redis->app /req = INFO stats total_net_output_bytes delta over the timed run / requests that reached the route',
    '  note: alt-session-async: one EVALSHA (EXISTS + PEXPIRE + HMGET of one field); redis-store: GET of the whole session + its touch script',
  ];
  return [title, table, ...notes, '', `Targets (issue 7, same run)\n${targets}`].join('\n');
}
