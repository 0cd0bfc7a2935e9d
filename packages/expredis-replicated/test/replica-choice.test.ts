import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { type Hedged, HedgeTimer } from '../src/hedge-timer';
import { LatencyEstimate } from '../src/latency';
import type { Replica } from '../src/replica';
import { ReplicaChoice } from '../src/replica-choice';

/** What ReplicaChoice reads of a replica: whether it is usable, and its latency estimate. */
function fakeReplica(usable: boolean, latencyMs: number, now = 0): Replica {
  const latency = new LatencyEstimate();
  if (latencyMs > 0) for (let n = 0; n < 100; n++) latency.record(latencyMs, now);
  return { usable, latency } as unknown as Replica;
}

/** The servers chosen by `count` choices, one turn apart from the next. */
function choices(choice: ReplicaChoice, count: number, start = 0): number[] {
  return Array.from({ length: count }, (_, n) => choice.choose(start + n * 2));
}

describe('latency estimates', () => {
  test('start at 0, and a server that is much slower stands out at its first round trip', () => {
    const estimate = new LatencyEstimate();
    expect(estimate.current(0)).toBe(0);
    estimate.record(100, 0);
    expect(estimate.current(0)).toBeGreaterThanOrEqual(10);
  });

  test('one hiccup does not make a fast server look slow', () => {
    const estimate = new LatencyEstimate();
    for (let n = 0; n < 50; n++) estimate.record(0.3, n);
    estimate.record(5, 50);
    expect(estimate.current(50)).toBeLessThan(1.3);
  });

  test('fade once a server has not been measured for a while, so a slow one is tried again', () => {
    const estimate = new LatencyEstimate();
    for (let n = 0; n < 100; n++) estimate.record(100, 0);
    expect(estimate.current(1000)).toBeCloseTo(estimate.current(0));
    expect(estimate.current(2000)).toBeCloseTo(estimate.current(0) / 2);
    expect(estimate.current(9000)).toBeLessThan(1);
  });
});

describe('the server a read asks first', () => {
  test('equally fast servers take turns', () => {
    const choice = new ReplicaChoice([
      fakeReplica(true, 0.3),
      fakeReplica(true, 0.5),
      fakeReplica(true, 0.4),
    ]);
    expect(choices(choice, 6)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  test('reads within one turn (about a millisecond) go to the same server', () => {
    const choice = new ReplicaChoice([fakeReplica(true, 0.3), fakeReplica(true, 0.3)]);
    expect([choice.choose(0), choice.choose(0.5), choice.choose(0.9), choice.choose(1.5)]).toEqual([
      0, 0, 0, 1,
    ]);
  });

  test('a server much slower than the best is not asked first; one unreachable is never', () => {
    const choice = new ReplicaChoice([
      fakeReplica(true, 0.3),
      fakeReplica(true, 25),
      fakeReplica(false, 0.3),
    ]);
    expect(choices(choice, 4)).toEqual([0, 0, 0, 0]);
    expect(choice.estimate).toBeCloseTo(0.3);
  });

  test('within 1.5 times the best, or 1 ms of it, counts as equally fast', () => {
    const choice = new ReplicaChoice([fakeReplica(true, 10), fakeReplica(true, 14), fakeReplica(true, 16)]);
    expect(choices(choice, 4)).toEqual([0, 1, 0, 1]);
    const near = new ReplicaChoice([fakeReplica(true, 0.1), fakeReplica(true, 1), fakeReplica(true, 1.2)]);
    expect(choices(near, 4)).toEqual([0, 1, 0, 1]);
  });

  test('none reachable: -1 (the read asks every server)', () => {
    const choice = new ReplicaChoice([fakeReplica(false, 0.3), fakeReplica(false, 0.3)]);
    expect(choice.choose(0)).toBe(-1);
  });
});

describe('the hedge timer', () => {
  // Fake clocks (setTimeout, setImmediate and performance.now): on a loaded machine real ones let
  // the test's own wake-up run before the timer's deferred sweep, and the order is what is tested.
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  function read(log: string[], name: string): Hedged {
    return {
      hedgeAt: 0,
      hedgeQueued: false,
      hedgePrevious: undefined,
      hedgeNext: undefined,
      hedge: () => log.push(name),
    };
  }

  test('hedges each read at its time, unless it was removed before', () => {
    const timer = new HedgeTimer();
    const log: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => read(log, name)) as [
      Hedged,
      Hedged,
      Hedged,
      Hedged,
    ];
    const now = performance.now();
    timer.add(a, now + 300);
    timer.add(b, now + 5); // earlier than the read before it
    timer.add(c, now + 10);
    timer.add(d, now + 10);
    timer.remove(c);
    jest.advanceTimersByTime(4);
    expect(log).toEqual([]);
    jest.advanceTimersByTime(56);
    expect(log).toEqual(['b', 'd']);
    jest.advanceTimersByTime(300);
    expect(log).toEqual(['b', 'd', 'a']);
    expect([a, b, c, d].map((entry) => entry.hedgeQueued)).toEqual([false, false, false, false]);
  });
});
