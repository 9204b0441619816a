/** Callbacks on changing values: {@link WatchHandle} as in `@number0/iroh`, and a small emitter. */

/** Stops a watch callback. */
export class WatchHandle {
  #stop: (() => void) | undefined;
  /** @internal */
  constructor(stop: () => void) {
    this.#stop = stop;
  }
  /** Stops calling the callback. Idempotent. */
  async stop(): Promise<void> {
    this.#stop?.();
    this.#stop = undefined;
  }
}

/** A value that calls its watchers when it changes. @internal */
export class Watchable<T> {
  #value: T;
  readonly #watchers = new Set<(value: T) => void>();
  readonly #equals: (a: T, b: T) => boolean;

  constructor(initial: T, equals: (a: T, b: T) => boolean = Object.is) {
    this.#value = initial;
    this.#equals = equals;
  }

  get(): T {
    return this.#value;
  }

  /** Sets the value; watchers run (synchronously) only when it changed. */
  set(value: T): void {
    if (this.#equals(this.#value, value)) return;
    this.#value = value;
    for (const w of [...this.#watchers]) {
      try {
        w(value);
      } catch {
        // A watcher's error is its own; the others still run.
      }
    }
  }

  /** Calls `cb` on every change (not with the current value). */
  watch(cb: (value: T) => void): WatchHandle {
    this.#watchers.add(cb);
    return new WatchHandle(() => this.#watchers.delete(cb));
  }

  /** Resolves with the first value that satisfies `pred` (at once if the current one does). */
  until(pred: (value: T) => boolean, signal?: AbortSignal): Promise<T> {
    if (pred(this.#value)) return Promise.resolve(this.#value);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#watchers.delete(w);
        reject(signal?.reason);
      };
      const w = (v: T) => {
        if (!pred(v)) return;
        this.#watchers.delete(w);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      this.#watchers.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
