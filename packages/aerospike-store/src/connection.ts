import { BackendMisconfiguredError, BackendUnavailableError } from '@session-stores/core';
import type { Client, ConfigOptions, Key } from 'aerospike';
import * as Aerospike from 'aerospike';
import { isTransient, isUnreachable, resultCode } from './aerospike-errors';
import { CommandPolicies, ownedClientConfig } from './client-policies';
import { type CommandLimiter, limiterFor } from './command-limiter';

/** How often an unreachable cluster is probed, in ms. */
export const PROBE_INTERVAL_MS = 1000;
/** First and longest wait before a store-owned client retries a failed initial connect, in ms. */
export const RECONNECT_MIN_MS = 1000;
export const RECONNECT_MAX_MS = 30_000;
/** How long `close()` waits for commands under way before closing a store-owned client, in ms. */
export const CLOSE_GRACE_MS = 5000;
/** Probes right after a `nodeAdded` event, in ms after the previous one. */
const NODE_ADDED_PROBE_DELAYS_MS = [0, 25, 50, 100, 200, 400];

/** Where the connection reports what it learns. */
export interface ConnectionListener {
  /** The cluster became (or was confirmed) reachable or unreachable. */
  reachable(reachable: boolean): void;
  /** A background failure the app may want to see (a failed connect). */
  error(err: unknown): void;
}

/** What a command is sent with: the client, its policies and its in-flight cap (one object per client, reused). */
export interface CommandTarget {
  readonly client: Client;
  readonly policies: CommandPolicies;
  readonly limiter: CommandLimiter;
}

/** What the store hands to the connection. */
export type ClientSource =
  | { readonly kind: 'borrowed'; readonly client: Client }
  | { readonly kind: 'owned'; readonly config: ConfigOptions };

/**
 * The client behind a store and its reachability.
 *
 * - A borrowed client is used as it is and never closed.
 * - An owned client is created from the user's configuration; if the first connect
 *   fails, a fresh client is tried again later with a growing delay (a failed client
 *   cannot be reconnected). Its `connect()` blocks the thread for up to
 *   `connTimeoutMs` per seed, which is why retries are spaced out.
 *
 * Reachability follows the client's cluster events (`nodeAdded` → reachable once a
 * probe gets through, `disconnected` or the last `nodeRemoved` → unreachable). The client only drops a
 * node after several failed tend rounds (about 5 s by default), so a command failing
 * for lack of a connection also marks the cluster unreachable at once. From then
 * on a cheap probe (`exists` on a key) runs every second until the cluster answers,
 * because express-session stops calling a disconnected store, and the client emits
 * nothing when a node comes back before it was dropped.
 */
export class AerospikeConnection {
  private current: Client | undefined;
  private readonly owned: boolean;
  private readonly config: ConfigOptions | undefined;
  private connecting: Promise<void> | undefined;
  private lastConnectError: unknown;
  private misconfigured: BackendMisconfiguredError | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = RECONNECT_MIN_MS;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private isClosed = false;
  private target: CommandTarget | undefined;
  /** Commands (and scans) under way; `close()` waits for them. */
  private underWay = 0;
  /** Set by a waiting `close()`: called when the last command under way ends. */
  private onDrained: (() => void) | undefined;

  /**
   * @param source the user's client, or the configuration of one to create.
   * @param probeKey a key whose existence check tells whether the cluster answers.
   * @param listener receives reachability changes and background errors.
   */
  constructor(
    source: ClientSource,
    private readonly probeKey: Key,
    private readonly listener: ConnectionListener,
  ) {
    this.owned = source.kind === 'owned';
    if (source.kind === 'borrowed') {
      this.config = undefined;
      this.current = source.client;
      this.adopt(source.client);
      if (source.client.isConnected()) listener.reachable(true);
      // Not connected yet: its nodeAdded event or the probe will tell when it is.
      else this.startProbe();
    } else {
      this.config = ownedClientConfig(source.config);
      this.connecting = this.connectOwned();
    }
  }

  /** The client in use, if there is one (an owned client appears once connected). */
  get client(): Client | undefined {
    return this.current;
  }

  /** The seed hosts, for messages. */
  get hosts(): string {
    const hosts =
      this.current?.config?.hosts ?? this.config?.hosts ?? process.env.AEROSPIKE_HOSTS ?? 'localhost:3000';
    return typeof hosts === 'string'
      ? hosts
      : hosts.map((host) => `${host.addr}${host.port === undefined ? '' : `:${host.port}`}`).join(',');
  }

  /**
   * The client to send a command with when it is there without waiting (the usual
   * case: connected, nothing pending), else `undefined`: then use {@link acquire}.
   */
  acquireNow(): CommandTarget | undefined {
    const client = this.current;
    if (this.connecting || this.misconfigured || !client) return undefined;
    return this.targetFor(client);
  }

  /**
   * The client to send a command with, waiting for an owned client's first connect.
   * @throws BackendUnavailableError when no client is connected; BackendMisconfiguredError
   * when the client configuration was rejected.
   */
  async acquire(): Promise<CommandTarget> {
    if (this.connecting) await this.connecting;
    if (this.misconfigured) throw this.misconfigured;
    const client = this.current;
    if (!client) {
      const reason = this.lastConnectError instanceof Error ? `: ${this.lastConnectError.message}` : '';
      throw new BackendUnavailableError(
        `AerospikeStore: not connected to Aerospike at ${this.hosts}${reason}`,
        {
          cause: this.lastConnectError,
        },
      );
    }
    return this.targetFor(client);
  }

