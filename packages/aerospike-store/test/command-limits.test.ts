/** The in-flight cap per client and the retry on "key busy". */
import { describe, expect, test } from '@jest/globals';
import * as Aerospike from 'aerospike';
import { CommandLimiter } from '../src/command-limiter';
import { retryWhenBusy } from '../src/retry';

const busy = () => Object.assign(new Error('Record busy'), { code: Aerospike.status.ERR_RECORD_BUSY });

describe('CommandLimiter', () => {
  test('never runs more than its limit at once, and runs every command', async () => {
    const limiter = new CommandLimiter(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        limiter.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running -= 1;
          return n;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  test('startCommand starts at once while a slot is free, then in arrival order as slots are given back', () => {
    const limiter = new CommandLimiter(2);
    const started: number[] = [];
    for (let n = 0; n < 5; n += 1) limiter.startCommand(() => started.push(n));
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight).toBe(2);
    limiter.releaseCommand();
    expect(started).toEqual([0, 1, 2]);
    limiter.releaseCommand();
    limiter.releaseCommand();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    limiter.releaseCommand();
    limiter.releaseCommand();
    expect(limiter.inFlight).toBe(0);
  });

  test('a failing command gives its slot back', async () => {
    const limiter = new CommandLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });

  test('scans count against the limit, and never take its last slot', async () => {
    const limiter = new CommandLimiter(3);
    const scans = await Promise.all([limiter.acquire('scan'), limiter.acquire('scan')]);
    expect(limiter.inFlight).toBe(2);
    let thirdScan = false;
    const waitingScan = limiter.acquire('scan').then((release) => {
      thirdScan = true;
      return release;
    });
    // The last slot goes to a command although the scan asked first: a scan's consumer may be waiting for it.
    const command = await limiter.acquire();
    expect(limiter.inFlight).toBe(3);
    expect(thirdScan).toBe(false);
    command();
    await Promise.resolve();
    expect(thirdScan).toBe(false);
    scans[0]?.();
    const release = await waitingScan;
    expect(limiter.inFlight).toBe(2);
    release();
    scans[1]?.();
    expect(limiter.inFlight).toBe(0);
  });

  test('a clear() that holds scans in every scan slot still gets its removals through', async () => {
    const limiter = new CommandLimiter(2);
    // Two concurrent "clear()"s: each holds a scan while it sends a command per batch.
    const clear = (batches: number) =>
      limiter.run(async () => {
        for (let n = 0; n < batches; n += 1) await limiter.run(async () => n);
        return batches;
      }, 'scan');
    await expect(Promise.all([clear(3), clear(4)])).resolves.toEqual([3, 4]);
    expect(limiter.inFlight).toBe(0);
  });

  test('with a limit of 1, scans run outside it (their consumer needs the one slot)', async () => {
    const limiter = new CommandLimiter(1);
    const result = await limiter.run(() => limiter.run(async () => 'batch'), 'scan');
    expect(result).toBe('batch');
    expect(limiter.inFlight).toBe(0);
  });
});

/** retryWhenBusy as a promise: `attempt` answers each try, synchronously or later. */
function retried<T>(attempt: () => Promise<T>, retries?: number): Promise<T | undefined> {
  return new Promise((resolve, reject) =>
    retryWhenBusy<T>(
      (done) => {
        attempt().then(
          (value) => done(null, value),
          (err: unknown) => done(err),
        );
      },
      (err, value) => (err ? reject(err) : resolve(value)),
      retries,
    ),
  );
}

describe('retryWhenBusy', () => {
  test('retries a command the server refused with "key busy" (14), then returns its result', async () => {
    let calls = 0;
    const result = await retried(async () => {
      calls += 1;
      if (calls < 3) throw busy();
      return 'done';
    });
    expect({ result, calls }).toEqual({ result: 'done', calls: 3 });
  });

  test('gives up after its retries, and never retries other errors', async () => {
    let calls = 0;
    await expect(
      retried(async () => {
        calls += 1;
        throw busy();
      }, 2),
    ).rejects.toMatchObject({ code: Aerospike.status.ERR_RECORD_BUSY });
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retried(async () => {
        calls += 1;
        throw Object.assign(new Error('timeout'), { code: Aerospike.status.ERR_TIMEOUT });
      }),
    ).rejects.toMatchObject({ code: Aerospike.status.ERR_TIMEOUT });
    expect(calls).toBe(1);
  });

  test('a command that throws while being sent (the client checks its arguments) fails with that error', async () => {
    const failure = await new Promise((resolve) =>
      retryWhenBusy(
        () => {
          throw new TypeError('bad key');
        },
        (err) => resolve(err),
      ),
    );
    expect(failure).toBeInstanceOf(TypeError);
  });
});
