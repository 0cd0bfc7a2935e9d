import { describe, expect, test } from '@jest/globals';
import {
  describeWithBackend,
  retried,
  timedFailure,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import type { RedisClientType } from 'redis';
import { ErrorCode, type RedisClientLike } from '../src';
import {
  closeNodeRedis,
  cookieHeader,
  openIoRedis,
  openNodeRedis,
  type StepApp,
  stepApp,
  testPrefix,
  useMiddlewares,
} from './helpers';

const COMMAND_TIMEOUT_MS = 500;
/** Scheduling slack on a busy machine; the bound under test is COMMAND_TIMEOUT_MS. */
const SLACK_MS = 1000;

describeWithBackend('redis', 'when Redis dies and comes back', () => {
  // Our own redis-server (never REDIS_URL): the tests kill and restart it.
  const redis = useRedis({ ownProcess: true });
  const prefix = testPrefix('faults');

  describe('clients', () => {
    const nodeRedis = useStarted('the resource', () => openNodeRedis(redis().url), closeNodeRedis);
    const ioredis = useStarted(
      'the resource',
      () => openIoRedis(redis().url),
      async (client) => client.disconnect(),
    );
    const middlewareWith = useMiddlewares(prefix);

    const variants: Array<[string, () => object]> = [
      ['its own client', () => ({ url: redis().url })],
      ['an app node-redis client', () => ({ client: nodeRedis() as RedisClientType as RedisClientLike })],
      ['an app ioredis client', () => ({ client: ioredis() as unknown as RedisClientLike })],
    ];

    for (const [label, connection] of variants) {
      test(`with ${label}: calls fail with ERR_BACKEND_UNAVAILABLE within commandTimeout, then work again`, async () => {
        const middleware = middlewareWith({ ...connection(), commandTimeout: COMMAND_TIMEOUT_MS });
        const app: StepApp = stepApp(middleware);
        // Steps before and after the outage are retried (a busy machine can push them past the
        // short budget): only the calls made while Redis is down are held to it.
        const untilItWorks = <T>(step: () => Promise<T>, what: string): Promise<T> =>
          retried(
            async () => {
              const value = await step();
              // No value: the session middleware failed before the step ran.
              if (value === undefined) throw new Error('the step did not run');
              return value;
            },
            { timeoutMs: 20_000, intervalMs: 100, what },
          );
        const id = await untilItWorks(
          async () =>
            (
              await app.step(async (s) => {
                await s.set('before', 1);
                return s.id;
              })
            ).value,
          'a first session',
        );
        const withCookie = { Cookie: cookieHeader(id) };

        await redis().kill();

        // Promises, and callbacks, each get the code, within the budget. All are sent at once
        // (invalidate last: after it the request has a new, empty session, which needs no Redis).
        const { value: outcomes } = await app.step(
          (s) =>
            Promise.all([
              timedFailure(() => s.get('before')),
              timedFailure(() => s.mset({ during: 1 })),
              timedFailure(() => s.remove('before')),
              timedFailure(
                () => new Promise((resolve, reject) => s.touch((err, v) => (err ? reject(err) : resolve(v)))),
              ),
              timedFailure(() => s.regenerate()),
              timedFailure(() => s.invalidate()),
            ]),
          undefined,
          withCookie,
        );
        for (const outcome of outcomes) {
          expect(outcome.code).toBe(ErrorCode.BackendUnavailable);
          expect(outcome.ms).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
        }
        // A request that does not use its session does not notice the outage.
        const untouched = await app.step(() => 'fine', undefined, withCookie);
        expect(untouched.response.status).toBe(200);

        await redis().restart();
        // The same middleware recovers by itself (the restarted server is empty).
        const value = await untilItWorks(
          async () =>
            (
              await app.step(async (s) => {
                await s.set('after', 3);
                return s.get('after');
              })
            ).value,
          'the middleware to work again',
        );
        expect(value).toBe(3);
      }, 60_000);
    }
  });
});
