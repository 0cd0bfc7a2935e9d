import { afterEach, expect, test } from '@jest/globals';
import { ErrorCode, type StoreOperationContext, subscribeStoreOperations } from '@session-stores/core';
import { describeWithBackend, useRedis } from '@session-stores/test-servers';
import request from 'supertest';
import { altSession, bridge } from '../src';
import { stepApp, testPrefix, useMiddlewares } from './helpers';

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

/** Every finished operation of alt-session-async, as `<operation>` or `<operation>:<code>`. */
function recordOperations(): { seen: string[]; contexts: StoreOperationContext[] } {
  const seen: string[] = [];
  const contexts: StoreOperationContext[] = [];
  stop = subscribeStoreOperations({
    asyncEnd: (context) => {
      if (context.store !== 'AltSession') return;
      contexts.push(context);
      seen.push(context.code ? `${context.operation}:${context.code}` : context.operation);
    },
  });
  return { seen, contexts };
}

describeWithBackend('redis', "alt-session-async's operations on core's store channels", () => {
  const redis = useRedis();
  const prefix = testPrefix('telemetry');
  const middleware = useMiddlewares(prefix, () => ({ url: redis().url }));

  test('each session method and each bridge round trip is published with the store, backend and prefix', async () => {
    const { seen, contexts } = recordOperations();
    const mw = middleware();
    const app = stepApp(mw);
    const jar = request.agent(app.app);
    await app.step(async (s) => {
      await s.set('a', 1);
      await s.mset({ b: 2, c: 3 });
      await s.get('a');
      await s.mget(['a', 'b']);
      await s.remove('c');
      await s.touch();
      await s.regenerate();
      await s.invalidate();
      await s.get('').catch(() => undefined);
    }, jar);
    expect(seen.splice(0)).toEqual([
      'set',
      'mset',
      'get',
      'mget',
      'remove',
      'touch',
      'regenerate',
      'invalidate',
      `get:${ErrorCode.InvalidArgument}`,
    ]);
    // The bridge: one load of its keys (mget) and one save of the changed key (mset).
    const bridged = stepApp(mw, { after: [bridge({ keys: ['cart'] })] });
    await bridged.step((_s, req) => {
      (req as unknown as { session: { cart: number[] } }).session.cart = [1];
    });
    expect(seen).toEqual(['mget', 'mset']);
    expect(contexts[0]).toMatchObject({ store: 'AltSession', backend: 'redis', prefix });
  });

  test('the test double publishes as backend memory', async () => {
    const { contexts } = recordOperations();
    await stepApp(altSession.mock()).step((s) => s.set('a', 1));
    expect(contexts.map((c) => [c.operation, c.backend])).toEqual([['set', 'memory']]);
  });
});
