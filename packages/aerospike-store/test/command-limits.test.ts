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

  test('a failing command gives its slot back', async () => {
    const limiter = new CommandLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });
});

describe('retryWhenBusy', () => {
  test('retries a command the server refused with "key busy" (14), then returns its result', async () => {
    let calls = 0;
    const result = await retryWhenBusy(async () => {
      calls += 1;
      if (calls < 3) throw busy();
      return 'done';
    });
    expect({ result, calls }).toEqual({ result: 'done', calls: 3 });
  });

  test('gives up after its retries, and never retries other errors', async () => {
    let calls = 0;
    await expect(
      retryWhenBusy(async () => {
        calls += 1;
        throw busy();
      }, 2),
    ).rejects.toMatchObject({ code: Aerospike.status.ERR_RECORD_BUSY });
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryWhenBusy(async () => {
        calls += 1;
        throw Object.assign(new Error('timeout'), { code: Aerospike.status.ERR_TIMEOUT });
      }),
    ).rejects.toMatchObject({ code: Aerospike.status.ERR_TIMEOUT });
    expect(calls).toBe(1);
  });
});
