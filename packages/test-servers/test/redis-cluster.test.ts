import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';
import {
  deleteByPrefix,
  describeWithBackend,
  findExecutable,
  RespError,
  startRedisCluster,
  useRedisCluster,
} from '../src';
import { binaryEnv, processExists } from './support/binary-env';

const run = promisify(execFile);

describeWithBackend(
  'redis-cluster',
  'startRedisCluster (binary)',
  () => {
    const cluster = useRedisCluster({ env: binaryEnv });

    test('every node reports cluster_state:ok with all 16384 slots assigned', async () => {
      expect(cluster().nodes).toHaveLength(3);
      expect(cluster().nodes.map((n) => n.port)).not.toContain(6379);
      for (const server of cluster().servers) {
        const info = String(await server.command('CLUSTER', 'INFO'));
        expect(info).toContain('cluster_state:ok');
        expect(info).toContain('cluster_slots_assigned:16384');
      }
    });

    test('CLUSTER NODES lists three masters and no replicas', async () => {
      const lines = String(await cluster().servers[0]?.command('CLUSTER', 'NODES'))
        .trim()
        .split('\n');
      expect(lines).toHaveLength(3);
      expect(lines.every((line) => /\bmaster\b/.test(line))).toBe(true);
      expect(lines.some((line) => /\bslave\b/.test(line))).toBe(false);
    });

    test('a key set through redis-cli -c on one node is read through another', async () => {
      const cli = findExecutable('redis-cli', binaryEnv) ?? 'redis-cli';
      const [a, b] = cluster().nodes;
      const set = await run(cli, [
        '-c',
        '-h',
        a?.host ?? '',
        '-p',
        String(a?.port),
        'SET',
        'cluster:key',
        'v1',
      ]);
      expect(set.stdout.trim()).toBe('OK');
      const get = await run(cli, ['-c', '-h', b?.host ?? '', '-p', String(b?.port), 'GET', 'cluster:key']);
      expect(get.stdout.trim()).toBe('v1');
    });

    test('deleteByPrefix on each master removes keys spread over many slots', async () => {
      const servers = cluster().servers;
      const byPort = new Map(servers.map((s) => [s.port, s]));
      // Follow MOVED by hand: the test client is deliberately not cluster-aware.
      for (let i = 0; i < 40; i++) {
        const key = `t:spread:${i}`;
        try {
          await servers[0]?.command('SET', key, '1');
        } catch (error) {
          const moved = error instanceof RespError ? /^MOVED \d+ [^:]+:(\d+)/.exec(error.message) : null;
          if (!moved) throw error;
          await byPort.get(Number(moved[1]))?.command('SET', key, '1');
        }
      }
      const deleted = await Promise.all(servers.map((s) => deleteByPrefix(s, 't:spread:')));
      expect(deleted.reduce((a, b) => a + b, 0)).toBe(40);
      expect(deleted.filter((n) => n > 0).length).toBeGreaterThan(1);
    });
  },
  binaryEnv,
);

describeWithBackend(
  'redis-cluster',
  'redis cluster lifecycle (binary)',
  () => {
    test('stop() ends every node', async () => {
      const cluster = await startRedisCluster({ env: binaryEnv });
      const pids = cluster.servers.map((s) => s.pid);
      expect(pids.every((pid) => pid !== undefined && processExists(pid))).toBe(true);
      await cluster.stop();
      expect(pids.filter((pid) => pid !== undefined && processExists(pid))).toEqual([]);
    });

    test('REDIS_CLUSTER_URLS is used as the seed nodes when set', async () => {
      const cluster = await startRedisCluster({
        env: { REDIS_CLUSTER_URLS: '127.0.0.1:17001, redis://127.0.0.1:17002', PATH: '' },
      });
      expect(cluster.source).toBe('env');
      expect(cluster.nodes).toEqual([
        { host: '127.0.0.1', port: 17001 },
        { host: '127.0.0.1', port: 17002 },
      ]);
      expect(cluster.urls).toEqual(['redis://127.0.0.1:17001', 'redis://127.0.0.1:17002']);
      await cluster.stop();
    });

    test('a missing redis-cli rejects with its install hint', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'only-redis-server-'));
      try {
        symlinkSync(findExecutable('redis-server', binaryEnv) ?? '/bin/false', join(dir, 'redis-server'));
        await expect(startRedisCluster({ env: { PATH: dir } })).rejects.toThrow(
          'redis-cli not found on PATH: install it with "apt-get install redis-tools" or set REDIS_CLUSTER_URLS',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
  binaryEnv,
);
