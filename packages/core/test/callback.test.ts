import { describe, expect, test } from '@jest/globals';
import { bridgeCallback, ErrorCode } from '../src';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('bridgeCallback: callbacks and promises', () => {
  test('without a callback the promise is returned', async () => {
    await expect(bridgeCallback(Promise.resolve(7), undefined) as Promise<number>).resolves.toBe(7);
  });

  test('a rejected promise with no callback and no handler is not an unhandled rejection', async () => {
    const seen: unknown[] = [];
    const listener = (reason: unknown) => seen.push(reason);
    process.on('unhandledRejection', listener);
    bridgeCallback(Promise.reject(new Error('ignored by a fire-and-forget caller')), undefined);
    await tick();
    await tick();
    process.off('unhandledRejection', listener);
    expect(seen).toEqual([]);
  });

  test('the callback gets (null, value) once, after the caller continues', async () => {
    const calls: unknown[][] = [];
    let returned = false;
    bridgeCallback(Promise.resolve('v'), (...args: unknown[]) => calls.push([returned, ...args]));
    returned = true;
    await tick();
    expect(calls).toEqual([[true, null, 'v']]);
  });

  test('the callback gets the error alone on failure', async () => {
    const calls: unknown[][] = [];
    const err = new Error('nope');
    bridgeCallback(Promise.reject(err), (...args: unknown[]) => calls.push(args));
    await tick();
    expect(calls).toEqual([[err]]);
  });

  test('a throwing callback is reported once and not called again', async () => {
    let calls = 0;
    const reported: unknown[] = [];
    bridgeCallback(
      Promise.resolve(1),
      () => {
        calls += 1;
        throw new Error('from the callback');
      },
      (thrown) => reported.push(thrown),
    );
    await tick();
    expect(calls).toBe(1);
    expect(reported).toEqual([new Error('from the callback')]);
  });

  test('a callback that is not a function is reported through the promise', async () => {
    const result = bridgeCallback(Promise.resolve(1), 'oops' as never) as Promise<number>;
    await expect(result).rejects.toMatchObject({ code: ErrorCode.InvalidArgument, argument: 'callback' });
  });
});
