import { describe } from '@jest/globals';
import {
  cleanUpPrefix,
  describeWithBackend,
  OLDER_REDIS_CLIENTS,
  useRedis,
  useStarted,
} from '@session-stores/test-servers';
import request from 'supertest';
import { type AltSessionMiddleware, altSession, createTestSession, type RedisClientLike } from '../src';
import { type ApiHarness, apiTable } from './api-table';
import {
  closeNodeRedis,
  openIoRedis,
  openNodeRedis,
  SECRET,
  type StepApp,
  stepApp,
  testPrefix,
} from './helpers';

/** A harness whose every step is one request of one client (a supertest agent with its cookie jar). */
function requestHarness(app: () => StepApp): () => ApiHarness {
  return () => {
    const agent = request.agent(app().app);
    return { step: async (fn) => (await app().step(fn, agent)).value };
  };
}

describeWithBackend('redis', 'the API on Redis', () => {
  const redis = useRedis();
  const prefix = testPrefix('api');
  cleanUpPrefix(redis, prefix, { tolerateDown: true });

  const variants: Array<[string, () => Promise<{ options: object; close(): Promise<void> }>]> = [
    [
      'a node-redis client',
      async () => {
        const client = await openNodeRedis(redis().url);
        return { options: { client: client as RedisClientLike }, close: () => closeNodeRedis(client) };
      },
    ],
    [
      'an ioredis client',
      async () => {
        const client = await openIoRedis(redis().url);
        return { options: { client: client as RedisClientLike }, close: async () => client.disconnect() };
      },
    ],
    ['its own client (url)', async () => ({ options: { url: redis().url }, close: async () => undefined })],
    // The older majors the peer ranges claim (the ones above are the newest, this package's own).
    ...OLDER_REDIS_CLIENTS.map((older): (typeof variants)[number] => [
      `a ${older.name} client`,
      async () => {
        const client = await older.open(redis().url);
        return { options: { client: client as RedisClientLike }, close: () => older.close(client) };
      },
    ]),
  ];

  for (const [label, connect] of variants) {
    describe(`with ${label}`, () => {
      const app = useStarted(
        'the resource',
        async () => {
          const connection = await connect();
          const middleware = altSession({
            ...connection.options,
            secret: SECRET,
            session: { prefix: `${prefix}:${label.replace(/\W/g, '')}` },
          });
          return { step: stepApp(middleware), middleware, connection };
        },
        async ({
          middleware,
          connection,
        }: {
          middleware: AltSessionMiddleware;
          connection: { close(): Promise<void> };
        }) => {
          await middleware.close();
          await connection.close();
        },
      );
      apiTable(requestHarness(() => app().step));
    });
  }
});

describe('the API on the mock middleware (altSession.mock)', () => {
  const app = stepApp(altSession.mock({ secret: SECRET }));
  apiTable(requestHarness(() => app));
});

describe('the API on createTestSession()', () => {
  apiTable(() => {
    const session = createTestSession();
    return { step: async (fn) => fn(session) };
  });
});
