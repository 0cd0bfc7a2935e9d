import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  deleteByPrefix,
  describeWithBackend,
  type RedisServer,
  RespError,
  respCommand,
  startRedis,
  startRedisGroup,
  useRedis,
} from '../src';
import { binaryEnv, processExists } from './support/binary-env';

function canListenOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describeWithBackend(
  'redis',
  'startRedis (binary)',
  () => {
    const redis = useRedis({ ownProcess: true, env: binaryEnv });

    test('starts on a free loopback port other than 6379 and answers PING', async () => {
      expect(redis().host).toBe('127.0.0.1');
      expect(redis().port).not.toBe(6379);
      expect(redis().url).toBe(`redis://127.0.0.1:${redis().port}`);
      expect(redis().source).toBe('binary');
      expect(await redis().command('PING')).toBe('PONG');
    });

    test('runs without persistence and with DEBUG enabled', async () => {
      expect(await redis().command('CONFIG', 'GET', 'save')).toEqual(['save', '']);
      expect(await redis().command('CONFIG', 'GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await redis().command('DEBUG', 'SLEEP', '0')).toBe('OK');
    });

    test('SET then GET returns the value, unicode included', async () => {
      expect(await redis().command('SET', 'greeting', 'héllo ✓')).toBe('OK');
      expect(await redis().command('GET', 'greeting')).toBe('héllo ✓');
      expect(await redis().command('GET', 'missing')).toBeNull();
    });

    test('an error reply rejects with RespError', async () => {
      await expect(redis().command('NOT-A-COMMAND')).rejects.toBeInstanceOf(RespError);
    });

    test('kill() crashes the server and restart() brings it back empty on the same port', async () => {
      const server = redis();
      const { port } = server;
      const oldPid = server.pid;
      await server.command('SET', 'survives', 'no');
      await server.kill();
      expect(server.pid).toBeUndefined();
      expect(oldPid !== undefined && processExists(oldPid)).toBe(false);
      await expect(server.command('PING')).rejects.toThrow(/ECONNREFUSED/);

      await server.restart();
      expect(server.port).toBe(port);
      expect(server.pid).not.toBe(oldPid);
      expect(await server.command('DBSIZE')).toBe(0);
    });

    test('restart() of a running server also starts it empty', async () => {
      await redis().command('SET', 'k', 'v');
      await redis().restart();
      expect(await redis().command('EXISTS', 'k')).toBe(0);
    });

    test('deleteByPrefix deletes only keys under the prefix, glob characters taken literally', async () => {
      const prefix = 't:a*[b]?:';
      const keys = Array.from({ length: 2500 }, (_, i) => `${prefix}${i}`);
      await redis().command('MSET', ...keys.flatMap((k) => [k, '1']));
      await redis().command('MSET', 't:aXbY:1', 'keep', 't:a*[b]?', 'keep', 'other', 'keep');
      expect(await deleteByPrefix(redis(), prefix)).toBe(2500);
      expect(await redis().command('EXISTS', 't:aXbY:1', 't:a*[b]?', 'other')).toBe(3);
      await expect(deleteByPrefix(redis(), '')).rejects.toThrow('non-empty prefix');
    });
  },
  binaryEnv,
);

describeWithBackend(
  'redis',
  'redis lifecycle (binary)',
  () => {
    test('stop() ends the process and frees the port', async () => {
      const server = await startRedis({ ownProcess: true, env: binaryEnv });
      const { port, pid } = server;
      expect(pid).toBeDefined();
      await server.stop();
      expect(pid !== undefined && processExists(pid)).toBe(false);
      expect(await canListenOn(port)).toBe(true);
      await expect(server.restart()).rejects.toThrow('stopped for good');
    });

    test('args reach redis-server and win over the defaults', async () => {
      const server = await startRedis({ args: ['--requirepass', 'pw'], env: binaryEnv });
      try {
        await expect(server.command('PING')).rejects.toThrow(/NOAUTH/);
        expect(await respCommand({ host: server.host, port: server.port, password: 'pw' }, ['PING'])).toBe(
          'PONG',
        );
      } finally {
        await server.stop();
      }
    });

    test('a missing binary rejects with the one-line install hint', async () => {
      await expect(startRedis({ env: { PATH: '/nonexistent' } })).rejects.toThrow(
        'redis-server not found on PATH: install it with "apt-get install redis-server" or set REDIS_URL',
      );
    });

    test('startRedisGroup(3) starts three independent servers and stops them all', async () => {
      const group = await startRedisGroup(3, { env: binaryEnv });
      const pids = group.servers.map((s) => s.pid);
      try {
        expect(new Set(group.servers.map((s) => s.port)).size).toBe(3);
        await group.servers[0]?.command('SET', 'only-here', '1');
        const sizes = await Promise.all(group.servers.map((s) => s.command('DBSIZE')));
        expect(sizes).toEqual([1, 0, 0]);
      } finally {
        await group.stop();
      }
      expect(pids.filter((pid) => pid !== undefined && processExists(pid))).toEqual([]);
    });
  },
  binaryEnv,
);

describeWithBackend(
  'redis',
  'REDIS_URL',
  () => {
    let own: RedisServer;
    beforeAll(async () => {
      own = await startRedis({ ownProcess: true, env: binaryEnv });
    });
    afterAll(() => own.stop());

    test('startRedis returns the env server, and its stop() leaves it running', async () => {
      const viaEnv = await startRedis({ env: { REDIS_URL: `${own.url}/2`, PATH: '' } });
      expect(viaEnv.source).toBe('env');
      expect(viaEnv.port).toBe(own.port);
      expect(viaEnv.pid).toBeUndefined();
      await viaEnv.command('SET', 'in-db-2', '1');
      expect(await own.command('EXISTS', 'in-db-2')).toBe(0);
      await viaEnv.stop();
      expect(await own.command('PING')).toBe('PONG');
    });

    test('kill() and restart() refuse an env server with a clear error', async () => {
      const viaEnv = await startRedis({ env: { REDIS_URL: own.url } });
      await expect(viaEnv.kill()).rejects.toThrow(/needs a redis-server started by the tests.*REDIS_URL/);
      await expect(viaEnv.restart()).rejects.toThrow(/needs a redis-server started by the tests/);
    });

    test('REDIS_REPLICA_URLS feeds startRedisGroup when it names enough servers', async () => {
      const group = await startRedisGroup(2, {
        env: { REDIS_REPLICA_URLS: `${own.url}, ${own.url}/1`, PATH: '' },
      });
      expect(group.servers.map((s) => s.source)).toEqual(['env', 'env']);
      expect(await group.servers[1]?.command('PING')).toBe('PONG');
    });
  },
  binaryEnv,
);
