import { resolve } from 'node:path';
import { KEY_READ_SCENARIO } from './key-read-protocol';
import { OVERLAP_SCENARIO } from './overlap-bench';
import { SUBJECT_GROUPS, SUBJECTS, subjectNamed } from './subjects';
import { USER_SESSIONS_SCENARIO } from './user-sessions-bench';

/** HTTP scenarios that are not an express-session store, chosen with `--stores` like subjects. */
export const SCENARIOS: readonly string[] = [OVERLAP_SCENARIO, KEY_READ_SCENARIO, USER_SESSIONS_SCENARIO];

/** The run's settings, from argv (first) and BENCH_* env variables. */
export interface BenchOptions {
  /** Subject names to run, anchors added, in the order of SUBJECTS. */
  stores: string[];
  /** Scenarios of {@link SCENARIOS} to run (HTTP only), e.g. `overlap`, `alt-session`. */
  scenarios: string[];
  quick: boolean;
  /** Distinct sessions loaded (the store level's `all`/`length`/`clear`, and HTTP's distinct cookies). */
  sessions: number;
  /** Operations in flight (store level) and HTTP connections. */
  concurrency: number;
  /** Timed operations per store-level phase and round. */
  ops: number;
  /** Store-level rounds: subjects take turns in each round; the median round is reported. */
  rounds: number;
  /** Seconds per HTTP scenario and round. */
  duration: number;
  /** HTTP rounds. */
  httpRounds: number;
  store: boolean;
  http: boolean;
  /** Where the JSON results go. */
  json: string;
}

export const USAGE = `Usage: pnpm bench [-- options]      (or: cd bench && pnpm start [options])

  --stores a,b,...   subjects to run (default: all); anchors of the chosen ones are added.
                     Subjects: ${SUBJECTS.map((s) => s.name).join(', ')}
                     Groups:   ${Object.keys(SUBJECT_GROUPS).join(', ')}
                     Scenarios (HTTP): ${SCENARIOS.join(', ')} (overlap runs over the chosen
                     stores, or every store when none is chosen)
  --no-anchors       do not add the anchors of the chosen subjects
  --quick            a short run (fewer ops, one short HTTP round): under 2 minutes
  --sessions N       distinct sessions loaded (default 10000)
  --concurrency N    operations in flight / HTTP connections (default 64)
  --ops N            timed operations per store-level phase and round (default 50000, quick 10000)
  --rounds N         store-level rounds, subjects taking turns; median reported (default 3)
  --duration S       seconds per HTTP scenario and round (default 8, quick 2)
  --http-rounds N    HTTP rounds (default 2, quick 1)
  --only store|http  run only the store-level or only the HTTP benchmark
  --json PATH        where to write the results (default bench/results/latest.json)

Every option also reads an env variable: BENCH_STORES, BENCH_QUICK=1, BENCH_SESSIONS,
BENCH_CONCURRENCY, BENCH_OPS, BENCH_ROUNDS, BENCH_DURATION, BENCH_HTTP_ROUNDS, BENCH_ONLY, BENCH_JSON, BENCH_NO_ANCHORS=1.
REDIS_URL points the Redis subjects at an existing server instead of a fresh redis-server.`;

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${name} must be a positive integer, got "${text}"`);
  return value;
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new UsageError(`${name} must be a positive number, got "${text}"`);
  return value;
}

/** Expands groups, checks names, adds anchors and raw subjects, and orders as SUBJECTS. */
export function resolveStores(list: string, withAnchors: boolean): string[] {
  const wanted = new Set<string>();
  for (const name of list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)) {
    const group = SUBJECT_GROUPS[name];
    if (group) for (const member of group) wanted.add(member);
    else if (subjectNamed(name)) wanted.add(name);
    else if (SCENARIOS.includes(name)) continue;
    else throw new UsageError(`unknown subject "${name}"`);
  }
  if (withAnchors) {
    for (const name of [...wanted]) {
      const subject = subjectNamed(name);
      if (subject?.anchor) wanted.add(subject.anchor);
      if (subject?.raw) wanted.add(subject.raw);
    }
  }
  return SUBJECTS.map((s) => s.name).filter((name) => wanted.has(name));
}

/** The scenarios named in `list` (all of them for `all`). */
export function resolveScenarios(list: string): string[] {
  const names = list.split(',').map((n) => n.trim());
  return SCENARIOS.filter((s) => names.includes(s) || names.includes('all'));
}

/** Parses `argv` (without node and script) over `env`. */
export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): BenchOptions | 'help' {
  const flags = new Map<string, string>();
  const booleans = new Set(['quick', 'no-anchors']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue; // pnpm may pass it through
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (booleans.has(key)) {
      flags.set(key, inline ?? '1');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${key} needs a value`);
    flags.set(key, value);
  }
  const known = new Set([
    ...booleans,
    ...['stores', 'sessions', 'concurrency', 'ops', 'rounds', 'duration', 'http-rounds', 'only', 'json'],
  ]);
  for (const key of flags.keys()) if (!known.has(key)) throw new UsageError(`unknown option --${key}`);

  const get = (key: string): string | undefined =>
    flags.get(key) ?? env[`BENCH_${key.toUpperCase().replaceAll('-', '_')}`];
  const truthy = (text: string | undefined): boolean =>
    text !== undefined && !['', '0', 'false', 'no'].includes(text);
  const quick = truthy(get('quick'));
  const only = get('only');
  if (only !== undefined && only !== 'store' && only !== 'http')
    throw new UsageError('--only must be store or http');

  return {
    stores: resolveStores(get('stores') ?? 'all', !truthy(get('no-anchors'))),
    scenarios: resolveScenarios(get('stores') ?? 'all'),
    quick,
    sessions: positiveInt('--sessions', get('sessions')) ?? 10_000,
    concurrency: positiveInt('--concurrency', get('concurrency')) ?? 64,
    ops: positiveInt('--ops', get('ops')) ?? (quick ? 10_000 : 50_000),
    rounds: positiveInt('--rounds', get('rounds')) ?? 3,
    duration: positiveNumber('--duration', get('duration')) ?? (quick ? 2 : 8),
    httpRounds: positiveInt('--http-rounds', get('http-rounds')) ?? (quick ? 1 : 2),
    store: only !== 'http',
    http: only !== 'store',
    json: resolve(get('json') ?? resolve(__dirname, '..', 'results', 'latest.json')),
  };
}
