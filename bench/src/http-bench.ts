import { randomBytes } from 'node:crypto';
import { ChildChannel } from './child-channel';
import { SubjectUnavailable, VerificationFailure } from './context';
import { newSessionId } from './fixtures';
import { describeError, formatCommands, formatMs, formatRate } from './format';
import { cannon, request } from './http-client';
import { sessionCookieHeader } from './http-cookies';
import type {
  AerospikeRequest,
  ChildMessage,
  CouchUrlRequest,
  ParentMessage,
  RedisGroupRequest,
  RedisUrlRequest,
} from './http-protocol';
import type { HttpFigures, HttpResult, HttpScenario } from './results';
import type { ContextHandle } from './servers';
import type { Subject } from './subjects';

/** Settings of the HTTP benchmark. */
export interface HttpBenchSettings {
  sessions: number;
  concurrency: number;
  /** Seconds per scenario. */
  duration: number;
  quick: boolean;
  log: (line: string) => void;
  /**
   * Calls so far of each command of the run's redis-server (INFO commandstats), or null when
   * it was not started: the timed runs record the delta per request.
   */
  redisCalls?: () => Promise<Record<string, number> | null>;
}

/** Calls per request of each command whose count grew between two commandstats snapshots. */
function callsPerRequest(
  before: Record<string, number> | null | undefined,
  after: Record<string, number> | null | undefined,
  requests: number,
): Record<string, number> | undefined {
  if (!before || !after || requests <= 0) return undefined;
  const perRequest: Record<string, number> = {};
  for (const [command, calls] of Object.entries(after)) {
    const grown = calls - (before[command] ?? 0);
    if (grown > 0) perRequest[command] = grown / requests;
  }
  return Object.keys(perRequest).length > 0 ? perRequest : undefined;
}

const SCENARIOS: ReadonlyArray<{ name: HttpScenario; method: 'GET' | 'POST'; path: string }> = [
  { name: 'read', method: 'GET', path: '/read' },
  { name: 'write', method: 'POST', path: '/write' },
];

type ReadyMessage = Extract<ChildMessage, { type: 'ready' }>;
type CpuMessage = Extract<ChildMessage, { type: 'cpu' }>;

/** CPU time the server process has used so far (user + system), in µs. */
async function serverCpu(server: ServerProcess): Promise<number> {
  server.send({ type: 'cpu?' });
  const cpu: CpuMessage = await server.next('cpu', 30_000);
  return cpu.userUs + cpu.systemUs;
}

/** The forked http-server.ts; it asks the parent for the servers its subject needs. */
class ServerProcess extends ChildChannel<ChildMessage, ParentMessage> {
  constructor(handle: ContextHandle) {
    super('http-server.ts', (message) => {
      const request = message as RedisUrlRequest | AerospikeRequest | RedisGroupRequest | CouchUrlRequest;
      if (request.type === 'couch-url?') {
        handle.ctx.couchUrl().then(
          (url) => this.send({ type: 'couch-url', url }),
          (err: unknown) => this.send({ type: 'couch-url', error: describeError(err) }),
        );
        return true;
      }
      if (request.type === 'redis-group?') {
        handle.ctx.redisGroup(request.count).then(
          (servers) => this.send({ type: 'redis-group', servers }),
          (err: unknown) => this.send({ type: 'redis-group', error: describeError(err) }),
        );
        return true;
      }
      if (request.type === 'aerospike?') {
        handle.ctx.aerospike().then(
          (target) => this.send({ type: 'aerospike', target }),
          (err: unknown) => this.send({ type: 'aerospike', error: describeError(err) }),
        );
        return true;
      }
      if (request.type === 'redis-url?') {
        // The child's subject wants Redis: start it here (once per run) and share its URL.
        handle.ctx.redisUrl().then(
          (url) => this.send({ type: 'redis-url', url }),
          (err: unknown) => this.send({ type: 'redis-url', error: describeError(err) }),
        );
        return true;
      }
      return false;
    });
  }
}

/**
 * Before timing a baseline (issue 18's ceilings): both routes answer 200. It stores nothing,
 * so there is nothing else to check; the zero-cost store answers every cookie with a session.
 */
async function verifyBaseline(base: string, ids: readonly string[], secret: string): Promise<void> {
  const cookie = sessionCookieHeader(ids[0] as string, secret);
  for (const [path, method] of [
    ['/read', 'GET'],
    ['/write', 'POST'],
  ] as const) {
    const { status, body } = await request(base + path, method, cookie);
    if (status !== 200) throw new VerificationFailure(`${method} ${path}: ${status} ${JSON.stringify(body)}`);
  }
}

