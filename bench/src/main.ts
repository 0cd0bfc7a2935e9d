/**
 * `pnpm bench`: measures our session stores beside the stores they replace, in one run,
 * at store level and end to end over HTTP, and prints tables of ratios to the anchors.
 * Run with --help for the options.
 */
import { measureCacheMemory } from './cache-memory';
import { averageBytes, makeItems } from './fixtures';
import { describeError } from './format';
import { benchHttp } from './http-bench';
import { benchKeyRead, type KeyReadResult } from './key-read-bench';
import { KEY_READ_SCENARIO } from './key-read-protocol';
import { loadAverage, machineInfo } from './machine';
import { canCollectGarbage, collectGarbage } from './memory';
import { type BenchOptions, parseOptions, USAGE, UsageError } from './options';
import { benchOverlap, defaultOverlapSubjects, OVERLAP_SCENARIO, type OverlapResult } from './overlap-bench';
import { checkTargets, renderReport, writeJson } from './report';
import type { BenchResults, CacheMemoryResult, HttpResult, StoreResult } from './results';
import { mergeHttpRounds, mergeStoreRounds } from './rounds';
import { BenchServers } from './servers';
import { benchStore } from './store-bench';
import { type Subject, subjectNamed } from './subjects';
import { benchUserSessions, USER_SESSIONS_SCENARIO, type UserSessionsResult } from './user-sessions-bench';

function log(line: string): void {
  console.log(line);
}

