/** What the gate needs to know about the connection. */
export interface GateOptions {
  /** The per-round-trip budget in ms, waiting for a connection included. */
  readonly commandTimeout: number;
  /** Whether commands can be sent now (a cheap property read on the client). */
  isReady(): boolean;
  /** Called once when a caller starts waiting for the connection (e.g. to start a lazy client). */
  onWait(): void;
  /** Called when polling finds the connection ready, so the store can emit `connect`. */
  onReadyObserved(): void;
  /** The error for a round trip that never got a connection within the budget. */
  notConnectedError(commandTimeout: number): Error;
  /** The error for a round trip sent but not answered within the budget. */
  noAnswerError(commandTimeout: number): Error;
  /** Whether a failed round trip says the server is unavailable (refused, reset, closed, loading). */
  isUnavailable(err: unknown): boolean;
  /** Called when a sent round trip ran out of time or found the server unavailable. */
  onUnavailable(): void;
}

/**
 * One round trip under the gate: a plain object and free functions, not a class with
 * field initializers or optional calls, which the CommonJS build turns into helper calls;
 * this is on every command's path.
 */
interface Pending {
  readonly due: number;
  /** Settled (answered, failed or expired): the sweep skips it. */
  done: boolean;
  /** Still waiting for a connection, not sent yet. */
  waiting: boolean;
  /** What to send once the connection is ready (only while waiting). */
  send: (() => Promise<unknown>) | undefined;
  resolve: ((value: unknown) => void) | undefined;
  reject: ((err: unknown) => void) | undefined;
}

/** The resolving functions of the promise the gate created last (read at once by `run`). */
let capturedResolve: ((value: unknown) => void) | undefined;
let capturedReject: ((err: unknown) => void) | undefined;

/** One shared promise executor (no closure per command): stores the functions above. */
function capture(resolve: (value: unknown) => void, reject: (err: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** Settles once; drops the callbacks so a settled entry keeps no promise (or reply) alive. */
function settle(entry: Pending, err: unknown, value?: unknown): void {
  const resolve = entry.resolve;
  const reject = entry.reject;
  entry.done = true;
  entry.resolve = undefined;
  entry.reject = undefined;
  entry.send = undefined;
  if (err === undefined) {
    if (resolve !== undefined) resolve(value);
  } else if (reject !== undefined) {
    reject(err);
  }
}

/** Drop settled entries from the front of the queue once this many have piled up. */
const COMPACT_AT = 1024;

/** How often a waiting caller re-checks readiness, for clients whose ready events are unreliable. */
const POLL_MS = 25;

/**
 * Bounds every Redis round trip by one deadline, so no request hangs on a dead or
 * stalled server. While the connection is down, commands are held here (not in the
 * client's offline queue, where they could run long after the caller gave up) until it
 * is back or the budget runs out. All deadlines share one timer: they all have the
 * same length, so insertion order is expiry order and a sweep stops at the first live one.
 */
export class CommandGate {
  /** Every unsettled round trip, oldest first (all deadlines have the same length). */
  private queue: Pending[] = [];
  private head = 0;
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private disposedWith: Error | undefined;

  private readonly commandTimeout: number;

  constructor(private readonly options: GateOptions) {
    this.commandTimeout = options.commandTimeout;
  }

  /** Runs `send` when the connection is ready; rejects with the gate's errors once the budget is spent. */
  run<T>(send: () => Promise<T>): Promise<T> {
    if (this.disposedWith) return Promise.reject(this.disposedWith);
    const promise = new Promise<unknown>(capture) as Promise<T>;
    const pending: Pending = {
      due: Date.now() + this.commandTimeout,
      done: false,
      waiting: false,
      send: undefined,
      resolve: capturedResolve,
      reject: capturedReject,
    };
    // Settled entries at the front are dropped as new ones arrive, so the queue holds
    // about the round trips in flight, not every one since the last sweep.
    const queue = this.queue;
    let head = this.head;
    while (head < queue.length && (queue[head] as Pending).done) head++;
    this.head = head;
    if (head === queue.length || head >= COMPACT_AT) this.compact();
    this.queue.push(pending);
    if (!this.timer) this.schedule(pending.due);
    if (this.options.isReady()) {
      this.start(pending, send);
    } else {
      pending.waiting = true;
      pending.send = send;
      this.waiting++;
      this.holdProcessWhileWaiting();
      this.startPolling();
    }
    return promise;
  }

  /** Releases every waiting caller: the store saw the connection come back. */
  notifyReady(): void {
    if (this.waiting === 0) return;
    this.stopPolling();
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i] as Pending;
      if (entry.waiting && !entry.done) this.start(entry, entry.send as () => Promise<unknown>);
    }
  }

  /**
   * Fails every caller still waiting for a connection, and every later one, with `err`.
   * Round trips already sent keep their deadline: the client may still answer them.
   */
  dispose(err: Error): void {
    this.disposedWith = err;
    this.stopPolling();
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i] as Pending;
      if (!entry.waiting || entry.done) continue;
      this.stopWaiting(entry);
      settle(entry, err);
    }
  }

  private start(entry: Pending, send: () => Promise<unknown>): void {
    this.stopWaiting(entry);
    let sent: Promise<unknown>;
    try {
      sent = send();
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (value) => {
        if (!entry.done) settle(entry, undefined, value);
      },
      (err: unknown) => {
        if (entry.done) return;
        settle(entry, err ?? new Error('Redis command failed'));
        if (this.options.isUnavailable(err)) this.options.onUnavailable();
      },
    );
  }

  private stopWaiting(entry: Pending): void {
    if (!entry.waiting) return;
    entry.waiting = false;
    this.waiting--;
    if (this.waiting === 0) this.holdProcessWhileWaiting();
  }

  private schedule(due: number): void {
    this.timer = setTimeout(this.sweep, Math.max(0, due - Date.now()));
    this.holdProcessWhileWaiting();
  }

  /**
   * A round trip sent is held open by the client's socket, so the deadline timer alone must
   * not keep the process alive. A caller still waiting for a connection may have nothing
   * else (a node-redis client the app never connected has no socket): then the timer holds
   * the process until the deadline, so a short script gets its error instead of exiting 0.
   */
  private holdProcessWhileWaiting(): void {
    if (this.timer === undefined) return;
    if (this.waiting > 0) this.timer.ref();
    else this.timer.unref();
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    const now = Date.now();
    const { commandTimeout } = this.options;
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head] as Pending;
      if (!entry.done) {
        if (entry.due > now) {
          this.schedule(entry.due);
          break;
        }
        if (entry.waiting) {
          this.stopWaiting(entry);
          settle(entry, this.options.notConnectedError(commandTimeout));
        } else {
          settle(entry, this.options.noAnswerError(commandTimeout));
          this.options.onUnavailable();
        }
      }
      this.head++;
    }
    this.compact();
    if (this.waiting === 0) this.stopPolling();
  };

  /** Forgets settled entries at the front, so the queue does not grow with traffic. */
  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AT) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private startPolling(): void {
    if (this.poller) return;
    this.options.onWait();
    this.poller = setInterval(() => {
      if (!this.options.isReady()) return;
      this.options.onReadyObserved();
      this.notifyReady();
    }, POLL_MS);
    this.poller.unref();
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }
}
