/**
 * Entry point: starts a test server in a worker thread (default) or in the
 * calling thread.
 */
import type { AerospikeTestServer, AerospikeTestServerOptions } from './api';
import { startInCurrentThread } from './tcp-server';
import { startInWorker } from './worker-host';

export type { AerospikeTestServer, AerospikeTestServerOptions, NamespaceOptions } from './api';
export { SERVER_BUILD } from './api';

/**
 * Starts an Aerospike wire-protocol server on a loopback port and resolves
 * once it is listening. Point the official client at `server.hostsString`.
 */
export function startAerospikeTestServer(
  opts: AerospikeTestServerOptions = {},
): Promise<AerospikeTestServer> {
  return opts.thread === 'current' ? startInCurrentThread(opts) : startInWorker(opts);
}