async function run(options: BenchOptions): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadAverage();
  const servers = new BenchServers(log);
  const subjects = options.stores.map((name) => subjectNamed(name) as Subject);
  log(`Subjects: ${subjects.map((s) => s.name).join(', ') || '-'}`);
  if (options.scenarios.length > 0) log(`Scenarios: ${options.scenarios.join(', ')}`);
  log(`Load average (1/5/15 min) at start: ${loadAtStart.join(' ')}`);
  if (!canCollectGarbage) log('(node runs without --expose-gc: memory figures include garbage)');

  const items = makeItems(options.sessions);
  const [probeA, probeB] = makeItems(2);
  const storeRounds = new Map<string, StoreResult[]>();
  const httpRounds = new Map<string, HttpResult[]>();
  const stillOk = (rounds: Map<string, Array<{ status: string }>>, name: string): boolean =>
    (rounds.get(name) ?? []).every((r) => r.status === 'ok');
  const push = <T>(rounds: Map<string, T[]>, name: string, result: T): void => {
    rounds.set(name, [...(rounds.get(name) ?? []), result]);
  };
  try {
    if (options.store && subjects.length > 0) {
      for (let round = 1; round <= options.rounds; round++) {
        log(`\nStore level, round ${round}/${options.rounds}`);
        for (const subject of subjects.filter((s) => stillOk(storeRounds, s.name))) {
          log(`  ${subject.label}`);
          collectGarbage();
          const began = Date.now();
          const result = await benchStore(subject, servers.contextFor(subject.name), {
            items,
            probes: [probeA as (typeof items)[number], probeB as (typeof items)[number]],
            ops: options.ops,
            concurrency: options.concurrency,
            quick: options.quick,
            log,
          });
          log(`    (${((Date.now() - began) / 1000).toFixed(1)} s)`);
          push(storeRounds, subject.name, result);
        }
      }
    }
    const store = subjects.flatMap((s) => {
      const rounds = storeRounds.get(s.name);
      return rounds ? [mergeStoreRounds(rounds)] : [];
    });

    // Stores with an in-process cache: the heap of --sessions sessions, loaded and read once.
    const cacheMemory: CacheMemoryResult[] = [];
    const cacheSubjects = subjects.filter(
      (s) => s.cacheProbe && options.store && stillOk(storeRounds, s.name),
    );
    if (cacheSubjects.length > 0) {
      log(
        `\nMemory of ${options.sessions.toLocaleString('en-US')} cached sessions (fresh instance, full GC before and after)`,
      );
      for (const subject of cacheSubjects) {
        log(`  ${subject.label}`);
        collectGarbage();
        cacheMemory.push(
          ...(await measureCacheMemory(
            subject,
            (name) => servers.contextFor(name),
            items,
            options.concurrency,
            log,
          )),
        );
      }
    }

    if (options.http) {
      // A store that failed (or could not run) at store level is not run over HTTP.
      const httpSubjects = subjects.filter(
        (s) => s.kind === 'store' && !store.some((r) => r.subject === s.name && r.status !== 'ok'),
      );
      for (let round = 1; round <= options.httpRounds && httpSubjects.length > 0; round++) {
        log(`\nHTTP (express + express-session + autocannon), round ${round}/${options.httpRounds}`);
        for (const subject of httpSubjects.filter((s) => stillOk(httpRounds, s.name))) {
          log(`  ${subject.label}`);
          const began = Date.now();
          const result = await benchHttp(subject, servers.contextFor(subject.name), {
            sessions: options.sessions,
            concurrency: options.concurrency,
            duration: options.duration,
            quick: options.quick,
            log,
            redisCalls: () => servers.redisCalls(),
          });
          log(`    (${((Date.now() - began) / 1000).toFixed(1)} s)`);
          push(httpRounds, subject.name, result);
        }
      }
    }
    let overlap: OverlapResult | undefined;
    if (options.scenarios.includes(OVERLAP_SCENARIO)) {
      if (options.http) {
        // The chosen stores, or every store when the scenario was chosen alone.
        const chosen = subjects.filter((s) => s.kind === 'store');
        log(`\nHTTP scenario ${OVERLAP_SCENARIO}: overlapping requests on one session (issue 13)`);
        overlap = await benchOverlap(
          chosen.length > 0 ? chosen : defaultOverlapSubjects(),
          (name) => servers.contextFor(name),
          { quick: options.quick, log },
        );
      } else {
        log(`\n(scenario ${OVERLAP_SCENARIO} is HTTP only: not run with --only store)`);
      }
    }
    let userSessions: UserSessionsResult | undefined;
    if (options.scenarios.includes(USER_SESSIONS_SCENARIO)) {
      if (options.store) {
        log(
          `\nStore-level scenario ${USER_SESSIONS_SCENARIO}: set with userOf vs without, destroyAllOf (issue 14)`,
        );
        userSessions = await benchUserSessions(servers, {
          quick: options.quick,
          concurrency: options.concurrency,
          log,
        });
      } else {
        log(`\n(scenario ${USER_SESSIONS_SCENARIO} is store level only: not run with --only http)`);
      }
    }
    let keyRead: KeyReadResult | undefined;
    if (options.scenarios.includes(KEY_READ_SCENARIO)) {
      if (options.http) {
        log(
          `\nHTTP scenario ${KEY_READ_SCENARIO}: read ONE key of a 50-key session (alt-session-async vs express-session + redis-store)`,
        );
        keyRead = await benchKeyRead(
          () => servers.redisServer(),
          (name) => servers.contextFor(name),
          {
            sessions: options.sessions,
            concurrency: options.concurrency,
            duration: options.duration,
            rounds: options.httpRounds,
            quick: options.quick,
            log,
          },
        );
      } else {
        log(`\n(scenario ${KEY_READ_SCENARIO} is HTTP only: not run with --only store)`);
      }
    }
    const http = subjects.flatMap((s) => {
      const rounds = httpRounds.get(s.name);
      return rounds ? [mergeHttpRounds(rounds)] : [];
    });

    const results: BenchResults = {
      startedAt: new Date(started).toISOString(),
      wallSeconds: (Date.now() - started) / 1000,
      machine: machineInfo(await servers.redisVersion(), await servers.describeAerospike(), loadAtStart),
      options,
      sessionBytes: averageBytes(items),
      store,
      http,
      cacheMemory,
      targets: checkTargets(store, http),
      ...(overlap ? { overlap } : {}),
      ...(userSessions ? { userSessions } : {}),
      ...(keyRead ? { keyRead } : {}),
    };
    log(`\n${renderReport(results, await servers.describeRedis())}\n`);
    writeJson(options.json, results);
    log(`Results written to ${options.json}`);
  } finally {
    await servers.stop();
  }
}

async function main(): Promise<void> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    log(USAGE);
    return;
  }
  await run(options);
}

// process.exit runs the exit handlers of test-servers, which stop redis-server and remove its temp dir.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    process.exit(130);
  });
}

main().then(
  // Clients and timers of the subjects are closed; exit anyway in case a library keeps a handle.
  () => setTimeout(() => process.exit(), 200).unref(),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? describeError(err)) : String(err)}`);
    process.exit(1);
  },
);
