import { BackendUnavailableError } from '@session-stores/core';
import {
  type LuaScript,
  type NodeSender,
  type OpenedClient,
  type RedisClientLike,
  RedisConnection,
  runScript,
  scanKeys,
} from '@session-stores/redis-store/connection';
import { LatencyEstimate } from './latency';

/** What the store hears from a replica. */
export interface ReplicaListener {
  /** The replica became usable or unusable. */
  changed(): void;
  /** The replica became usable (for the first time, or again after an outage). */
  ready(replica: Replica): void;
  /** The client reported an error; returns whether anyone heard it. */
  error(err: unknown, replica: Replica): boolean;
  /** The replica was marked {@link Replica.behind}: it may lack writes the others have. */
  behind(replica: Replica): void;
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
 * The callback of one round trip's end. Made here, not as a `const` in the method: on every
 * command's path, and the build gives functions held in variables a name, slowly.
 */
function measured(replica: Replica, started: number): () => void {
  return () => replica.roundTripEnded(started);
}

/** Source of {@link Replica.behindMark} values: each marking gets a new one. */
let lastBehindMark = 0;

/**
 * One server of the set: its {@link RedisConnection} (redis-store's, so node-redis and
 * ioredis both work, and every round trip to it is bounded by `commandTimeout`). A server
 * known to be down fails commands at once, so a quorum is reached (or missed) without
 * waiting for it; only the very first connection is waited for.
 */
export class Replica {
  /** Index in the `clients` option. */
  readonly index: number;
  /** The client in use: the app's, or the one the store created. */
  readonly client: RedisClientLike;

  private readonly connection: RedisConnection;
  private readonly raw: NodeSender;
  /**
   * What is known of the server: `connecting` until it was first ready or failed (commands
   * wait for it meanwhile), then `current`, or `missed` from the moment it was unusable
   * (down, stalled, failing to connect) until it is usable again: it may have missed writes,
   * and is then marked {@link behind}.
   */
  private history: 'connecting' | 'current' | 'missed' = 'connecting';
  /** The `ready` event was given since the server last became usable. */
  private announced = false;
  /** A client error was heard by an `error` listener since the server was last ready. */
  private reportedDown = false;
  /** Scripts this server is known to hold since the connection came up. */
  private readonly scripts = new Set<string>();
  /** Non-zero while behind: which marking, so a resync that started before a newer one does not clear it. */
  private behindSince = 0;
  /** How long round trips to this server take, measured on every command sent to it. */
  readonly latency = new LatencyEstimate();

  constructor(
    index: number,
    opened: OpenedClient,
    commandTimeout: number,
    private readonly listener: ReplicaListener,
  ) {
    this.index = index;
    this.client = opened.client;
    const adapter = opened.adapter;
    this.raw = (args) => adapter.send('', args);
    // A client the store made must never crash the process with an unhandled 'error', not even while closing.
    if (opened.owned) this.client.on('error', noop);
    this.connection = new RedisConnection(opened, {
      commandTimeout,
      notConnectedError: (ms, hint) =>
        new BackendUnavailableError(
          `ReplicatedStore: no connection to clients[${index}] within ${ms} ms (commandTimeout)${hint ? `: ${hint}` : ''}`,
        ),
      noAnswerError: (ms) =>
        new BackendUnavailableError(
          `ReplicatedStore: clients[${index}] did not answer within ${ms} ms (commandTimeout)`,
        ),
      events: {
        up: () => this.onReady(),
        down: () => this.onDown(),
        stalled: () => this.onStall(),
        error: (err) => {
          const down = !adapter.isReady();
          if (down) this.history = 'missed';
          // A down server's client fails every reconnection attempt: one report per outage is enough.
          if (down && this.reportedDown) return;
          if (listener.error(err, this) && down) this.reportedDown = true;
        },
      },
    });
  }

  /** Starts connecting the store's own client, or takes note that the app's is already up. */
  connect(): void {
    this.connection.start();
  }

  /** Whether commands can be sent now. */
  get usable(): boolean {
    return this.connection.usable;
  }

  /** Known to be unreachable: commands to it fail at once (only the first connection is waited for). */
  get down(): boolean {
    return this.history !== 'connecting' && !this.usable;
  }

  /**
   * Known to lack writes the other servers may have: it came back after being unreachable
   * (or connected late, after a failed first attempt), or failed a write that succeeded on
   * the others. Cleared by the store once a resync has copied the missing sessions over.
   */
  get behind(): boolean {
    return this.behindSince !== 0;
  }

  /** Identifies the latest marking while {@link behind} (0 when not): pass it to {@link clearBehind}. */
  get behindMark(): number {
    return this.behindSince;
  }

  /** Marks the server {@link behind}. */
  markBehind(): void {
    if (this.connection.closed) return;
    this.behindSince = ++lastBehindMark;
    this.listener.behind(this);
  }

  /** Clears {@link behind}, unless the server was marked again since `mark` was read. */
  clearBehind(mark: number): void {
    if (mark !== 0 && this.behindSince === mark) this.behindSince = 0;
  }

  /** One bounded round trip, which may send several commands (EVALSHA, then EVAL). */
  call<T>(round: (send: NodeSender) => Promise<T>): Promise<T> {
    if (this.down) return Promise.reject(new ReplicaDownError(this.index));
    return this.measure(this.connection.run(() => round(this.raw)));
  }

  /** One command. */
  send(args: string[]): Promise<unknown> {
    if (this.down) return Promise.reject(new ReplicaDownError(this.index));
    return this.measure(this.connection.run(() => this.raw(args)));
  }

  /** Counts a round trip's duration in {@link latency}. */
  private measure<T>(run: Promise<T>): Promise<T> {
    const done = measured(this, performance.now());
    run.then(done, done);
    return run;
  }

  /** A round trip that started at `started` (performance.now()) ended. */
  roundTripEnded(started: number): void {
    const now = performance.now();
    this.latency.record(now - started, now);
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
  close(): Promise<void> {
    return this.connection.close();
  }

  private onReady(): void {
    if (this.connection.closed) return;
    this.reportedDown = false;
    if (this.history !== 'missed') {
      this.history = 'current';
    } else if (this.usable) {
      this.history = 'current';
      this.markBehind();
    }
    this.listener.changed();
    if (!this.announced && this.usable) {
      this.announced = true;
      this.listener.ready(this);
    }
  }

  private onDown(): void {
    // It may come back as a fresh server, with an empty script cache.
    this.scripts.clear();
    this.history = 'missed';
    this.announced = false;
    this.listener.changed();
  }

  /**
   * A round trip got no answer in time, or found the server unreachable, while the client
   * still looks connected (a stalled server, a network partition). Until it answers a PING
   * again, it counts as down: commands to it fail at once instead of each waiting out the timeout.
   */
  private onStall(): void {
    this.history = 'missed';
    this.announced = false;
    this.listener.changed();
  }
}
