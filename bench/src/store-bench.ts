import { type SubjectInstance, SubjectUnavailable } from './context';
import { newSessionId, type SessionItem } from './fixtures';
import { describeError, formatMs, formatRate } from './format';
import { runConcurrent, runSequential } from './load-runner';
import { MemorySampler } from './memory';
import type { StoreResult } from './results';
import type { ContextHandle } from './servers';
import { type Summary, summarizeTimings, type Timing } from './stats';
import type { StoreOps } from './store-ops';
import type { OpName, Subject } from './subjects';
import {
  expectAll,
  expectItem,
  expectLength,
  expectMissing,
  expectOwned,
  verifyRoundTrip,
  verifySample,
  verifySampleMissing,
} from './verify';

/** Settings of the store-level benchmark. */
export interface StoreBenchSettings {
  /** The loaded sessions (`--sessions` of them), shared by every subject of the run. */
  items: readonly SessionItem[];
  /** Two extra sessions for the round-trip check before anything is timed. */
  probes: readonly [SessionItem, SessionItem];
  ops: number;
  concurrency: number;
  quick: boolean;
  log: (line: string) => void;
}

/** Untimed operations run before each timed phase, so the JIT and connections are warm. */
const WARMUP_OPS = 2_000;
/** The shortest timed phase, in ms: `--ops` is repeated until the phase lasts this long. */
const MIN_PHASE_MS = 1_000;
const MIN_PHASE_MS_QUICK = 250;

/** The operations a subject does not time: the ones it is known to get wrong (see {@link Subject.untimed}). */
type UntimedOp = keyof NonNullable<Subject['untimed']>;
type ApartOp = Exclude<UntimedOp, 'underscore-id'>;
const APART_OPS: readonly ApartOp[] = ['length', 'all', 'destroy', 'clear'];
/** Longer than any write-behind period: what a store acknowledged must still be there after it. */
const WRITE_BEHIND_WAIT_MS = 1_500;

/** `ops` without the operations in `untimed`, and those operations apart. */
function splitUntimed(
  ops: StoreOps,
  untimed: Subject['untimed'],
): { timedOps: StoreOps; apart: Partial<Pick<StoreOps, ApartOp>> } {
  const timedOps: StoreOps = { ...ops };
  const apart: Partial<Pick<StoreOps, ApartOp>> = {};
  for (const op of APART_OPS) {
    if (untimed?.[op] === undefined) continue;
    Object.assign(apart, { [op]: ops[op] });
    delete timedOps[op];
  }
  return { timedOps, apart };
}

/**
 * Runs once an operation the subject does not time, with the check the timed phase would
 * make; resolves with "passed" or what went wrong. `length` and `all` run right after the
 * load, `destroy` and `clear` after the timed phases (they change the data).
 */
async function checkUntimed(
  op: UntimedOp,
  ops: StoreOps,
  apart: Partial<Pick<StoreOps, ApartOp>>,
  items: readonly SessionItem[],
  probe: SessionItem,
): Promise<string> {
  try {
    if (op === 'length' && apart.length) {
      expectLength(await apart.length(), items.length, `right after loading ${items.length} sessions`);
    } else if (op === 'all' && apart.all) {
      expectAll(await apart.all(), items, ops.view);
    } else if (op === 'destroy' && apart.destroy) {
      await ops.set(probe);
      await apart.destroy(probe.id);
      expectMissing(await ops.get(probe.id), probe.id, 'get after destroy');
    } else if (op === 'clear' && apart.clear) {
      await apart.clear();
      await verifySampleMissing(ops, items, 'get after clear');
    } else if (op === 'underscore-id') {
      const item: SessionItem = { ...probe, id: `_${probe.id.slice(1)}` };
      const viewed = async (): Promise<unknown> => {
        const result = await ops.get(item.id);
        return ops.view ? ops.view(result) : result;
      };
      await ops.set(item);
      expectItem(await viewed(), item, 'id starting with _');
      await new Promise((resolve) => setTimeout(resolve, WRITE_BEHIND_WAIT_MS));
      expectItem(await viewed(), item, `id starting with _, ${WRITE_BEHIND_WAIT_MS} ms later`);
    } else {
      return 'not implemented by the store';
    }
    return 'passed here';
  } catch (err) {
    return `FAILED: ${describeError(err)}`;
  }
}

