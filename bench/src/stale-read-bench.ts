import { randomBytes } from 'node:crypto';
import { ChildChannel } from './child-channel';
import { describeError, formatMs } from './format';
import { request } from './http-client';
import { sessionCookieHeader } from './http-cookies';
import type { StaleReadChildMessage, StaleReadParentMessage } from './stale-read-server';

/** The scenario's name on the command line. */
export const STALE_READ_SCENARIO = 'stale-read';

/** The client cache's `maxAgeMs` in the two processes: the stated bound on a stale read. */
export const STALE_READ_BOUND_MS = 1000;

/** What the scenario measured. */
export interface StaleReadResult {
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  /** Write/read rounds run (each: reader reads, writer writes, reader reads again). */
  rounds: number;
  /** Rounds whose read right after the acknowledged write returned the older value. */
  staleFirstReads: number;
  /** The longest time from a write's acknowledgement until the other process read it, in ms. */
  maxMsToFresh: number;
  /** The same, 99th percentile. */
  p99MsToFresh: number;
  boundMs: number;
  /** Every round read the write within the bound. */
  withinBound: boolean;
}

/**
 * Issue 18's stale-read measurement: two app processes (express + express-session on
 * RedisStore with `clientCache` and `touchMargin`) share the run's Redis and one session.
 * Each round, the reader reads (so its cache holds the session), the writer stores the round
 * number and answers, then the reader reads until it sees that number: the time from the
 * writer's answer to that read is how stale the reader was. Roles alternate every round.
 */
export async function benchStaleRead(
  redisUrl: () => Promise<string>,
  prefix: string,
  settings: { rounds: number; log: (line: string) => void },
): Promise<StaleReadResult> {
  const result: StaleReadResult = {
    status: 'ok',
    rounds: 0,
    staleFirstReads: 0,
    maxMsToFresh: 0,
    p99MsToFresh: 0,
    boundMs: STALE_READ_BOUND_MS,
    withinBound: false,
  };
  const secret = randomBytes(16).toString('hex');
  const apps = [0, 1].map(
    () => new ChildChannel<StaleReadChildMessage, StaleReadParentMessage>('stale-read-server.ts'),
  );
  try {
    const url = await redisUrl();
    for (const app of apps) {
      app.send({ type: 'start', redisUrl: url, prefix, secret, maxAgeMs: STALE_READ_BOUND_MS });
    }
    const bases: string[] = [];
    for (const app of apps) bases.push(`http://127.0.0.1:${(await app.next('ready', 60_000)).port}`);
    const login = await request(`${bases[0]}/login`, 'POST', '');
    const cookie = sessionCookieHeader(String(login.body.id), secret);
    const delays: number[] = [];
    for (let round = 1; round <= settings.rounds; round += 1) {
      const writer = bases[round % 2] as string;
      const reader = bases[(round + 1) % 2] as string;
      await request(`${reader}/read`, 'GET', cookie);
      const written = await request(`${writer}/write?value=${round}`, 'POST', cookie);
      const ackedAt = performance.now();
      if (written.status !== 200 || written.body.value !== round) {
        throw new Error(
          `round ${round}: POST /write answered ${written.status} ${JSON.stringify(written.body)}`,
        );
      }
      let first = true;
      for (;;) {
        const read = await request(`${reader}/read`, 'GET', cookie);
        const waited = performance.now() - ackedAt;
        if (read.body.value === round) {
          delays.push(first ? 0 : waited);
          break;
        }
        if (first) result.staleFirstReads += 1;
        first = false;
        if (waited > STALE_READ_BOUND_MS * 5) {
          throw new Error(
            `round ${round}: the other process still read ${JSON.stringify(read.body)} after ${waited.toFixed(0)} ms`,
          );
        }
      }
      result.rounds = round;
      if (round % 2000 === 0)
        settings.log(`    ${round} rounds, ${result.staleFirstReads} stale first reads`);
    }
    delays.sort((a, b) => a - b);
    result.maxMsToFresh = delays[delays.length - 1] ?? 0;
    result.p99MsToFresh = delays[Math.floor(delays.length * 0.99)] ?? 0;
    result.withinBound = result.maxMsToFresh <= STALE_READ_BOUND_MS;
  } catch (err) {
    result.status = 'failed';
    result.reason = describeError(err);
    settings.log(`    FAILED: ${result.reason}`);
  } finally {
    await Promise.all(apps.map((app) => app.stop({ type: 'stop' })));
  }
  return result;
}

/** The scenario's lines for the report. */
export function renderStaleRead(result: StaleReadResult): string {
  const title =
    'Stale reads with clientCache (issue 18): two app processes (RedisStore, node-redis, clientCache + touchMargin 0.1) ' +
    'share one Redis and one session; each round the reader reads, the other process writes, the reader reads again';
  if (result.status !== 'ok') return `${title}\n  ${result.status.toUpperCase()}: ${result.reason ?? ''}`;
  return [
    title,
    `  rounds: ${result.rounds.toLocaleString('en-US')}; stale first reads after an acknowledged write: ${result.staleFirstReads}`,
    `  time from the write's acknowledgement to the other process reading it: max ${formatMs(result.maxMsToFresh)} ms, p99 ${formatMs(result.p99MsToFresh)} ms (0 = the first read was fresh)`,
    `  stated bound (clientCache maxAgeMs): ${result.boundMs} ms: ${result.withinBound ? 'met in every round' : 'MISSED'}`,
  ].join('\n');
}
