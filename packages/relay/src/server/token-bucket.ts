/**
 * The per-client receive rate limiter: a token bucket refilled in fixed periods (iroh-relay's
 * `Bucket`), sans IO — every method takes `now` in milliseconds.
 *
 * Reading is never refused: bytes are taken after they were read, and when the fill drops to zero
 * or below the caller pauses reading until {@link TokenBucket.consume}'s returned time.
 *
 * @module
 */
import { RelayServerError } from './errors.js';

/** Refill period of the relay's client rate limiter. */
export const REFILL_PERIOD_MS = 100;

/** A token bucket counting bytes. */
export class TokenBucket {
  #fill: number;
  readonly #max: number;
  readonly #refill: number;
  readonly #period: number;
  #lastFill: number;

  /**
   * @param maxBurstBytes - Bucket capacity; it starts full.
   * @param bytesPerSecond - Long-run rate.
   * @param now - Current time in milliseconds.
   * @param periodMs - Refill period. Default 100 ms.
   * @throws {@link RelayServerError} `InvalidConfig` unless capacity, rate and per-period refill are positive.
   */
  constructor(
    maxBurstBytes: number,
    bytesPerSecond: number,
    now: number,
    periodMs: number = REFILL_PERIOD_MS,
  ) {
    const refill = Math.floor((bytesPerSecond * periodMs) / 1000);
    if (!(maxBurstBytes > 0 && bytesPerSecond > 0 && periodMs > 0 && refill > 0)) {
      throw new RelayServerError(
        'InvalidConfig',
        `invalid rate limit: burst ${maxBurstBytes} B, ${bytesPerSecond} B/s (needs a positive refill per ${periodMs} ms)`,
      );
    }
    this.#fill = maxBurstBytes;
    this.#max = maxBurstBytes;
    this.#refill = refill;
    this.#period = periodMs;
    this.#lastFill = now;
  }

  /** Bytes currently available (may be negative after a large read). */
  get fill(): number {
    return this.#fill;
  }

  /**
   * Takes `bytes` that were just read.
   *
   * @returns 0 if reading may continue, else the time at which enough will have been refilled.
   */
  consume(bytes: number, now: number): number {
    const periods = Math.floor((now - this.#lastFill) / this.#period);
    if (periods > 0) {
      this.#fill = Math.min(this.#max, this.#fill + periods * this.#refill);
      this.#lastFill += periods * this.#period;
    }
    this.#fill -= bytes;
    if (this.#fill > 0) return 0;
    const needed = Math.floor(-this.#fill / this.#refill) + 1;
    return this.#lastFill + needed * this.#period;
  }
}