  /** Called with every command failure: a lost connection marks the cluster unreachable. */
  noteFailure(err: unknown): void {
    if (this.isClosed || !isUnreachable(err)) return;
    this.listener.reachable(false);
    this.startProbe();
  }

  /**
   * Marks a command (or scan) as under way until the returned function is called, so
   * that `close()` lets it finish before closing a store-owned client: the client
   * crashes the process if a command completes after its client was closed.
   */
  hold(): () => void {
    this.begin();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.end();
    };
  }

  /** As {@link hold} without a closure, for the commands of every request: call {@link end} exactly once. */
  begin(): void {
    this.underWay += 1;
  }

  /** Ends what {@link begin} started. */
  end(): void {
    this.underWay -= 1;
    if (this.underWay === 0) this.onDrained?.();
  }

  /** Runs `command` under {@link hold}. */
  async track<T>(command: () => Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      return await command();
    } finally {
      release();
    }
  }

  /**
   * Stops timers and listeners and waits for the commands under way to finish (at most
   * {@link CLOSE_GRACE_MS}); then closes the client if the store created it. A borrowed
   * client can be closed by the app as soon as this resolves.
   */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    clearTimeout(this.reconnectTimer);
    this.stopProbe();
    const client = this.current;
    this.current = undefined;
    if (!client) return;
    this.release(client);
    if (this.underWay > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.onDrained = resolve;
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      clearTimeout(timer);
      this.onDrained = undefined;
    }
    // Only the client's own event loop reference is dropped, never the process's.
    if (this.owned) client.close(false);
  }

  private async connectOwned(): Promise<void> {
    let client: Client;
    try {
      client = Aerospike.client(this.config);
    } catch (err) {
      this.reject(err);
      return;
    }
    this.adopt(client);
    try {
      await client.connect();
    } catch (err) {
      this.release(client);
      this.lastConnectError = err;
      if (this.isClosed) return;
      if (isUnreachable(err) || isTransient(err)) {
        this.listener.error(err);
        this.scheduleReconnect();
      } else {
        this.reject(err);
      }
      return;
    } finally {
      this.connecting = undefined;
    }
    if (this.isClosed) {
      this.release(client);
      client.close(false);
      return;
    }
    this.current = client;
    this.lastConnectError = undefined;
    this.reconnectDelayMs = RECONNECT_MIN_MS;
    this.listener.reachable(true);
  }

  /** The client configuration itself is wrong: no retry will help. */
  private reject(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.misconfigured = new BackendMisconfiguredError(
      `AerospikeStore: the aerospike client rejected its configuration: ${message}`,
      { cause: err },
    );
    this.listener.error(this.misconfigured);
  }

  private scheduleReconnect(): void {
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.isClosed) this.connecting = this.connectOwned();
    }, delay);
    this.reconnectTimer.unref();
  }

  private adopt(client: Client): void {
    client.on('nodeAdded', this.onNodeAdded);
    client.on('nodeRemoved', this.onNodeRemoved);
    client.on('disconnected', this.onDisconnected);
  }

  private release(client: Client): void {
    client.off('nodeAdded', this.onNodeAdded);
    client.off('nodeRemoved', this.onNodeRemoved);
    client.off('disconnected', this.onDisconnected);
  }

  /**
   * A node joined, but the client may not have its partition map yet (commands would
   * fail with "node not found for partition" for a moment), so `connect` waits for a
   * probe to get through: right away, then a few times in quick succession.
   */
  private readonly onNodeAdded = (): void => {
    if (this.isClosed) return;
    this.startProbe();
    void this.probeSoon();
  };

  private async probeSoon(): Promise<void> {
    for (const delay of NODE_ADDED_PROBE_DELAYS_MS) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay).unref());
      // The probe timer stops once the cluster has answered.
      if (this.isClosed || !this.probeTimer) return;
      await this.probe();
    }
  }

  /** The cluster answered: stop probing and say so. */
  private markReachable(): void {
    if (this.isClosed) return;
    this.stopProbe();
    this.listener.reachable(true);
  }

  private readonly onNodeRemoved = (): void => {
    let nodesLeft = 0;
    try {
      nodesLeft = this.current?.getNodes().length ?? 0;
    } catch {
      // A closing client cannot list its nodes: count it as none left.
    }
    if (nodesLeft === 0) this.onDisconnected();
  };

  private readonly onDisconnected = (): void => {
    if (this.isClosed) return;
    this.listener.reachable(false);
    this.startProbe();
  };

  private startProbe(): void {
    if (this.probeTimer || this.isClosed) return;
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private stopProbe(): void {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  /** One existence check: any answer from a server, even "not found", means it is reachable. */
  private async probe(): Promise<void> {
    const client = this.current;
    if (this.probing || !client) return;
    this.probing = true;
    try {
      // Within the store's in-flight cap, like every command: a probe past it would take a connection a command was promised.
      await this.track(() =>
        limiterFor(client).run(() => client.exists(this.probeKey, this.targetFor(client).policies.probe)),
      );
      this.markReachable();
    } catch (err) {
      // Negative codes come from the client itself (no connection, bad parameters), not from a server.
      const code = resultCode(err);
      if (code !== undefined && code > 0 && !isTransient(err)) this.markReachable();
    } finally {
      this.probing = false;
    }
  }

  private targetFor(client: Client): CommandTarget {
    if (this.target?.client !== client) {
      this.target = { client, policies: new CommandPolicies(client), limiter: limiterFor(client) };
    }
    return this.target;
  }
}
