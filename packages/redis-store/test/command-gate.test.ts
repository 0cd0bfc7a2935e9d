import { describe, expect, test } from '@jest/globals';
import { CommandGate, type GateOptions } from '../src/command-gate';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** A gate over a fake connection whose readiness the test switches. */
function gate(overrides: Partial<GateOptions> = {}) {
  const state = { ready: true, waits: 0, observed: 0, unreachable: 0 };
  const instance = new CommandGate({
    commandTimeout: 50,
    isReady: () => state.ready,
    onWait: () => {
      state.waits++;
    },
    onReadyObserved: () => {
      state.observed++;
    },
    notConnectedError: (ms) => new Error(`not connected within ${ms}`),
    noAnswerError: (ms) => new Error(`no answer within ${ms}`),
    isUnavailable: (err) => err instanceof Error && err.message === 'ECONNRESET',
    onUnavailable: () => {
      state.unreachable++;
    },
    ...overrides,
  });
  return { instance, state };
}

describe('CommandGate', () => {
  test('passes answers and errors through', async () => {
    const { instance } = gate();
    await expect(instance.run(async () => 'OK')).resolves.toBe('OK');
    await expect(instance.run(async () => Promise.reject(new Error('WRONGTYPE')))).rejects.toThrow(
      'WRONGTYPE',
    );
    await expect(
      instance.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });

  test('an unanswered round trip fails after the budget and reports the server unreachable', async () => {
    const { instance, state } = gate();
    await expect(instance.run(never)).rejects.toThrow('no answer within 50');
    expect(state.unreachable).toBe(1);
  });

  test('an unreachable-server error is reported; other errors are not', async () => {
    const { instance, state } = gate();
    await instance.run(async () => Promise.reject(new Error('ECONNRESET'))).catch(() => undefined);
    await instance.run(async () => Promise.reject(new Error('WRONGTYPE'))).catch(() => undefined);
    expect(state.unreachable).toBe(1);
  });

  test('while not ready, commands wait (unsent) and fail with the not-connected error', async () => {
    const { instance, state } = gate();
    state.ready = false;
    let sent = false;
    await expect(
      instance.run(async () => {
        sent = true;
      }),
    ).rejects.toThrow('not connected within 50');
    expect(sent).toBe(false);
    expect(state.waits).toBe(1);
    expect(state.unreachable).toBe(0);
  });

  test('waiting commands are sent when the connection comes back, by event or by polling', async () => {
    const { instance, state } = gate({ commandTimeout: 2000 });
    state.ready = false;
    const first = instance.run(async () => 'first');
    state.ready = true;
    instance.notifyReady();
    await expect(first).resolves.toBe('first');

    state.ready = false;
    const second = instance.run(async () => 'second');
    state.ready = true; // no event: the gate's polling finds it
    await expect(second).resolves.toBe('second');
    expect(state.observed).toBeGreaterThan(0);
  });

  test('dispose fails waiting and later commands, and lets sent ones finish', async () => {
    const { instance, state } = gate({ commandTimeout: 2000 });
    let answer: (value: string) => void = () => undefined;
    const sent = instance.run(
      () =>
        new Promise<string>((resolve) => {
          answer = resolve;
        }),
    );
    state.ready = false;
    const waiting = instance.run(async () => 'never sent');
    instance.dispose(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
    await expect(instance.run(async () => 'later')).rejects.toThrow('closed');
    answer('answered');
    await expect(sent).resolves.toBe('answered');
  });

  test('settled round trips are not retained', async () => {
    const { instance } = gate({ commandTimeout: 60_000 });
    for (let n = 0; n < 5000; n++) await instance.run(async () => n);
    expect((instance as unknown as { queue: unknown[]; head: number }).queue.length).toBeLessThan(5);
  });
});
