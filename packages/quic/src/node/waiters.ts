/** Promise plumbing for the async driver: keyed wait queues woken by connection events. */

/** A set of pending promises waiting for the same condition. */
export class WaitQueue {
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  /** A promise settled by the next {@link wake} or {@link fail}. */
  wait(): Promise<void> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Resolves every waiter; returns how many there were. */
  wake(): number {
    const w = this.waiters;
    if (w.length === 0) return 0;
    this.waiters = [];
    for (const x of w) x.resolve();
    return w.length;
  }

  fail(err: unknown): void {
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) x.reject(err);
  }

  get size(): number {
    return this.waiters.length;
  }
}
