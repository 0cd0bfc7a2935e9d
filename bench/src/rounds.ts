import type { MemoryFigures } from './memory';
import type { HttpFigures, HttpResult, HttpScenario, StoreResult } from './results';
import type { Summary } from './stats';
import type { OpName } from './subjects';

/**
 * Every figure is measured in several rounds, the subjects taking turns within each
 * round, so a slow spell of the machine hits anchors and our stores alike. A figure
 * reported is the round with the median rate; the JSON keeps every round's rate.
 */

/** The element of `list` with the median `rate` (the lower middle one for an even count). */
function medianBy<T>(list: readonly T[], rate: (item: T) => number): T | undefined {
  const sorted = [...list].sort((a, b) => rate(a) - rate(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function mergeMemory(list: ReadonlyArray<MemoryFigures | undefined>): MemoryFigures | undefined {
  const present = list.filter((m): m is MemoryFigures => m !== undefined);
  if (present.length === 0) return undefined;
  const max = (pick: (m: MemoryFigures) => number): number => Math.max(...present.map(pick));
  const retained = present.map((m) => m.heapRetained).filter((r): r is number => r !== null);
  return {
    rssStart: Math.min(...present.map((m) => m.rssStart)),
    rssPeak: max((m) => m.rssPeak),
    rssGrowth: max((m) => m.rssGrowth),
    heapPeak: max((m) => m.heapPeak),
    heapRetained: retained.length ? Math.max(...retained) : null,
  };
}

/** The first round that did not succeed, if any: then the subject keeps no figures at all. */
function firstBad<T extends { status: string }>(rounds: readonly T[]): T | undefined {
  return rounds.find((r) => r.status !== 'ok');
}

/** Merges one subject's store-level rounds (at least one). */
export function mergeStoreRounds(rounds: readonly StoreResult[]): StoreResult {
  const first = rounds[0] as StoreResult;
  const bad = firstBad(rounds);
  if (bad) return { ...bad, ops: {}, memory: undefined, rounds: rounds.length };
  const ops: Partial<Record<OpName, Summary>> = {};
  for (const op of Object.keys(first.ops) as OpName[]) {
    const summaries = rounds.map((r) => r.ops[op]).filter((s): s is Summary => s !== undefined);
    const median = medianBy(summaries, (s) => s.perSecond);
    if (median) ops[op] = { ...median, roundRates: summaries.map((s) => s.perSecond) };
  }
  return { ...first, ops, memory: mergeMemory(rounds.map((r) => r.memory)), rounds: rounds.length };
}

/** Merges one subject's HTTP rounds (at least one). */
export function mergeHttpRounds(rounds: readonly HttpResult[]): HttpResult {
  const first = rounds[0] as HttpResult;
  const bad = firstBad(rounds);
  if (bad) return { ...bad, scenarios: {}, serverMemory: undefined, rounds: rounds.length };
  const scenarios: Partial<Record<HttpScenario, HttpFigures>> = {};
  for (const name of Object.keys(first.scenarios) as HttpScenario[]) {
    const figures = rounds.map((r) => r.scenarios[name]).filter((f): f is HttpFigures => f !== undefined);
    const median = medianBy(figures, (f) => f.perSecond);
    if (median) scenarios[name] = { ...median, roundRates: figures.map((f) => f.perSecond) };
  }
  return {
    ...first,
    scenarios,
    serverMemory: mergeMemory(rounds.map((r) => r.serverMemory)),
    rounds: rounds.length,
  };
}
