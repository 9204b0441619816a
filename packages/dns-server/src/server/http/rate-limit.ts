/**
 * Per-client rate limiting of pkarr PUTs, as iroh-dns-server configures tower-governor: a burst of 2
 * requests, then one more every 4 seconds. Implemented as GCRA (the algorithm governor uses), which is a
 * token bucket that stores one timestamp per client. Time is injected.
 */

/** How clients are told apart: not at all, by peer IP, or by proxy headers then peer IP. */
export type RateLimitMode = 'disabled' | 'simple' | 'smart';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed at once. @defaultValue 2 */
  readonly burst?: number;
  /** Time for one request's allowance to come back. @defaultValue 4000 ms */
  readonly replenishMs?: number;
}

/** Result of {@link RateLimiter.check}. */
export type RateLimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

/** Sweep forgotten clients every this many checks. */
const SWEEP_EVERY = 1024;

/** A GCRA rate limiter keyed by client. */
export class RateLimiter {
  readonly #interval: number;
  readonly #tolerance: number;
  /** Theoretical arrival time per client, in ms. */
  readonly #tat = new Map<string, number>();
  #checks = 0;

  constructor(options: RateLimiterOptions = {}) {
    const burst = options.burst ?? 2;
    const interval = options.replenishMs ?? 4000;
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be a positive integer');
    if (!(interval > 0)) throw new RangeError('replenishMs must be positive');
    this.#interval = interval;
    this.#tolerance = interval * (burst - 1);
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.#tat.size;
  }

  /** Decides one request of `client` at time `now` (ms) and records it when allowed. */
  check(client: string, now: number): RateLimitDecision {
    if (++this.#checks % SWEEP_EVERY === 0) this.sweep(now);
    const tat = this.#tat.get(client) ?? now;
    const allowAt = tat - this.#tolerance;
    if (now < allowAt) return { allowed: false, retryAfterMs: allowAt - now };
    this.#tat.set(client, Math.max(tat, now) + this.#interval);
    return { allowed: true };
  }

  /** Forgets clients whose allowance is full again (their state equals a new client's). */
  sweep(now: number): void {
    for (const [client, tat] of this.#tat) if (tat <= now) this.#tat.delete(client);
  }
}
