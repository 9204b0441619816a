import type { ZoneStore } from './zone/zone-store.js';

/** Packets older than this (by their own timestamp) are evicted: 7 days. */
export const DEFAULT_EVICTION_AGE_MS = 7 * 24 * 3600 * 1000;
/** Pause between eviction runs: 10 s. */
export const DEFAULT_EVICTION_INTERVAL_MS = 10_000;

/** Timer functions, injectable for tests. */
export interface IntervalTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Options of {@link Evictor}. */
export interface EvictionOptions {
  /** Evict packets whose timestamp is older than this. @defaultValue 7 days */
  readonly maxAgeMs?: number;
  /** Run every this often. @defaultValue 10 s */
  readonly intervalMs?: number;
  /** Wall clock in ms. @defaultValue `Date.now` */
  readonly now?: () => number;
  /** Timer functions. @defaultValue the global ones (unref'd in Node) */
  readonly timers?: IntervalTimers;
}

const globalTimers: IntervalTimers = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms) as unknown as { unref?: () => void };
    h.unref?.();
    return h;
  },
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** Periodically removes packets older than the maximum age (iroh's eviction task). */
export class Evictor {
  readonly #zones: ZoneStore;
  readonly #maxAgeUs: bigint;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #timers: IntervalTimers;
  #handle: unknown;
  #running = false;

  constructor(zones: ZoneStore, options: EvictionOptions = {}) {
    this.#zones = zones;
    this.#maxAgeUs = BigInt(Math.round(options.maxAgeMs ?? DEFAULT_EVICTION_AGE_MS)) * 1000n;
    this.#intervalMs = options.intervalMs ?? DEFAULT_EVICTION_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? globalTimers;
  }

  /** Runs one eviction pass now; resolves to the number of packets removed. */
  async runOnce(): Promise<number> {
    const cutoff = BigInt(Math.floor(this.#now())) * 1000n - this.#maxAgeUs;
    return this.#zones.evictOlderThan(cutoff);
  }

  /** Starts the periodic task (idempotent). */
  start(): void {
    if (this.#handle !== undefined) return;
    this.#handle = this.#timers.setInterval(() => {
      if (this.#running) return;
      this.#running = true;
      this.runOnce()
        .catch(() => 0)
        .finally(() => {
          this.#running = false;
        });
    }, this.#intervalMs);
  }

  /** Stops the periodic task. */
  stop(): void {
    if (this.#handle === undefined) return;
    this.#timers.clearInterval(this.#handle);
    this.#handle = undefined;
  }
}
