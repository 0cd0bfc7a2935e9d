/**
 * Runs inside the worker thread: starts the server in this thread and
 * answers the host's requests. `records` requests arrive on a dedicated
 * port and are acknowledged through a shared Int32 so the host can wait
 * for them synchronously.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { AerospikeTestServerOptions, NamespaceOptions } from './api';
import { startInCurrentThread } from './tcp-server';

/** Data handed to the worker at spawn. */
export interface WorkerInit {
  options: AerospikeTestServerOptions;
  syncPort: MessagePort;
  syncSignal: Int32Array;
}

/** A request from the host. */
export type HostRequest =
  | { id: number; cmd: 'stop' | 'pause' | 'resume' }
  | { id: number; cmd: 'config'; namespace: string; config: NamespaceOptions };

async function run(): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const init = workerData as WorkerInit;
  let server: Awaited<ReturnType<typeof startInCurrentThread>>;
  try {
    server = await startInCurrentThread({ ...init.options, thread: 'current' });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  init.syncPort.on('message', (req: { namespace: string; set?: string }) => {
    let reply: unknown;
    try {
      reply = { ok: true, records: server.records(req.namespace, req.set) };
    } catch (e) {
      reply = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    init.syncPort.postMessage(reply);
    Atomics.store(init.syncSignal, 0, 1);
    Atomics.notify(init.syncSignal, 0);
  });
  port.on('message', (req: HostRequest) => {
    const done = (p: Promise<void>): void => {
      p.then(
        () => port.postMessage({ type: 'reply', id: req.id, ok: true }),
        (e: unknown) =>
          port.postMessage({
            type: 'reply',
            id: req.id,
            ok: false,
            message: e instanceof Error ? e.message : String(e),
          }),
      );
    };
    switch (req.cmd) {
      case 'stop':
        done(
          server.stop().then(() => {
            init.syncPort.close();
            port.close();
          }),
        );
        break;
      case 'pause':
        done(server.pause());
        break;
      case 'resume':
        done(server.resume());
        break;
      case 'config':
        done(server.setNamespaceConfig(req.namespace, req.config));
        break;
    }
  });
  port.postMessage({ type: 'ready', host: server.host, port: server.port, nodeName: server.nodeName });
}

void run();
