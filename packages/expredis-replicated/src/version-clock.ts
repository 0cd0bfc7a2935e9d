/** Versions are microseconds since the epoch: exact in a double (and in Lua) until the year 2255. */
const MICROS_PER_MS = 1000;

/**
 * A version seen in storage is adopted only if it is at most this far ahead of our own
 * clock (in µs): enough for clock skew between app servers, while a corrupt or hostile
 * value cannot drag every later version into the far future.
 */
const MAX_ADOPTED_LEAD_US = 60 * 60 * 1000 * MICROS_PER_MS;

/**
 * Hands out write versions: strictly increasing in this process, close to wall-clock time
 * (microseconds), and never lower than a version this process has read (a hybrid logical
 * clock). So a write that follows a read of version X always carries a version above X,
 * even when the app server that wrote X has a clock running ahead of ours.
 */
export class VersionClock {
  private last = 0;

  /** A new version, above every version handed out or observed so far. */
  next(): number {
    const now = Date.now() * MICROS_PER_MS;
    this.last = now > this.last ? now : this.last + 1;
    return this.last;
  }

  /** Takes note of a version read from storage. */
  observe(version: number): void {
    if (version > this.last && version <= Date.now() * MICROS_PER_MS + MAX_ADOPTED_LEAD_US) {
      this.last = version;
    }
  }
}

/** One clock per process, shared by every store, so two stores writing the same keys stay ordered. */
export const processClock = new VersionClock();
