import { randomBytes } from 'node:crypto';
import { ChildChannel } from './child-channel';
import { SubjectUnavailable, VerificationFailure } from './context';
import { newSessionId } from './fixtures';
import { describeError, formatMs, formatRate } from './format';
import { cannon, request } from './http-client';
import { sessionCookieHeader } from './http-cookies';
import type {
  AerospikeRequest,
  ChildMessage,
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
}

const SCENARIOS: ReadonlyArray<{ name: HttpScenario; method: 'GET' | 'POST'; path: string }> = [
  { name: 'read', method: 'GET', path: '/read' },
  { name: 'write', method: 'POST', path: '/write' },
];

type ReadyMessage = Extract<ChildMessage, { type: 'ready' }>;

/** The forked http-server.ts; it asks the parent for the servers its subject needs. */
class ServerProcess extends ChildChannel<ChildMessage, ParentMessage> {
  constructor(handle: ContextHandle) {
    super('http-server.ts', (message) => {
      const request = message as RedisUrlRequest | AerospikeRequest | RedisGroupRequest;
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
    await verifyHttp(base, ready.ids, secret);
    const cookies = ready.ids.map((id) => sessionCookieHeader(id, secret));
    for (const scenario of SCENARIOS) {
      const url = base + scenario.path;
      await cannon(url, scenario.method, cookies, settings.concurrency, settings.quick ? 1 : 2);
      const run = await cannon(url, scenario.method, cookies, settings.concurrency, settings.duration);
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
      };
      result.scenarios[scenario.name] = figures;
      settings.log(
        `    ${scenario.name.padEnd(12)} ${formatRate(figures.perSecond).padStart(7)} req/s  p50 ${formatMs(figures.p50Ms)} ms  p99 ${formatMs(figures.p99Ms)} ms`,
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
