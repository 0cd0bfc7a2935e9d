import { createServer } from 'node:net';

// Ports of real services that may already run on the machine; never hand them out.
const DEFAULT_SERVICE_PORTS = new Set([3000, 3001, 3002, 3003, 5984, 6379, 16379, 26379]);
// Ports handed out recently by this process, so two servers started back to back never get the same one.
const recentlyHandedOut = new Set<number>();

function listenOnEphemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Asks the OS for a free TCP port on `host` (loopback by default). The port is released before it is
 * returned, so another process can still take it: callers that bind it later retry on "address in use".
 * `maxPort` keeps room above the port (a Redis 6 cluster bus listens on port + 10000).
 */
export async function freePort(host = '127.0.0.1', maxPort = 65_535): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await listenOnEphemeralPort(host);
    if (port === 0 || port > maxPort || DEFAULT_SERVICE_PORTS.has(port) || recentlyHandedOut.has(port))
      continue;
    recentlyHandedOut.add(port);
    if (recentlyHandedOut.size > 256) {
      const oldest = recentlyHandedOut.values().next().value;
      if (oldest !== undefined) recentlyHandedOut.delete(oldest);
    }
    return port;
  }
  throw new Error(`could not find a free TCP port on ${host}`);
}
