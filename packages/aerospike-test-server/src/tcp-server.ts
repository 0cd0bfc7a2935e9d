/**
 * The TCP server in the calling thread: listens on a loopback port, hands
 * every socket to `serveConnection`, runs the expiry sweep, and can be
 * paused (listener and sockets gone, data kept) and resumed on the same
 * port to simulate an outage.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type AerospikeTestServer, type AerospikeTestServerOptions, SERVER_BUILD } from './api';
import { serveConnection } from './connection';
import type { InfoContext } from './info-commands';
import { RecordStore } from './record-store';

function defaultNodeName(port: number): string {
  // Real node ids are 15 hex digits derived from port and MAC; keep the shape, stay stable per port.
  return `BB9${port.toString(16).toUpperCase().padStart(12, '0')}`;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts a server in the current thread and resolves once it is listening. */
export async function startInCurrentThread(
  opts: AerospikeTestServerOptions = {},
): Promise<AerospikeTestServer> {
  const host = opts.host ?? '127.0.0.1';
  const store = new RecordStore(opts.namespaces ?? { test: {}, express: {} });
  const sockets = new Set<Socket>();
  const info: InfoContext = {
    store,
    nodeName: opts.nodeName ?? '',
    clusterName: opts.clusterName ?? 'local-dev',
    build: SERVER_BUILD,
    serviceHost: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host,
    port: opts.port ?? 0,
  };
  const ctx = { store, info };

  const makeServer = (): Server => {
    const s = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      serveConnection(socket, ctx);
    });
    // Accept errors must not take the process down.
    s.on('error', () => undefined);
    return s;
  };

  let server: Server | undefined = makeServer();
  const port = await listen(server, opts.port ?? 0, host);
  info.port = port;
  if (info.nodeName === '') info.nodeName = defaultNodeName(port);

  // Expiry sweeper; unref'd so it never keeps a process alive.
  const nsup = setInterval(() => store.runNsup(), 250);
  nsup.unref();

  const shutdownListener = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s === undefined) return;
    const closed = closeServer(s);
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    await closed;
  };

  return {
    host,
    port,
    hostsString: `${host}:${port}`,
    nodeName: info.nodeName,
    async stop() {
      clearInterval(nsup);
      await shutdownListener();
    },
    async pause() {
      await shutdownListener();
    },
    async resume() {
      if (server !== undefined) return;
      const s = makeServer();
      await listen(s, port, host);
      server = s;
    },
    records(namespace, set) {
      return store.inspect(namespace, set);
    },
    async setNamespaceConfig(namespace, config) {
      const ns = store.get(namespace);
      if (ns === undefined) throw new Error(`no namespace ${namespace}`);
      Object.assign(ns.config, Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)));
    },
  };
}
