import type { SessionData, SessionStore, SessionStoreOptions } from '@session-stores/core';
import { closeNodeRedis, connectNodeRedis } from './redis-clients';
import type { BenchServers } from './servers';
import { loadStoreClass } from './subjects';

/** The name of the per-user sessions scenario (issue 14), chosen with `--stores`. */
export const USER_SESSIONS_SCENARIO = 'user-sessions';

/** One store's figures: `set` beside itself without `userOf`, and `destroyAllOf` among many sessions. */
export interface UserSessionsRow {
  readonly store: string;
  /** New sessions saved per second, without and with `userOf` (medians of the rounds). */
  readonly setPerSecond: { readonly without: number; readonly with: number; readonly ratio: number };
  /** How many sessions the store held while `destroyAllOf` ended a user's 10. */
  readonly sessions: number;
  /** `destroyAllOf` of a user with 10 sessions, in ms. */
  readonly destroyAllOfMs: { readonly median: number; readonly p95: number; readonly trials: number };
  readonly status: 'ok' | 'skipped';
  readonly reason?: string;
}

/** The scenario's result. */
export interface UserSessionsResult {
  readonly rows: readonly UserSessionsRow[];
}

interface Settings {
  readonly quick: boolean;
  readonly concurrency: number;
  readonly log: (line: string) => void;
}

/** A store under test, made with or without `userOf`, and how to release it. */
interface Candidate {
  readonly name: string;
  /** Sessions loaded before timing destroyAllOf (fewer for the slower backends, as printed). */
  readonly population: (quick: boolean) => number;
  open(
    options: SessionStoreOptions,
    prefix: string,
  ): Promise<{ store: SessionStore; close(): Promise<void> }>;
}

const userOf = (session: SessionData): string | undefined => (session as unknown as { user?: string }).user;

function session(user: string): SessionData {
  const maxAge = 3_600_000;
  return {
    cookie: { originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge), httpOnly: true, path: '/' },
    user,
    cart: [1, 2, 3],
  } as unknown as SessionData;
}

/** Runs `count` calls with `concurrency` in flight; resolves with the elapsed ms. */
async function bounded(count: number, concurrency: number, call: (index: number) => Promise<unknown>) {
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count; index = next++) await call(index);
    }),
  );
  return performance.now() - began;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

function candidates(servers: BenchServers): Candidate[] {
  return [
    {
      name: 'redis-store(node-redis)',
      population: () => 100_000,
      async open(options, prefix) {
        const RedisStore = loadStoreClass<new (o: object) => SessionStore>(
          '@session-stores/redis-store',
          'RedisStore',
        );
        const client = await connectNodeRedis((await servers.redisServer()).url);
        const store = new RedisStore({ ...options, client, prefix });
        return {
          store,
          close: async () => {
            await store.clear();
            await store.close();
            await closeNodeRedis(client);
          },
        };
      },
    },
    {
      name: 'core MemoryStore',
      population: () => 100_000,
      async open(options, prefix) {
        const MemoryStore = loadStoreClass<new (o: object) => SessionStore>(
          '@session-stores/core',
          'MemoryStore',
        );
        const store = new MemoryStore({ ...options, prefix });
        return { store, close: () => store.close() };
      },
    },
    {
      name: 'pouch-store(memory)',
      population: (quick) => (quick ? 5_000 : 20_000),
      async open(options, prefix) {
        const PouchStore = loadStoreClass<new (o: object) => SessionStore>(
          '@session-stores/pouch-store',
          'PouchStore',
        );
        const store = new PouchStore({ ...options, prefix });
        await store.ready();
        return { store, close: () => store.close() };
      },
    },
    {
      name: 'aerospike-store',
      population: (quick) => (quick ? 5_000 : 20_000),
      async open(options, prefix) {
        const AerospikeStore = loadStoreClass<new (o: object) => SessionStore>(
          '@session-stores/aerospike-store',
          'AerospikeStore',
        );
        const { hosts, namespace } = await servers.aerospikeServer();
        const store = new AerospikeStore({
          ...options,
          hosts,
          namespace,
          set: 'bench-user-sessions',
          prefix,
        });
        await store.ready(15_000);
        return {
          store,
          close: async () => {
            await store.clear();
            await store.close();
          },
        };
      },
    },
  ];
}

/** `set` of new sessions (a login each) per second, on a fresh store. */
async function setRate(candidate: Candidate, options: SessionStoreOptions, ops: number, settings: Settings) {
  const prefix = `bench-users-${Date.now()}-${Math.random().toString(36).slice(2, 8)}:`;
  const { store, close } = await candidate.open(options, prefix);
  try {
    // Five sessions per user, as for someone with a phone, a laptop and a few old logins.
    const users = Math.max(1, Math.floor(ops / 5));
    const ms = await bounded(ops, settings.concurrency, (index) =>
      store.set(`s${index}`, session(`user-${index % users}`)),
    );
    return (ops / ms) * 1000;
  } finally {
    await close();
  }
}

