/**
 * Runs the server in a worker thread and exposes it through the same
 * handle as an in-thread server. Needed because the official client's
 * `connect()` blocks its thread while it talks to the server.
 *
 * The source is TypeScript consumed without a build step, so the worker
 * bootstraps a tiny require hook that transpiles .ts files with the
 * workspace's `typescript` package (type-checking happens elsewhere).
 */

import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { AerospikeTestServer, AerospikeTestServerOptions, NamespaceOptions } from './api';
import type { InspectedRecord } from './record-store';
import type { HostRequest } from './worker-entry';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const entry = workerData.entry;
if (entry.endsWith('.ts')) {
  const fs = require('node:fs');
  const ts = require(workerData.typescriptPath);
  require.extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    module._compile(outputText, filename);
  };
}
require(entry);
`;

/** How long `records()` may block waiting for the worker. */
const SYNC_TIMEOUT_MS = 10_000;

/** Structured clone turns Buffers into plain Uint8Arrays; turn them back. */
function reviveBuffers<T>(value: T): T {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength) as T;
  }
  if (Array.isArray(value)) return value.map(reviveBuffers) as T;
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveBuffers(v)])) as T;
  }
  return value;
}

/** Starts the server in a worker thread. */
export async function startInWorker(opts: AerospikeTestServerOptions): Promise<AerospikeTestServer> {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `worker-entry${ext}`);
  const sync = new MessageChannel();
  const syncSignal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: {
      entry,
      typescriptPath: ext === '.ts' ? require.resolve('typescript') : '',
      options: { ...opts, thread: 'current' },
      syncPort: sync.port2,
      syncSignal,
    },
    transferList: [sync.port2],
  });
  // The worker must never keep a test process alive on its own.
  worker.unref();
  sync.port1.unref();

  const ready = await new Promise<{ host: string; port: number; nodeName: string }>((resolve, reject) => {
    const onMessage = (m: {
      type: string;
      host: string;
      port: number;
      nodeName: string;
      message?: string;
    }): void => {
      worker.off('message', onMessage);
      worker.off('error', reject);
      if (m.type === 'ready') resolve(m);
      else reject(new Error(m.message ?? 'aerospike test server failed to start'));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let exited = false;
  worker.on('message', (m: { type: string; id: number; ok: boolean; message?: string }) => {
    if (m.type !== 'reply') return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve();
    else p?.reject(new Error(m.message ?? 'worker request failed'));
  });
  worker.on('exit', () => {
    exited = true;
    for (const p of pending.values()) p.resolve();
    pending.clear();
  });
  worker.on('error', () => undefined);

  const request = (
    req: HostRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never,
  ): Promise<void> => {
    if (exited) return Promise.resolve();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id });
    });
  };

  return {
    host: ready.host,
    port: ready.port,
    hostsString: `${ready.host}:${ready.port}`,
    nodeName: ready.nodeName,
    async stop() {
      await request({ cmd: 'stop' });
      sync.port1.close();
      await worker.terminate();
    },
    pause: () => request({ cmd: 'pause' }),
    resume: () => request({ cmd: 'resume' }),
    setNamespaceConfig: (namespace: string, config: NamespaceOptions) =>
      request({ cmd: 'config', namespace, config }),
    records(namespace: string, set?: string): InspectedRecord[] {
      if (exited) return [];
      Atomics.store(syncSignal, 0, 0);
      sync.port1.postMessage({ namespace, set });
      if (Atomics.wait(syncSignal, 0, 0, SYNC_TIMEOUT_MS) === 'timed-out')
        throw new Error('records(): worker did not answer');
      const reply = receiveMessageOnPort(sync.port1)?.message as
        | { ok: true; records: InspectedRecord[] }
        | { ok: false; message: string }
        | undefined;
      if (reply === undefined) throw new Error('records(): no reply from worker');
      if (!reply.ok) throw new Error(reply.message);
      return reviveBuffers(reply.records);
    },
  };
}
