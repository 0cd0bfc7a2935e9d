/**
 * A server outage the tests can switch on and off: the test server's own pause() and
 * resume(), or, against a real server (AEROSPIKE_HOSTS), a loopback TCP proxy in front
 * of it that drops every connection and refuses new ones while paused. The proxy can
 * also stall: hold the server's replies (a server too busy to answer) until it flows again.
 */
import { Worker } from 'node:worker_threads';
import type { Backend } from './helpers';

/** An outage switch and the address clients must use for it to affect them. */
export interface Outage {
  /** `host:port` to give the client. */
  readonly hostsString: string;
  /** The server stops answering: connections are dropped, new ones refused. */
  pause(): Promise<void>;
  /** The server answers again, with its data intact. */
  resume(): Promise<void>;
  /** Releases the proxy, if any. */
  stop(): Promise<void>;
}

/** An outage for `backend`: its test server, or a proxy in front of the real one. */
export async function outageFor(backend: Backend): Promise<Outage> {
  const { server } = backend;
  if (server) {
    return {
      hostsString: server.hostsString,
      pause: () => server.pause(),
      resume: () => server.resume(),
      stop: async () => undefined,
    };
  }
  return startProxy(backend.hosts);
}

/** A loopback TCP proxy in front of a server. */
export interface TcpProxy extends Outage {
  /** Holds every reply of the server (connections stay open, requests still reach it). */
  stall(): Promise<void>;
  /** Delivers the held replies and forwards again. */
  flow(): Promise<void>;
}

/** Starts a proxy in front of the first of `hosts` (`host:port`). */
export function startProxy(hosts: string): Promise<TcpProxy> {
  const [host, port] = splitHost(hosts);
  return startPausableProxy(host, port);
}

function splitHost(hosts: string): [string, number] {
  const first = hosts.split(',')[0]?.trim() ?? '';
  const at = first.lastIndexOf(':');
  return at < 0 ? [first, 3000] : [first.slice(0, at), Number(first.slice(at + 1))];
}

/**
 * The proxy runs in a worker thread: the client's connect() blocks the thread that
 * calls it until the cluster answered, so a proxy on that thread could never answer.
 */
const PROXY_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { host, port: targetPort } = workerData;
const sockets = new Set();
let listener;
let port = 0;
let stalled = false;
let held = [];
function track(socket, peer) {
  sockets.add(socket);
  socket.on('close', () => { sockets.delete(socket); peer.destroy(); });
  socket.on('error', () => { socket.destroy(); peer.destroy(); });
}
function flow() {
  stalled = false;
  for (const [socket, chunk] of held) if (!socket.destroyed) socket.write(chunk);
  held = [];
}
function listen() {
  return new Promise((resolve, reject) => {
    const server = net.createServer((inbound) => {
      const outbound = net.connect(targetPort, host);
      track(inbound, outbound);
      track(outbound, inbound);
      inbound.pipe(outbound);
      outbound.on('data', (chunk) => (stalled ? held.push([inbound, chunk]) : inbound.write(chunk)));
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      port = server.address().port;
      listener = server;
      resolve();
    });
  });
}
function close() {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  const server = listener;
  listener = undefined;
  return server ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve();
}
parentPort.on('message', async ({ id, command }) => {
  try {
    if (command === 'pause' || command === 'stop') await close();
    if (command === 'resume' && !listener) await listen();
    if (command === 'stall') stalled = true;
    if (command === 'flow' || command === 'stop') flow();
    parentPort.postMessage({ id, port });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});
listen().then(() => parentPort.postMessage({ id: 0, port }));
`;

async function startPausableProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const worker = new Worker(PROXY_WORKER, { eval: true, workerData: { host: targetHost, port: targetPort } });
  worker.unref();
  const pending = new Map<number, (reply: { port?: number; error?: string }) => void>();
  worker.on('message', (reply: { id: number; port?: number; error?: string }) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  let nextId = 1;
  const send = (command: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (reply) => (reply.error ? reject(new Error(reply.error)) : resolve()));
      worker.postMessage({ id, command });
    });
  const { port } = await new Promise<{ port?: number }>((resolve) => pending.set(0, resolve));
  return {
    hostsString: `127.0.0.1:${port}`,
    pause: () => send('pause'),
    resume: () => send('resume'),
    stall: () => send('stall'),
    flow: () => send('flow'),
    stop: async () => {
      await send('stop');
      await worker.terminate();
    },
  };
}