/** Before timing: the app finds each session by its cookie, rejects an unknown one, and writes through. */
async function verifyHttp(base: string, ids: readonly string[], secret: string): Promise<void> {
  const step = Math.max(1, Math.floor(ids.length / 20));
  for (let i = 0; i < ids.length; i += step) {
    const id = ids[i] as string;
    const { status, body } = await request(`${base}/read`, 'GET', sessionCookieHeader(id, secret));
    if (status !== 200 || body.owner !== id) {
      throw new VerificationFailure(`GET /read with session ${id}: ${status} ${JSON.stringify(body)}`);
    }
  }
  const unknown = await request(`${base}/read`, 'GET', sessionCookieHeader(newSessionId(), secret));
  if (unknown.status !== 401)
    throw new VerificationFailure(`GET /read with an unknown session: ${unknown.status}`);
  const id = ids[ids.length - 1] as string;
  const cookie = sessionCookieHeader(id, secret);
  const written = await request(`${base}/write`, 'POST', cookie);
  const read = await request(`${base}/read`, 'GET', cookie);
  if (
    written.status !== 200 ||
    read.status !== 200 ||
    read.body.hits !== written.body.hits ||
    read.body.hits !== 1
  ) {
    throw new VerificationFailure(
      `POST /write then GET /read: ${written.status} ${JSON.stringify(written.body)}, ${read.status} ${JSON.stringify(read.body)}`,
    );
  }
}

/**
 * Measures one store end to end: a server process with express + express-session on the
 * store and `--sessions` sessions loaded, then autocannon with `--concurrency`
 * connections, every request carrying the next of those session cookies. Any non-2xx
 * response (401 = the store lost or mixed up a session) fails the subject.
 */
export async function benchHttp(
  subject: Subject,
  handle: ContextHandle,
  settings: HttpBenchSettings,
): Promise<HttpResult> {
  const result: HttpResult = { subject: subject.name, label: subject.label, status: 'ok', scenarios: {} };
  const secret = randomBytes(16).toString('hex');
  const server = new ServerProcess(handle);
  try {
    server.send({
      type: 'start',
      subject: subject.name,
      prefix: handle.ctx.prefix,
      sessions: settings.sessions,
      concurrency: settings.concurrency,
      secret,
    });
    const ready: ReadyMessage = await server.next('ready', 180_000);
    const base = `http://127.0.0.1:${ready.port}`;
    await (subject.kind === 'baseline' ? verifyBaseline : verifyHttp)(base, ready.ids, secret);
    const cookies = ready.ids.map((id) => sessionCookieHeader(id, secret));
    for (const scenario of SCENARIOS) {
      const url = base + scenario.path;
      await cannon(url, scenario.method, cookies, settings.concurrency, settings.quick ? 1 : 2);
      const callsBefore = await settings.redisCalls?.();
      const cpuBefore = await serverCpu(server);
      const run = await cannon(url, scenario.method, cookies, settings.concurrency, settings.duration);
      const cpuAfter = await serverCpu(server);
      const callsAfter = await settings.redisCalls?.();
      if (run.non2xx > 0 || run.errors > 0) {
        throw new VerificationFailure(
          `${scenario.method} ${scenario.path}: ${run.non2xx} non-2xx responses (4xx ${run['4xx']}, 5xx ${run['5xx']}), ${run.errors} errors`,
        );
      }
      const figures: HttpFigures = {
        requests: run.requests.total,
        perSecond: run.requests.total / run.duration,
        p50Ms: run.latency.p50,
        p99Ms: run.latency.p99,
        non2xx: run.non2xx,
        errors: run.errors,
        timeouts: run.timeouts,
        appCpuUs: run.requests.total > 0 ? (cpuAfter - cpuBefore) / run.requests.total : 0,
      };
      const redisCommands = callsPerRequest(callsBefore, callsAfter, run.requests.total);
      if (redisCommands) figures.redisCommands = redisCommands;
      result.scenarios[scenario.name] = figures;
      settings.log(
        `    ${scenario.name.padEnd(12)} ${formatRate(figures.perSecond).padStart(7)} req/s  p50 ${formatMs(figures.p50Ms)} ms  p99 ${formatMs(figures.p99Ms)} ms  app CPU ${Math.round(figures.appCpuUs ?? 0)} µs/req` +
          (redisCommands ? `  Redis per request: ${formatCommands(redisCommands)}` : ''),
      );
    }
  } catch (err) {
    result.status = err instanceof SubjectUnavailable ? 'skipped' : 'failed';
    result.reason = err instanceof SubjectUnavailable ? err.message : describeError(err);
    result.scenarios = {};
    settings.log(`    ${result.status.toUpperCase()}: ${result.reason}`);
  } finally {
    const memory = (await server.stop({ type: 'stop' }))?.memory;
    if (memory && result.status === 'ok') result.serverMemory = memory;
    try {
      await handle.cleanup();
    } catch (err) {
      settings.log(`    (cleanup: ${describeError(err)})`);
    }
  }
  return result;
}
