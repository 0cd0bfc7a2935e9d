import type { Client } from 'aerospike';

/** The client's default `maxConnsPerNode`. */
const CLIENT_DEFAULT_MAX_CONNS = 100;

/**
 * Caps the commands in flight on one client. The aerospike client rejects an async
 * command outright (ERR_NO_MORE_CONNECTIONS) once `maxConnsPerNode` are busy instead
 * of queueing it, so a burst of requests (1,000 sessions saved at once) would fail
 * although the server is fine. Commands past the cap wait here, first come first served.
 */
export class CommandLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** @param limit commands allowed in flight at once. */
  constructor(readonly limit: number) {}

  /** Waits for a slot; the returned function gives it back (call it exactly once). */
  async acquire(): Promise<() => void> {
    if (this.active < this.limit) this.active += 1;
    // A released slot is handed straight to the next waiter, so `active` stays put.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
  }

  /** Runs `command` in a slot. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await command();
    } finally {
      release();
    }
  }
}

const limiters = new WeakMap<object, CommandLimiter>();

/**
 * The limiter of a client, shared by every store using that client so that together
 * they stay under its connection cap. Sized to the client's `maxConnsPerNode`: the
 * worst case sends every command to one node.
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
