import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type DelayProxy, describeWithBackend, respCommand, startDelayProxy, useRedis } from '../src';
import { binaryEnv } from './support/binary-env';

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

describeWithBackend(
  'redis',
  'startDelayProxy in front of redis',
  () => {
    const redis = useRedis({ ownProcess: true, env: binaryEnv });
    let proxy: DelayProxy;
    beforeAll(async () => {
      proxy = await startDelayProxy(redis(), 150);
    });
    afterAll(() => proxy.stop());

    test('adds the delay in each direction to a PING round trip', async () => {
      const [direct, directMs] = await timed(() => redis().command('PING'));
      const [proxied, proxiedMs] = await timed(() => respCommand(proxy, ['PING']));
      expect([direct, proxied]).toEqual(['PONG', 'PONG']);
      // Request and reply each wait 150 ms (allow timer granularity): on top of the direct round trip.
      expect(proxiedMs).toBeGreaterThanOrEqual(2 * 150 - 5);
      expect(proxiedMs).toBeGreaterThan(directMs);
    });

    test('setDelay changes the delay of later round trips, and 0 makes it fast again', async () => {
      proxy.setDelay(1000);
      const [, slowMs] = await timed(() => respCommand(proxy, ['PING']));
      expect(slowMs).toBeGreaterThanOrEqual(2 * 1000 - 5);
      proxy.setDelay(0);
      expect(proxy.delayMs).toBe(0);
      const [, ms] = await timed(() => respCommand(proxy, ['PING']));
      // Shorter than the delayed round trip could be: the delay is off. No bound on the plain round trip itself.
      expect(ms).toBeLessThan(2 * 1000 - 5);
      proxy.setDelay(150);
    });
  },
  binaryEnv,
);

describe('startDelayProxy byte stream', () => {
  let echo: Server;
  let proxy: DelayProxy;
  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startDelayProxy({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port }, 30);
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise((resolve) => echo.close(resolve));
  });

  test('keeps a large payload intact and in order while the delay changes mid-stream', async () => {
    const payload = randomBytes(4 * 1024 * 1024);
    const received: Buffer[] = [];
    let total = 0;
    const socket = connect({ host: proxy.host, port: proxy.port });
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        total += chunk.length;
        if (total >= payload.length) resolve();
      });
      socket.on('error', reject);
    });
    // Write in slices, shrinking the delay halfway: later chunks must not overtake earlier ones.
    for (let offset = 0; offset < payload.length; offset += 256 * 1024) {
      if (offset === payload.length / 2) proxy.setDelay(0);
      socket.write(payload.subarray(offset, offset + 256 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await done;
    socket.destroy();
    expect(Buffer.concat(received).equals(payload)).toBe(true);
  });

  test('forwards a half-close after the delayed data', async () => {
    proxy.setDelay(50);
    const socket = connect({ host: proxy.host, port: proxy.port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.end('last words');
    await ended;
    expect(Buffer.concat(chunks).toString()).toBe('last words');
    socket.destroy();
  });

  test('stop() closes the listener', async () => {
    const extra = await startDelayProxy({ host: '127.0.0.1', port: 1 }, 0);
    await extra.stop();
    await expect(respCommand(extra, ['PING'], { timeoutMs: 1_000 })).rejects.toThrow(/ECONNREFUSED/);
  });
});
