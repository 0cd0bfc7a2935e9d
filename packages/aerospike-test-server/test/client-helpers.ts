/** Helpers for tests that drive this server with the official client. */
import { afterAll, beforeAll } from '@jest/globals';
import * as Aerospike from 'aerospike';
import { type AerospikeTestServer, startAerospikeTestServer } from '../src/server';

/** The Aerospike status code a promise rejects with, or 'resolved'. */
export async function codeOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return (e as { code: number }).code;
  }
}

/** Every record a scan or query stream yields, once it ends. */
export function collectRecords(stream: Aerospike.RecordStream): Promise<Aerospike.AerospikeRecord[]> {
  return new Promise((resolve, reject) => {
    const out: Aerospike.AerospikeRecord[] = [];
    stream.on('data', (r: Aerospike.AerospikeRecord) => out.push(r));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}

/**
 * A server started before the describe block's tests and an official client connected
 * to it (quiet log, plus `config`); both are closed after them.
 */
export function useServerWithClient(config: Partial<Aerospike.ConfigOptions> = {}): {
  server: () => AerospikeTestServer;
  client: () => Aerospike.Client;
} {
  let server: AerospikeTestServer | undefined;
  let client: Aerospike.Client | undefined;
  beforeAll(async () => {
    server = await startAerospikeTestServer();
    client = await Aerospike.connect({ hosts: server.hostsString, log: { level: -1 }, ...config });
    // A busy machine (load 35 beside CPU hogs) took over jest's 30 s to start and connect.
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('used outside the tests of its describe block');
    return value;
  };
  return { server: () => started(server), client: () => started(client) };
}
