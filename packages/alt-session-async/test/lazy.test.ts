import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { describeWithBackend, useRedis, useStarted } from '@session-stores/test-servers';
import Redis from 'ioredis';
import { altSession } from '../src';
import {
  callsBetween,
  commandCalls,
  cookieHeader,
  raw,
  SECRET,
  setCookies,
  sleep,
  stepApp,
  testPrefix,
} from './helpers';

/** One command as MONITOR saw it: its name and who sent it (`lua` for a script's own calls). */
interface Seen {
  readonly command: string;
  readonly source: string;
}

/** Records every command the server runs, through MONITOR, until `stop()`. */
async function monitor(url: string): Promise<{ seen: Seen[]; stop(): Promise<void> }> {
  const client = new Redis(url, { lazyConnect: true });
  client.on('error', () => undefined);
  const monitoring = await client.monitor();
  const seen: Seen[] = [];
  monitoring.on('monitor', (_time: string, args: string[], source: string) => {
    seen.push({ command: String(args[0]).toLowerCase(), source });
  });
  return {
    seen,
    stop: async () => {
      monitoring.disconnect();
      client.disconnect();
    },
  };
}

describeWithBackend('redis', 'laziness, counted by the server (INFO commandstats, MONITOR)', () => {
  // Our own server: on a shared REDIS_URL server other tests' commands would be counted.
  const redis = useRedis({ ownProcess: true });
  const prefix = testPrefix('lazy');
  const TTI_SECONDS = 60;

  describe('middleware', () => {
    const middleware = useStarted(
      'the resource',
      () => altSession({ url: redis().url, secret: SECRET, session: { prefix, tti: TTI_SECONDS } }),
      (m) => m.close(),
    );
    let id: string;
    let before: Record<string, number>;

    beforeEach(async () => {
      // A stored session; this also connects the client and loads the scripts (a first
      // EVALSHA would fail with NOSCRIPT and be sent again as EVAL).
      const app = stepApp(middleware());
      id = (
        await app.step(async (s) => {
          await s.mset({ a: 1, b: 2 });
          return s.id;
        })
      ).value;
      await app.step((s) => s.get('a'), undefined, { Cookie: cookieHeader(id) });
      // A short TTL, so a refresh shows.
      await raw(redis())('PEXPIRE', `${prefix}:${id}`, '5000');
      await redis().command('CONFIG', 'RESETSTAT');
      before = await commandCalls(redis());
    });

    let stopMonitor: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await stopMonitor?.();
      stopMonitor = undefined;
    });

    test('a request that never touches its session sends no command and sets no cookie', async () => {
      const app = stepApp(middleware());
      const responses = [
        (await app.step((s) => s.id)).response,
        (await app.step((s) => s.id, undefined, { Cookie: cookieHeader(id) })).response,
        (await app.step((s) => s.isNew, undefined, { Cookie: 'sid=s%3Atampered.sig' })).response,
      ];
      expect(callsBetween(before, await commandCalls(redis()))).toEqual({});
      for (const response of responses) expect(setCookies(response)).toEqual([]);
    });

    test('reads of a session that was never stored send no command either', async () => {
      await stepApp(middleware()).step(async (s) => [
        await s.get('a'),
        await s.mget(['a', 'b']),
        await s.touch(),
      ]);
      expect(callsBetween(before, await commandCalls(redis()))).toEqual({});
    });

    test('the first read checks existence and refreshes the idle timeout in the same round trip', async () => {
      const watcher = await monitor(redis().url);
      stopMonitor = watcher.stop;
      // Counted from here: the monitor's own connection sends commands too (ioredis 6: HELLO).
      before = await commandCalls(redis());
      const { value } = await stepApp(middleware()).step(
        async (s) => [await s.get('a'), await s.get('b')],
        undefined,
        {
          Cookie: cookieHeader(id),
        },
      );
      expect(value).toEqual([1, 2]);
      // Two round trips (one EVALSHA per call); only the first refreshes the TTL (one PEXPIRE).
      expect(callsBetween(before, await commandCalls(redis()))).toEqual({
        evalsha: 2,
        exists: 2,
        hmget: 2,
        pexpire: 1,
      });
      const pttl = Number(await raw(redis())('PTTL', `${prefix}:${id}`));
      expect(pttl).toBeGreaterThan(TTI_SECONDS * 1000 - 5000);
      // MONITOR: the app sent EVALSHA only; EXISTS, HMGET and PEXPIRE ran inside the script.
      await sleep(100);
      const ours = watcher.seen.filter((c) =>
        ['evalsha', 'eval', 'exists', 'hmget', 'pexpire', 'expire'].includes(c.command),
      );
      expect(ours.filter((c) => c.source !== 'lua').map((c) => c.command)).toEqual(['evalsha', 'evalsha']);
      expect(ours.filter((c) => c.source === 'lua').map((c) => c.command)).toEqual([
        'exists',
        'pexpire',
        'hmget',
        'exists',
        'hmget',
      ]);
    });

    test('the first write stores and refreshes the TTL in one round trip, with no separate EXPIRE', async () => {
      await stepApp(middleware()).step((s) => s.set('c', 3), undefined, { Cookie: cookieHeader(id) });
      const calls = callsBetween(before, await commandCalls(redis()));
      expect(calls).toEqual({ evalsha: 1, exists: 2, hset: 1, hsetnx: 1, time: 1, pexpire: 1 });
      expect(Number(await raw(redis())('PTTL', `${prefix}:${id}`))).toBeGreaterThan(
        TTI_SECONDS * 1000 - 5000,
      );
    });

    test('mget of many keys is one round trip (one HMGET)', async () => {
      await stepApp(middleware()).step((s) => s.mget(['a', 'b', 'x', 'y', 'z']), undefined, {
        Cookie: cookieHeader(id),
      });
      expect(callsBetween(before, await commandCalls(redis()))).toEqual({
        evalsha: 1,
        exists: 1,
        hmget: 1,
        pexpire: 1,
      });
    });
  });
});
