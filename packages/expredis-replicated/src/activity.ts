/**
 * Counts work under way (round trips, writes past their quorum, read repairs), so that
 * `idle()` can wait until all of it has finished.
 */
export class Activity {
  private count = 0;
  private waiters: Array<() => void> = [];

  /** Whether anything is under way. */
  get busy(): boolean {
    return this.count > 0;
  }

  /** One more piece of work; pair with {@link end}. */
  begin(): void {
    this.count++;
  }

  /** One piece of work finished. */
  readonly end = (): void => {
    if (--this.count > 0) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  };

  /** Counts `work` until it settles, and returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.begin();
    work.then(this.end, this.end);
    return work;
  }

  /** Resolves once nothing is under way. */
  whenIdle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
