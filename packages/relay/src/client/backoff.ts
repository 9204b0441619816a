/**
 * Exponential reconnect backoff with jitter: 10 ms doubling up to 16 s by default, as iroh's relay
 * actor. Each delay gets a random extra of up to the delay itself, capped at the maximum.
 *
 * @module
 */

/** Backoff settings. */
export interface BackoffOptions {
  /** First delay. Default 10. */
  readonly minMs?: number | undefined;
  /** Largest delay. Default 16 000. */
  readonly maxMs?: number | undefined;
}

/** Produces successive reconnect delays. */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #random: () => number;
  #attempt = 0;

  /** @param random - Uniform `[0, 1)` source for the jitter. Default `Math.random`. */
  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#min = options.minMs ?? 10;
    this.#max = options.maxMs ?? 16_000;
    this.#random = random;
  }

  /** The next delay in milliseconds. */
  next(): number {
    const base = Math.min(this.#max, this.#min * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.min(this.#max, base + this.#random() * base);
  }

  /** Starts over from the minimum (after a successful connection). */
  reset(): void {
    this.#attempt = 0;
  }
}