/** Runs every phase on one instance; throws VerificationFailure (or the store's own error). */
async function runPhases(
  allOps: StoreOps,
  settings: StoreBenchSettings,
  record: (op: OpName, summary: Summary) => void,
  markLoaded: () => void,
  untimed: Subject['untimed'],
  recordUntimed: (op: UntimedOp, check: string) => void,
): Promise<void> {
  const { items, concurrency, quick } = settings;
  const { timedOps: ops, apart } = splitUntimed(allOps, untimed);
  const check = async (op: UntimedOp): Promise<void> => {
    if (untimed?.[op] !== undefined)
      recordUntimed(op, await checkUntimed(op, ops, apart, items, settings.probes[1]));
  };
  const n = items.length;
  const count = settings.ops;
  const warm = Math.min(WARMUP_OPS, count);
  const item = (i: number): SessionItem => items[i % n] as SessionItem;
  const load = async (): Promise<void> => {
    await runConcurrent(n, concurrency, (i) => ops.set(item(i)));
  };
  // Fast subjects repeat the batch until the phase lasts long enough to be measured.
  const minMs = quick ? MIN_PHASE_MS_QUICK : MIN_PHASE_MS;
  const elapsed = (timings: readonly Timing[]): number => timings.reduce((ms, t) => ms + t.elapsedMs, 0);
  const timed = async (op: OpName, run: (i: number) => Promise<void>): Promise<void> => {
    await runConcurrent(warm, concurrency, run);
    const timings: Timing[] = [];
    let offset = 0;
    do {
      const start = offset;
      timings.push(await runConcurrent(count, concurrency, (i) => run(start + i)));
      offset += count;
    } while (elapsed(timings) < minMs);
    record(op, summarizeTimings(timings));
  };

  await verifyRoundTrip(ops, settings.probes[0], settings.probes[1]);

  await load();
  markLoaded();
  await verifySample(ops, items, 'after loading');
  await check('length');
  await check('all');

  await timed('set', (i) => ops.set(item(i)));
  await verifySample(ops, items, 'after the set phase');

  await timed('get', async (i) => {
    const expected = item(i);
    expectOwned(await ops.get(expected.id), expected, 'get phase');
  });

  if (ops.update) {
    const update = ops.update;
    await timed('update', async (i) => {
      const expected = item(i);
      expectOwned(await update(expected.id), expected, 'update phase');
    });
    await verifySample(ops, items, 'after the update phase');
  }

  if (ops.touch) {
    const touch = ops.touch;
    await timed('touch', (i) => touch(item(i)));
    await verifySample(ops, items, 'after the touch phase', true);
  }

  const missing = Array.from({ length: Math.min(n, count) }, newSessionId);
  await timed('get-missing', async (i) => {
    const id = missing[i % missing.length] as string;
    expectMissing(await ops.get(id), id, 'get of a missing id');
  });

  if (ops.destroy) {
    // Each pass destroys the loaded sessions once (warm-up: destroying missing ids). Passes go on
    // until `count` ops and the minimum phase time; each needs an untimed reload, so they are bounded.
    const destroy = ops.destroy;
    await runConcurrent(warm, concurrency, (i) => destroy(missing[i % missing.length] as string));
    const timings: Timing[] = [];
    const maxPasses = Math.max(Math.ceil(count / n), quick ? 3 : 10);
    for (let done = 0; done < count || (elapsed(timings) < minMs && timings.length < maxPasses); done += n) {
      if (done > 0) await load();
      const pass = done < count ? Math.min(n, count - done) : n;
      timings.push(await runConcurrent(pass, concurrency, (i) => destroy(item(i).id)));
      await verifySampleMissing(ops, items.slice(0, pass), 'after the destroy phase');
    }
    record('destroy', summarizeTimings(timings));
    await load();
  }

  // Enumeration over exactly `n` sessions: one call at a time.
  const window = { minCalls: quick ? 2 : 3, minMs: quick ? 400 : 2_000, maxCalls: 10_000 };
  if (ops.length) {
    const length = ops.length;
    expectLength(await length(), n, `after loading ${n} sessions`);
    let last = n;
    record(
      'length',
      await runSequential(
        async () => {
          last = await length();
        },
        window,
        { after: async () => expectLength(last, n, 'length phase') },
      ),
    );
  }
  if (ops.all) {
    const all = ops.all;
    let last: unknown;
    record(
      'all',
      await runSequential(
        async () => {
          last = await all();
        },
        window,
        { after: async () => expectAll(last, items, ops.view) },
      ),
    );
  }
  if (ops.clear) {
    const clear = ops.clear;
    const calls = quick ? 1 : 3;
    let first = true;
    record(
      'clear',
      await runSequential(
        clear,
        { minCalls: calls, minMs: 0, maxCalls: calls },
        {
          before: async () => {
            if (!first) await load();
            first = false;
          },
          after: async () => {
            if (ops.length) expectLength(await ops.length(), 0, 'after clear');
            await verifySampleMissing(ops, items, 'after clear');
          },
        },
      ),
    );
  }
  await check('destroy');
  await check('clear');
  await check('underscore-id');
}

/**
 * Measures one subject at store level: verifies a round trip, loads the sessions, then
 * times set, get, touch, get of a missing id, destroy (64 in flight by default), then
 * length, all and clear over the loaded sessions (one call at a time), checking results
 * all along. A subject whose data comes back wrong is FAILED and keeps no figures.
 */
export async function benchStore(
  subject: Subject,
  handle: ContextHandle,
  settings: StoreBenchSettings,
): Promise<StoreResult> {
  const result: StoreResult = { subject: subject.name, label: subject.label, status: 'ok', ops: {} };
  const sampler = new MemorySampler();
  let instance: SubjectInstance | undefined;
  try {
    instance = await subject.create(handle.ctx);
    result.api = instance.ops.api;
    await runPhases(
      instance.ops,
      settings,
      (op, summary) => {
        sampler.sample();
        result.ops[op] = summary;
        const latency = `p50 ${formatMs(summary.p50Ms)} ms  p99 ${formatMs(summary.p99Ms)} ms`;
        settings.log(`    ${op.padEnd(12)} ${formatRate(summary.perSecond).padStart(7)}/s  ${latency}`);
      },
      () => sampler.markRetained(),
      subject.untimed,
      (op, check) => {
        const reason = subject.untimed?.[op] ?? '';
        result.untimed = { ...result.untimed, [op]: { reason, check } };
        settings.log(`    ${op.padEnd(12)} not timed (${reason}); checked once: ${check}`);
      },
    );
  } catch (err) {
    result.status = err instanceof SubjectUnavailable ? 'skipped' : 'failed';
    result.reason = err instanceof SubjectUnavailable ? err.message : describeError(err);
    result.ops = {};
    result.untimed = undefined;
    settings.log(`    ${result.status.toUpperCase()}: ${result.reason}`);
  } finally {
    try {
      await instance?.close();
      await handle.cleanup();
    } catch (err) {
      settings.log(`    (cleanup: ${describeError(err)})`);
    }
    const memory = sampler.stop();
    if (result.status === 'ok') result.memory = memory;
  }
  return result;
}
