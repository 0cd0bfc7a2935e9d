import { StoreClosedError } from '@session-stores/core';
import { adaptClient, type ClientAdapter } from './client-adapter';
import type { RedisClientLike } from './client-types';
import { CommandGate } from './command-gate';
import { isUnavailable } from './errors';
import type { RedisConnectionOptions } from './options';
import { createOwnClient } from './own-client';
import { replyText } from './reply';

/** How often a stalled server is pinged (at most; never more often than commandTimeout). */
const PROBE_INTERVAL_MS = 1000;

const noop = (): void => undefined;

/** A client and its adapter, before anything listens to it. */
export interface OpenedClient {
  /** The app's client, or the one made from connection options. */
  readonly client: RedisClientLike;
  readonly adapter: ClientAdapter;
  /** Whether it was made here, and so is closed with the connection. */
  readonly owned: boolean;
  /** Starts connecting a client made here (once its listeners are attached); nothing for the app's. */
  readonly start: () => void;
}

/**
 * Adapts the app's `client`, or, when there is none, makes one from `own` (not connected
 * yet: see {@link OpenedClient.start}).
 * @throws InvalidOptionError naming `client` when it is not a supported client, or when
 * none is given and neither `redis` nor `ioredis` is installed.
 */
export function openClient(client: RedisClientLike | undefined, own: RedisConnectionOptions): OpenedClient {
  if (client !== undefined) return { client, adapter: adaptClient(client), owned: false, start: noop };
  const made = createOwnClient(own);
  return { client: made.client, adapter: adaptClient(made.client), owned: true, start: made.start };
}

/** What the owner of a connection hears about it; every handler is optional. */
export interface ConnectionEvents {
  /** Commands can be sent: the client said it is ready, a waiting command found it ready, or a stalled server answered. */
  up?(): void;
  /** The client reported the connection lost (it reconnects, or was closed). */
  down?(): void;
  /**
   * A round trip got no answer in time, or found the server unreachable, while the client
   * still looks connected (a stalled server, a partition, a failover the client does not
   * report). The server is then pinged until it answers, and `up` follows. Without this
   * handler nobody needs to know, and nothing is pinged.
   */
  stalled?(): void;
  /** The client reported an error. */
  error?(err: unknown): void;
}

/** How a connection bounds its round trips, and what its errors and events say. */
export interface ConnectionSettings {
  /** The budget of one round trip in ms, waiting for a connection included (`commandTimeout`). */
  readonly commandTimeout: number;
  /**
   * The error for a round trip that got no connection within the budget. `hint` says why
   * the connection cannot come up without the app's help (if it cannot); `lastError` is the
   * client's latest error since it was last ready.
   */
  notConnectedError(commandTimeout: number, hint: string | undefined, lastError: unknown): Error;
  /** The error for a round trip sent but not answered within the budget. */
  noAnswerError(commandTimeout: number): Error;
  readonly events?: ConnectionEvents | undefined;
}

/**
 * One Redis connection as the Redis-backed packages use it: the client (the app's or its
 * own), its adapter, and a {@link CommandGate} bounding every round trip by
 * `commandTimeout`. It follows the client's state, tells its owner (see
 * {@link ConnectionEvents}), pings a server that stalled while its client looked connected,
 * and closes the client if it made it.
 */
export class RedisConnection {
  readonly client: RedisClientLike;
  /** Whether the client was made here, and so is closed by {@link close}. */
  readonly owned: boolean;
  /** The client's adapter: topology, key prefix, raw sends, masters. */
  readonly adapter: ClientAdapter;

  private readonly gate: CommandGate;
  private readonly events: ConnectionEvents;
  private readonly startClient: () => void;
  private readonly stopWatching: () => void;
  private readonly probeEveryMs: number;
  /** Pings a stalled server; set exactly while it counts as stalled. */
  private prober: NodeJS.Timeout | undefined;
  /** The client's latest error since it was last ready, to explain a failed connection. */
  private lastError: unknown;
  private isClosed = false;

  /** Attaches to the client's events; call {@link start} once the owner is ready to hear them. */
  constructor(opened: OpenedClient, settings: ConnectionSettings) {
    this.client = opened.client;
    this.owned = opened.owned;
    this.adapter = opened.adapter;
    this.startClient = opened.start;
    this.events = settings.events ?? {};
    this.probeEveryMs = Math.min(settings.commandTimeout, PROBE_INTERVAL_MS);
    const adapter = this.adapter;
    this.gate = new CommandGate({
      commandTimeout: settings.commandTimeout,
      isReady: () => adapter.isReady(),
      onWait: () => adapter.wake(),
      onReadyObserved: () => this.onUp(),
      notConnectedError: (ms) => settings.notConnectedError(ms, adapter.notReadyHint(), this.lastError),
      noAnswerError: (ms) => settings.noAnswerError(ms),
      isUnavailable,
      onUnavailable: () => this.onStall(),
    });
    this.stopWatching = adapter.watch({
      ready: () => {
        this.lastError = undefined;
        this.gate.notifyReady();
        this.onUp();
      },
      down: () => {
        // The client saw the drop and will say when it is back; no need to probe.
        this.stopProbing();
        this.events.down?.();
      },
      error: (err) => {
        this.lastError = err;
        this.events.error?.(err);
      },
    });
  }

  /** Whether commands can be sent now: the client is ready and the server is not stalled. */
  get usable(): boolean {
    return this.prober === undefined && this.adapter.isReady();
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Starts connecting a client made here; says `up` at once when the client is ready already. */
  start(): void {
    this.startClient();
    if (this.adapter.isReady()) this.events.up?.();
  }

  /** One bounded round trip: `send` runs once the connection is ready, and fails once the budget is spent. */
  run<T>(send: () => Promise<T>): Promise<T> {
    return this.gate.run(send);
  }

  /**
   * PINGs every master, each within the round-trip budget. On a cluster a master can
   * answer while the cluster still refuses commands (CLUSTERDOWN), so there every master
   * must also report `cluster_state:ok`.
   */
  async ping(): Promise<void> {
    const adapter = this.adapter;
    const masters = await this.gate.run(() => adapter.masters());
    const cluster = adapter.topology === 'cluster';
    await Promise.all(
      masters.map(async (send) => {
        const reply = await this.gate.run(() => send(cluster ? ['CLUSTER', 'INFO'] : ['PING']));
        if (cluster && !/cluster_state:ok/.test(replyText(reply))) throw new Error('cluster_state is not ok');
      }),
    );
  }

  /** Stops listening, fails waiting and later round trips with `ERR_STORE_CLOSED`, and closes a client made here. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.stopProbing();
    this.gate.dispose(new StoreClosedError());
    this.stopWatching();
    if (this.owned) await this.adapter.close();
  }

  private onUp(): void {
    this.stopProbing();
    this.events.up?.();
  }

  /** See {@link ConnectionEvents.stalled}. Clients that report their own drops are left to do so. */
  private onStall(): void {
    const stalled = this.events.stalled;
    if (stalled === undefined || this.isClosed || this.prober || !this.adapter.isReady()) return;
    let probing = false;
    this.prober = setInterval(() => {
      if (probing) return;
      probing = true;
      this.ping()
        .then(() => {
          if (this.prober) this.onUp();
        })
        .catch(noop)
        .finally(() => {
          probing = false;
        });
    }, this.probeEveryMs);
    this.prober.unref();
    stalled();
  }

  private stopProbing(): void {
    if (this.prober) clearInterval(this.prober);
    this.prober = undefined;
  }
}