/** Times destroyAllOf of a user with 10 sessions among `population` others. */
async function destroyAllOfTimes(
  candidate: Candidate,
  population: number,
  trials: number,
  settings: Settings,
) {
  const prefix = `bench-users-${Date.now()}-${Math.random().toString(36).slice(2, 8)}:`;
  const { store, close } = await candidate.open({ userOf }, prefix);
  try {
    await bounded(population, settings.concurrency, (index) =>
      store.set(`p${index}`, session(`someone-${index}`)),
    );
    const times: number[] = [];
    for (let trial = 0; trial < trials; trial += 1) {
      const user = `victim-${trial}`;
      for (let device = 0; device < 10; device += 1) await store.set(`v${trial}-${device}`, session(user));
      const began = performance.now();
      const ended = await store.destroyAllOf(user);
      times.push(performance.now() - began);
      if (ended !== 10) throw new Error(`destroyAllOf ended ${ended} sessions, expected 10`);
    }
    return times;
  } finally {
    await close();
  }
}

/**
 * Issue 14's figures, per store, each beside itself: `set` of new sessions with `userOf`
 * against without (target at least 0.8x), and `destroyAllOf` of a user with 10 sessions
 * among many (target under 10 ms on Redis, reported for every store).
 */
export async function benchUserSessions(
  servers: BenchServers,
  settings: Settings,
): Promise<UserSessionsResult> {
  const ops = settings.quick ? 5_000 : 20_000;
  const rounds = settings.quick ? 2 : 3;
  const trials = settings.quick ? 20 : 50;
  const rows: UserSessionsRow[] = [];
  // BENCH_USER_SESSIONS_STORES=aerospike-store,...: only those (the whole scenario takes minutes).
  const only = (process.env.BENCH_USER_SESSIONS_STORES ?? '').split(',').filter(Boolean);
  for (const candidate of candidates(servers).filter((c) => only.length === 0 || only.includes(c.name))) {
    settings.log(`  ${candidate.name}`);
    try {
      const without: number[] = [];
      const withIndex: number[] = [];
      // Alternating, so a change in the machine's load falls on both sides.
      for (let round = 0; round < rounds; round += 1) {
        without.push(await setRate(candidate, {}, ops, settings));
        withIndex.push(await setRate(candidate, { userOf }, ops, settings));
      }
      const population = candidate.population(settings.quick);
      const times = await destroyAllOfTimes(candidate, population, trials, settings);
      const row: UserSessionsRow = {
        store: candidate.name,
        status: 'ok',
        setPerSecond: {
          without: median(without),
          with: median(withIndex),
          ratio: median(withIndex) / median(without),
        },
        sessions: population,
        destroyAllOfMs: { median: median(times), p95: percentile(times, 95), trials },
      };
      rows.push(row);
      settings.log(
        `    set ${Math.round(row.setPerSecond.without)}/s without userOf, ${Math.round(row.setPerSecond.with)}/s with ` +
          `(${row.setPerSecond.ratio.toFixed(2)}x); destroyAllOf of 10 among ${population}: ` +
          `median ${row.destroyAllOfMs.median.toFixed(2)} ms, p95 ${row.destroyAllOfMs.p95.toFixed(2)} ms`,
      );
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      settings.log(`    skipped: ${reason}`);
      rows.push({
        store: candidate.name,
        status: 'skipped',
        reason,
        setPerSecond: { without: 0, with: 0, ratio: 0 },
        sessions: 0,
        destroyAllOfMs: { median: 0, p95: 0, trials: 0 },
      });
    }
  }
  return { rows };
}

/** The scenario's table and its targets, for the report. */
export function renderUserSessions(result: UserSessionsResult): string {
  const lines = [
    `Scenario ${USER_SESSIONS_SCENARIO} (issue 14): each store beside itself without userOf`,
    '| store | set/s without | set/s with userOf | ratio (target >= 0.8) | sessions held | destroyAllOf of 10, median | p95 |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of result.rows) {
    if (row.status !== 'ok') {
      lines.push(`| ${row.store} | skipped: ${row.reason ?? ''} | | | | | |`);
      continue;
    }
    const { setPerSecond: set, destroyAllOfMs: ms } = row;
    lines.push(
      `| ${row.store} | ${Math.round(set.without)} | ${Math.round(set.with)} | ${set.ratio.toFixed(2)}x ${set.ratio >= 0.8 ? 'met' : 'MISSED'} | ${row.sessions} | ${ms.median.toFixed(2)} ms | ${ms.p95.toFixed(2)} ms |`,
    );
  }
  const redis = result.rows.find((row) => row.store.startsWith('redis-store') && row.status === 'ok');
  if (redis) {
    lines.push(
      `Target: destroyAllOf under 10 ms on Redis: ${redis.destroyAllOfMs.median < 10 ? 'met' : 'MISSED'} (median ${redis.destroyAllOfMs.median.toFixed(2)} ms among ${redis.sessions} sessions)`,
    );
  }
  return lines.join('\n');
}
