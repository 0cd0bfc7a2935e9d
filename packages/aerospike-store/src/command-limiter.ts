import type { Client } from 'aerospike';

/** The client's default `maxConnsPerNode`. */
const CLIENT_DEFAULT_MAX_CONNS = 100;

/**
 * What a slot is for. A `command` holds its slot until it completes. A `scan` holds its
 * slot while its consumer sends more commands (clear() removes and all() reads each
 * batch before the scan ends), so scans may never take every slot.
 */
export type SlotKind = 'command' | 'scan';

interface Waiter {
  readonly kind: SlotKind;
  readonly grant: () => void;
}

/**
 * Caps the commands in flight on one client, scans included: each holds one of the
 * client's connections per node. The aerospike client rejects an async command outright
 * (ERR_NO_MORE_CONNECTIONS) once `maxConnsPerNode` are busy instead of queueing it, so a
 * burst of requests (1,000 sessions saved at once) would fail although the server is
 * fine. Commands past the cap wait here, first come first served; a scan that may not
 * start yet lets the commands queued behind it go first.
 */
export class CommandLimiter {
  /** Scans allowed in flight at once: one slot less than the limit, so the commands a scan waits on can run. */
  readonly scanLimit: number;
  private active = 0;
  private activeScans = 0;
  private readonly waiting: Waiter[] = [];

  /**
   * @param limit commands allowed in flight at once. With a limit of 1 a scan and the
   * commands its consumer sends cannot both have a connection, so scans run outside the
   * cap there (the client then fails what does not fit, as it would without the store).
   */
  constructor(readonly limit: number) {
    this.scanLimit = limit - 1;
  }

  /** Commands and scans in flight, for tests. */
  get inFlight(): number {
    return this.active;
  }

  /** Waits for a slot; the returned function gives it back (calling it again does nothing). */
  async acquire(kind: SlotKind = 'command'): Promise<() => void> {
    if (kind === 'scan' && this.scanLimit === 0) return () => undefined;
    // Whoever waits does not fit (slots are handed out as soon as they free), so this is first come first served.
    if (this.fits(kind)) this.take(kind);
    else await new Promise<void>((grant) => this.waiting.push({ kind, grant }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      if (kind === 'scan') this.activeScans -= 1;
      this.grantWaiting();
    };
  }

  /**
   * Takes a command slot and calls `start` in it: at once when one is free, else when
   * one frees up. The slot is given back with {@link releaseCommand}. The path of every
   * get, set and touch: no promise, no closure of its own.
   */
  startCommand(start: () => void): void {
    if (this.active < this.limit) {
      this.active += 1;
      start();
    } else {
      this.waiting.push({ kind: 'command', grant: start });
    }
  }

  /** Gives back a slot taken with {@link startCommand}. */
  releaseCommand(): void {
    this.active -= 1;
    this.grantWaiting();
  }

  /** Runs `command` in a slot of `kind`. */
  async run<T>(command: () => Promise<T>, kind: SlotKind = 'command'): Promise<T> {
    const release = await this.acquire(kind);
    try {
      return await command();
    } finally {
      release();
    }
  }

  private fits(kind: SlotKind): boolean {
    return this.active < this.limit && (kind === 'command' || this.activeScans < this.scanLimit);
  }

  private take(kind: SlotKind): void {
    this.active += 1;
    if (kind === 'scan') this.activeScans += 1;
  }

  /** Hands free slots to waiters in arrival order, passing over scans that must wait for another scan to end. */
  private grantWaiting(): void {
    for (let index = 0; index < this.waiting.length && this.active < this.limit; ) {
      const waiter = this.waiting[index] as Waiter;
      if (!this.fits(waiter.kind)) {
        index += 1;
        continue;
      }
      this.waiting.splice(index, 1);
      this.take(waiter.kind);
      waiter.grant();
    }
  }
}

const limiters = new WeakMap<object, CommandLimiter>();

/**
 * The limiter of a client, shared by every store using that client so that together
 * they stay under its connection cap. Sized to the client's `maxConnsPerNode`: the
 * worst case sends every command to one node (a scan or batch holds at most one
 * connection per node).
 */
export function limiterFor(client: Client): CommandLimiter {
  let limiter = limiters.get(client);
  if (!limiter) {
    const configured = (client as { config?: { maxConnsPerNode?: unknown } }).config?.maxConnsPerNode;
    const limit =
      typeof configured === 'number' && Number.isInteger(configured) && configured > 0
        ? configured
        : CLIENT_DEFAULT_MAX_CONNS;
    limiter = new CommandLimiter(limit);
    limiters.set(client, limiter);
  }
  return limiter;
}
