import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * How long a changes-feed connection may stay silent before it is cut and the feed
 * resumed. CouchDB sends a heartbeat every 10 s, so 30 s of silence means the server or
 * the network is gone without a TCP reset (which would be noticed at once). Servers that
 * send no heartbeat (express-pouchdb buffers it) just get a fresh long poll every 30 s.
 */
export const FEED_SILENCE_MS = 30_000;

type FetchLike = (url: string, init?: object) => Promise<unknown>;

/** Marks a socket as belonging to the feed: it never keeps the process alive, and dies when silent. */
function asFeedSocket(socket: Duplex): void {
  const candidate = socket as Duplex & { unref?: () => void; setTimeout?: (ms: number) => void };
  candidate.unref?.();
  candidate.setTimeout?.(FEED_SILENCE_MS);
}

/** The code of the error that cuts a silent feed connection (node-fetch copies it onto its FetchError). */
export const FEED_SILENT_CODE = 'ERR_FEED_SILENT';

function watchSilence(socket: Duplex): void {
  socket.once('timeout', () => {
    const error = Object.assign(new Error(`changes feed silent for ${FEED_SILENCE_MS} ms`), {
      code: FEED_SILENT_CODE,
    });
    socket.destroy(error);
  });
}

// Keep-alive sockets are ref'd again by Node when reused, so both hooks unref them.
class FeedHttpAgent extends http.Agent {
  override createConnection(...args: Parameters<http.Agent['createConnection']>): Duplex {
    const socket = super.createConnection(...args) as Duplex;
    asFeedSocket(socket);
    watchSilence(socket);
    return socket;
  }

  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    super.reuseSocket(socket, request);
    asFeedSocket(socket);
  }
}

class FeedHttpsAgent extends https.Agent {
  override createConnection(...args: Parameters<https.Agent['createConnection']>): Duplex {
    const socket = super.createConnection(...args) as Duplex;
    asFeedSocket(socket);
    watchSilence(socket);
    return socket;
  }

  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    super.reuseSocket(socket, request);
    asFeedSocket(socket);
  }
}

/**
 * Wraps the http adapter's fetch so that requests to `_changes` go through their own
 * agent: the long poll that follows the feed then never keeps the process alive, and a
 * silent connection is cut. Every other request uses the normal (ref'd) agent, so an
 * awaited `get` or `set` still holds the process open until it completes.
 */
export function feedAwareFetch(base: FetchLike): FetchLike {
  let httpAgent: FeedHttpAgent | undefined;
  let httpsAgent: FeedHttpsAgent | undefined;
  const agentFor = (url: string): http.Agent => {
    if (url.startsWith('https:')) {
      httpsAgent ??= new FeedHttpsAgent({ keepAlive: true });
      return httpsAgent;
    }
    httpAgent ??= new FeedHttpAgent({ keepAlive: true });
    return httpAgent;
  };
  return (url, init) => {
    if (!/\/_changes(\?|$)/.test(url)) return base(url, init);
    return base(url, { ...init, agent: agentFor(url) });
  };
}
