import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/** A loopback TCP proxy that holds every chunk back, see {@link startDelayProxy}. */
export interface DelayProxy {
  /** Where clients connect instead of the target. */
  readonly host: string;
  readonly port: number;
  /** The current delay per chunk and direction, in ms. */
  readonly delayMs: number;
  /** Changes the delay for chunks received from now on; order is kept across the change. */
  setDelay(ms: number): void;
  /** Closes the listener and every proxied connection. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Forwards `from` to `to`, each chunk `delay()` ms after it arrived. One FIFO and one timer per
 * direction: separate timers per chunk may fire out of order once the delay changes.
 */
function pipeWithDelay(from: Socket, to: Socket, delay: () => number): void {
  const queue: { due: number; chunk: Buffer | 'end' }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const now = Date.now();
    while (queue.length && (queue[0]?.due ?? 0) <= now) {
      const { chunk } = queue.shift() ?? { chunk: 'end' };
      if (to.destroyed) continue;
      if (chunk === 'end') to.end();
      else to.write(chunk);
    }
    const next = queue[0];
    if (next) timer = setTimeout(flush, Math.max(0, next.due - now));
  };
  const enqueue = (chunk: Buffer | 'end'): void => {
    const lastDue = queue[queue.length - 1]?.due ?? 0;
    queue.push({ due: Math.max(Date.now() + delay(), lastDue), chunk });
    if (!timer) timer = setTimeout(flush, Math.max(0, (queue[0]?.due ?? 0) - Date.now()));
  };
  from.on('data', (chunk: Buffer) => enqueue(chunk));
  // A FIN travels like data, so it is forwarded only after the delayed chunks before it.
  from.on('end', () => enqueue('end'));
}

/**
 * Starts a TCP proxy on a free 127.0.0.1 port in front of `target` that delays every chunk, in both
 * directions, by `delayMs` (so a request/response round trip gains about twice that). For slow-replica
 * and timeout tests.
 */
export async function startDelayProxy(
  target: { host: string; port: number },
  delayMs: number,
): Promise<DelayProxy> {
  let delay = delayMs;
  const sockets = new Set<Socket>();
  const track = (socket: Socket, peer: () => Socket): void => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    // A reset on one side tears down the pair instead of crashing the test process.
    socket.on('error', () => peer().destroy());
  };

  // Half-open on both legs: a FIN is forwarded only after the delayed chunks before it.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    track(client, () => upstream);
    track(upstream, () => client);
    pipeWithDelay(client, upstream, () => delay);
    pipeWithDelay(upstream, client, () => delay);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    host: HOST,
    port,
    get delayMs() {
      return delay;
    },
    setDelay(ms: number) {
      delay = ms;
    },
    stop() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
    },
  };
}
