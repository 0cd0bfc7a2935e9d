import type { SessionCache } from './session-cache';

/** The node-redis 5 client methods the channel uses (on the user's client and its duplicate). */
export interface TrackingClient {
  duplicate(overrides: { RESP: 3; emitInvalidate: true; clientSideCache: undefined }): TrackingClient;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy?(): unknown;
  disconnect?(): Promise<unknown> | unknown;
  readonly isOpen?: boolean;
  /** Present on node-redis 5 only: how the channel tells v5 (which has `emitInvalidate`) from v4. */
  readonly withTypeMapping?: unknown;
}

/**
 * Keeps a {@link SessionCache} right: a connection of its own (a RESP3 duplicate of the
 * store's node-redis 5 client) turns on Redis client tracking in broadcast mode for the
 * store's key prefix, so Redis pushes an invalidation for every write to a session key by any
 * client, and each one evicts that key. The cache serves only while the connection is up and
 * tracking is on; when the connection drops it forgets everything (invalidations may have been
 * missed), and after each reconnect it turns tracking on again before serving.
 */
export class InvalidationChannel {
  private connection: TrackingClient | undefined;
  private closed = false;

  constructor(
    private readonly cache: SessionCache,
    private readonly prefix: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Opens the connection and starts tracking; the cache goes live once Redis confirmed it. */
  open(client: TrackingClient): void {
    // The client's own client-side cache, if it has one, would take the invalidations instead.
    const connection = client.duplicate({ RESP: 3, emitInvalidate: true, clientSideCache: undefined });
    this.connection = connection;
    connection.on('invalidate', (key: unknown) => {
      if (key === null || key === undefined) this.cache.invalidateAll();
      else this.cache.invalidate(Buffer.isBuffer(key) ? key.toString('utf8') : String(key));
    });
    // Every way the connection can go away: stop serving before anything else.
    for (const event of ['end', 'error', 'reconnecting']) {
      connection.on(event, (err?: unknown) => {
        this.cache.setLive(false);
        if (event === 'error') this.onError(err);
      });
    }
    connection.on('ready', () => this.track(connection));
    connection.connect().catch((err: unknown) => this.onError(err));
  }

  /** Closes the connection; the cache stops serving. */
  async close(): Promise<void> {
    this.closed = true;
    this.cache.setLive(false);
    const connection = this.connection;
    if (!connection?.isOpen) return;
    if (typeof connection.destroy === 'function') connection.destroy();
    else await connection.disconnect?.();
  }

  private track(connection: TrackingClient): void {
    // node-redis turns default-mode tracking on at connect for emitInvalidate; broadcast mode
    // (every key of the prefix, whoever read it) needs tracking off first.
    connection
      .sendCommand(['CLIENT', 'TRACKING', 'OFF'])
      .then(() => connection.sendCommand(['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', this.prefix]))
      .then(
        () => {
          // An invalidation may have been missed while tracking was off: start empty.
          this.cache.invalidateAll();
          if (!this.closed) this.cache.setLive(true);
        },
        (err: unknown) => this.onError(err),
      );
  }
}
