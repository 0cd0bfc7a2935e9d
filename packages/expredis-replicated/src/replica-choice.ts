import type { Replica } from './replica';

/** Latency estimates within this factor of the best count as equally fast... */
const CLOSE_FACTOR = 1.5;
/** ...or within this many ms of it (on loopback or in one rack, the differences are noise). */
const CLOSE_MS = 1;
/**
 * How long a turn lasts, in ms. Reads started within it go to the same server, so their
 * commands leave in one write on one connection: writing to three sockets costs the app's
 * process noticeably more than to one, on every event-loop turn.
 */
const TURN_MS = 1;

/**
 * Picks the server a hedged read asks first: a reachable one with the lowest latency
 * estimate. Servers about as fast as the best (within 1.5x or 1 ms) take turns of about a
 * millisecond, so the reads are spread over them rather than all sent to one.
 */
export class ReplicaChoice {
  private turn = 0;
  /** The server whose turn it is (-1: none yet), and when the turn started. */
  private current = -1;
  private turnStarted = 0;
  /** Per server: its estimate at the last choice, -1 when it could not be asked. */
  private readonly estimates: number[];
  /** The latency estimate of the server chosen last, in ms. */
  estimate = 0;

  constructor(private readonly replicas: readonly Replica[]) {
    this.estimates = replicas.map(() => -1);
  }

  /** The index of the server to ask first at `now` (performance.now()), or -1 when none is reachable. */
  choose(now: number): number {
    const replicas = this.replicas;
    const estimates = this.estimates;
    let best = Number.POSITIVE_INFINITY;
    for (let index = 0; index < replicas.length; index++) {
      const replica = replicas[index] as Replica;
      const estimate = replica.usable ? replica.latency.current(now) : -1;
      estimates[index] = estimate;
      if (estimate >= 0 && estimate < best) best = estimate;
    }
    if (best === Number.POSITIVE_INFINITY) return -1;
    const limit = Math.max(best * CLOSE_FACTOR, best + CLOSE_MS);
    const current = this.current;
    if (current >= 0 && now - this.turnStarted < TURN_MS) {
      const estimate = estimates[current] as number;
      if (estimate >= 0 && estimate <= limit) {
        this.estimate = estimate;
        return current;
      }
    }
    let close = 0;
    for (const estimate of estimates) if (estimate >= 0 && estimate <= limit) close++;
    let skip = this.turn % close;
    this.turn = this.turn >= 0x3fffffff ? 0 : this.turn + 1;
    for (let index = 0; index < estimates.length; index++) {
      const estimate = estimates[index] as number;
      if (estimate < 0 || estimate > limit) continue;
      if (skip === 0) {
        this.estimate = estimate;
        this.current = index;
        this.turnStarted = now;
        return index;
      }
      skip--;
    }
    return -1;
  }
}
