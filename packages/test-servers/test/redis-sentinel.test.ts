import { expect, test } from '@jest/globals';
import { describeWithBackend, respCommand, sentinelCommand, useRedisSentinel, waitUntil } from '../src';
import { binaryEnv } from './support/binary-env';

describeWithBackend(
  'redis-sentinel',
  'startRedisSentinel (binary)',
  () => {
    const setup = useRedisSentinel({ env: binaryEnv });

    const masterAddress = async (sentinelIndex = 0): Promise<string> => {
      const sentinel = setup().sentinels[sentinelIndex];
      if (!sentinel) throw new Error('no such sentinel');
      const reply = await respCommand(sentinel, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', setup().masterName]);
      return Array.isArray(reply) ? reply.join(':') : String(reply);
    };

    test('runs three sentinels that all name the master', async () => {
      expect(sentinelCommand(binaryEnv)).toBeDefined();
      expect(setup().sentinels).toHaveLength(3);
      for (let i = 0; i < 3; i++) expect(await masterAddress(i)).toBe(`127.0.0.1:${setup().master.port}`);
    });

    test('the replica follows the master', async () => {
      await setup().master.command('SET', 'replicated', 'yes');
      await waitUntil(async () => (await setup().replica.command('GET', 'replicated')) === 'yes', {
        what: 'the write to reach the replica',
      });
    });

    test('killing the master promotes the replica within seconds', async () => {
      const started = Date.now();
      await setup().master.kill();
      await waitUntil(async () => (await masterAddress()) === `127.0.0.1:${setup().replica.port}`, {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: 'the sentinels to promote the replica',
      });
      expect(String(await setup().replica.command('ROLE'))).toMatch(/^master/);
      expect(Date.now() - started).toBeLessThan(20_000);
    }, 30_000);
  },
  binaryEnv,
);
