import { BackendUnavailableError, StoreClosedError } from '@session-stores/core';
import {
  CommandGate,
  isUnavailable,
  type NodeSender,
  type RedisClientLike,
  type RedisConnection,
  scanKeys,
} from '@session-stores/redis-store/connection';
import { Activity } from './activity';
import type { ReplicaClient } from './replica-clients';
import { type LuaScript, runScript } from './scripts';

/** How often a server that stopped answering is pinged (at most; never more often than the timeout). */
const PROBE_INTERVAL_MS = 1000;

/** What the store hears from a replica. */
export interface ReplicaListener {
  /** The replica became usable or unusable. */
  changed(): void;
  /** The replica became usable (for the first time, or again after an outage). */
  ready(replica: Replica): void;
  /** The client reported an error; returns whether anyone heard it. */
  error(err: unknown, replica: Replica): boolean;
}

/** Fails a command at once because its server is known to be down; not worth an `error` event each time. */
export class ReplicaDownError extends BackendUnavailableError {
  /** Index of the server in `clients`. */
  readonly replica: number;

  constructor(replica: number) {
    super(`ReplicatedStore: clients[${replica}] is unreachable`);
    this.replica = replica;
  }
}

const noop = (): void => undefined;

/**
 * One server of the set: its connection (redis-store's adapter, so node-redis and ioredis
 * both work) and its own {@link CommandGate}, so every round trip to it is bounded by
 * `commandTimeout`. A server known to be down fails commands at once, so a quorum is
 * reached (or missed) without waiting for it; only the very first connection is waited for.
 */
export class Replica {
  /** Index in the `clients` option. */
  readonly index: number;
  /** The client in use: the app's, or the one the store created. */
  readonly client: RedisClientLike;
  /** Whether the store created the client, and so closes it. */
  readonly owned: boolean;

  private readonly connection: RedisConnection;
  private readonly gate: CommandGate;
  private readonly stopWatching: () => void;
  private readonly probeEveryMs: number;
  private readonly raw: NodeSender;
  private readonly startClient: () => void;
  /** Set once the server was ready or the client reported a failure: from then on nobody waits for it. */
  private failFast = false;
  /** It stopped answering although its client looks connected; it is pinged until it answers. */
  private stalled = false;
  private announced = false;
  /** A client error was heard by an `error` listener since the server was last ready. */
  private reportedDown = false;
  private closed = false;
  private prober: NodeJS.Timeout | undefined;
  /** Scripts this server is known to hold since the connection came up. */
  private readonly scripts = new Set<string>();
  /** Round trips under way. */
  readonly activity = new Activity();

  constructor(
    index: number,
    opened: ReplicaClient,
    timeoutMs: number,
    private readonly listener: ReplicaListener,
  ) {
    this.index = index;
    this.client = opened.client;
    this.owned = opened.owned;
    this.connection = opened.connection;
    this.startClient = opened.start;
    this.probeEveryMs = Math.min(timeoutMs, PROBE_INTERVAL_MS);
    const connection = this.connection;
    this.raw = (args) => connection.send('', args);
    // A client the store made must never crash the process with an unhandled 'error', not even while closing.
    if (this.owned) this.client.on('error', noop);
    this.gate = new CommandGate({
      timeoutMs,
      isReady: () => connection.isReady(),
      onWait: () => connection.wake(),
      onReadyObserved: () => this.onReady(),
      notConnectedError: (ms) =>
        new BackendUnavailableError(
          `ReplicatedStore: no connection to clients[${index}] within ${ms} ms (commandTimeout)${this.hint()}`,
        ),
      noAnswerError: (ms) =>
        new BackendUnavailableError(
          `ReplicatedStore: clients[${index}] did not answer within ${ms} ms (commandTimeout)`,
        ),
      isUnreachable: isUnavailable,
      onUnreachable: () => this.onStall(),
    });
    this.stopWatching = connection.watch({
      ready: () => this.onReady(),
      down: () => this.onDown(),
      error: (err) => {
        const down = !connection.isReady();
        if (down) this.failFast = true;
        // A down server's client fails every reconnection attempt: one report per outage is enough.
        if (down && this.reportedDown) return;
        if (listener.error(err, this) && down) this.reportedDown = true;
      },
    });
  }

  /** Starts connecting the store's own client, or takes note that the app's is already up. */
  connect(): void {
    this.startClient();
    if (this.connection.isReady()) this.onReady();
  }

  /** Whether commands can be sent now. */
  get usable(): boolean {
    return !this.stalled && this.connection.isReady();
  }

  /** Known to be unreachable: commands to it fail at once. */
  get down(): boolean {
    return this.failFast && !this.usable;
  }

  /** One bounded round trip, which may send several commands (EVALSHA, then EVAL). */
  call<T>(round: (send: NodeSender) => Promise<T>): Promise<T> {
    if (this.down) return Promise.reject(new ReplicaDownError(this.index));
    return this.activity.track(this.gate.run(() => round(this.raw)));
  }

  /** One command. */
  send(args: string[]): Promise<unknown> {
    return this.call((send) => send(args));
  }

  /** One script run; see runScript for why the first run on a connection is an EVAL. */
  script(lua: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const cached = this.scripts.has(lua.sha);
    const run = this.call((send) => runScript(send, lua, keys, args, cached));
    if (!cached) run.then(() => this.scripts.add(lua.sha), noop);
    return run;
  }

  /** The keys matching `pattern`, page by page (SCAN), each page a bounded round trip. */
  scan(pattern: string, count: number): AsyncGenerator<string[]> {
    return scanKeys([this.raw], pattern, count, (send) => this.call(send));
  }

  /** Stops watching the client, fails waiting commands, and closes the client if the store made it. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopProbing();
    this.gate.dispose(new StoreClosedError());
    this.stopWatching();
    if (this.owned) await this.connection.close();
  }

  private hint(): string {
    const hint = this.connection.notReadyHint();
    return hint ? `: ${hint}` : '';
  }

  private onReady(): void {
    if (this.closed) return;
    this.failFast = true;
    this.stalled = false;
    this.reportedDown = false;
    this.stopProbing();
    this.gate.notifyReady();
    this.listener.changed();
    if (!this.announced && this.usable) {
      this.announced = true;
      this.listener.ready(this);
    }
  }

  private onDown(): void {
    // It may come back as a fresh server, with an empty script cache.
    this.scripts.clear();
    this.failFast = true;
    this.stalled = false;
    this.announced = false;
    this.stopProbing();
    this.listener.changed();
  }

  /**
   * A round trip got no answer in time, or found the server unreachable, while the client
   * still looks connected (a stalled server, a network partition). Until it answers a PING
   * again, it counts as down: commands to it fail at once instead of each waiting out the timeout.
   */
  private onStall(): void {
    if (this.closed || this.stalled || !this.connection.isReady()) return;
    this.stalled = true;
    this.failFast = true;
    this.announced = false;
    this.listener.changed();
    let probing = false;
    this.prober = setInterval(() => {
      if (probing) return;
      probing = true;
      this.gate
        .run(() => this.raw(['PING']))
        .then(() => {
          if (this.prober) this.onReady();
        }, noop)
        .finally(() => {
          probing = false;
        });
    }, this.probeEveryMs);
    this.prober.unref();
  }

  private stopProbing(): void {
    if (this.prober) clearInterval(this.prober);
    this.prober = undefined;
  }
}
