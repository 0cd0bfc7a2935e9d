import type { KeyReadResult } from './key-read-bench';
import type { MachineInfo } from './machine';
import type { MemoryFigures } from './memory';
import type { BenchOptions } from './options';
import type { OverlapResult } from './overlap-bench';
import type { StaleReadResult } from './stale-read-bench';
import type { Summary } from './stats';
import type { HttpOpName, OpName } from './subjects';
import type { UserSessionsResult } from './user-sessions-bench';

/** Whether a subject was measured, failed verification (or errored), or could not run here. */
export type Status = 'ok' | 'failed' | 'skipped';

/** Store-level results of one subject. Figures are present only when `status` is `ok`. */
export interface StoreResult {
  subject: string;
  label: string;
  status: Status;
  reason?: string;
  /** How the subject was driven: its promise API, its callback API, or raw client commands. */
  api?: string;
  ops: Partial<Record<OpName, Summary>>;
  /** Operations not timed (see `Subject.untimed`): why, and the outcome of their one check. */
  untimed?: Partial<Record<string, { reason: string; check: string }>> | undefined;
  /** Peaks are the highest of all rounds. */
  memory?: MemoryFigures | undefined;
  /** Rounds run (a failed round ends the subject's run). */
  rounds?: number;
}

/** The HTTP scenarios: `read` is GET (express-session get + touch), `write` is POST changing the session (get + set). */
export type HttpScenario = 'read' | 'write';

/** One autocannon run. */
export interface HttpFigures {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /**
   * Calls per request of each Redis command over the timed run (INFO commandstats delta of the
   * run's redis-server / requests completed; commands a script runs are counted too), for a
   * subject on that server.
   */
  redisCommands?: Record<string, number>;
  /**
   * CPU time of the app's server process (user + system, `process.cpuUsage()`) over the timed
   * run / requests completed, in µs: what one request costs the app, which a busy machine
   * changes far less than the rate.
   */
  appCpuUs?: number;
  /** With several rounds: every round's rate (the figures above are the median round's). */
  roundRates?: number[];
}

/** HTTP results of one subject. */
export interface HttpResult {
  subject: string;
  label: string;
  status: Status;
  reason?: string;
  scenarios: Partial<Record<HttpScenario, HttpFigures>>;
  /** Memory of the server process (the store runs there); peaks are the highest of all rounds. */
  serverMemory?: MemoryFigures | undefined;
  rounds?: number;
}

/** A goal of a subject checked against the same run's figures. */
export interface TargetResult {
  subject: string;
  op: OpName | HttpOpName;
  against: string;
  /** `rate`: ops/s compared (goal `min`); `p99`: p99 latency compared (goal `max`). */
  metric: 'rate' | 'p99';
  min?: number;
  max?: number;
  /** subject's figure / against's figure; null when either was not measured. */
  ratio: number | null;
  met: boolean | null;
}

/** Heap used by `sessions` sessions loaded into a fresh instance and each read once (so a cache holds them). */
export interface CacheMemoryResult {
  subject: string;
  /** Which instance: the store as configured for the benchmark, or a variant (e.g. its cache off). */
  variant: string;
  status: Status;
  reason?: string;
  sessions: number;
  /** Sessions in the store's in-process cache after the reads. */
  cached: number | null;
  /** heapUsed after loading and reading (full GC) minus heapUsed before loading (full GC), in bytes. */
  heapDelta: number | null;
}

/** Everything one run produced: printed as tables and written as JSON. */
export interface BenchResults {
  startedAt: string;
  wallSeconds: number;
  machine: MachineInfo;
  options: BenchOptions;
  sessionBytes: number;
  store: StoreResult[];
  http: HttpResult[];
  cacheMemory: CacheMemoryResult[];
  targets: TargetResult[];
  /** The `alt-session` scenario (issue 7), when it ran. */
  keyRead?: KeyReadResult;
  /** The `overlap` scenario (issue 13), when it ran. */
  overlap?: OverlapResult;
  /** The `user-sessions` scenario (issue 14), when it ran. */
  userSessions?: UserSessionsResult;
  /** The `stale-read` scenario (issue 18), when it ran. */
  staleRead?: StaleReadResult;
}
