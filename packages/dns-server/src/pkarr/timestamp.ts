/**
 * pkarr timestamps: microseconds since the Unix epoch, used as the BEP-44 `seq`. A publisher must never
 * reuse or go back on a timestamp, so {@link TimestampSource} returns `max(now, last + 1)`.
 */

/** A clock returning microseconds since the Unix epoch. */
export type MicrosClock = () => bigint;

/** The system clock in microseconds (millisecond resolution, scaled). */
export const systemMicros: MicrosClock = () => BigInt(Date.now()) * 1000n;

/** Largest u64. */
export const MAX_TIMESTAMP = (1n << 64n) - 1n;

/**
 * A strictly increasing timestamp source: each {@link now} is greater than the previous one, even when the
 * clock stands still or goes backwards.
 */
export class TimestampSource {
  readonly #clock: MicrosClock;
  #last = 0n;

  /** @param clock - the time source; defaults to {@link systemMicros}. */
  constructor(clock: MicrosClock = systemMicros) {
    this.#clock = clock;
  }

  /** The last value returned, or `0n`. */
  get last(): bigint {
    return this.#last;
  }

  /** Makes later values exceed `timestamp` (e.g. one restored from a previous run). */
  observe(timestamp: bigint): void {
    if (timestamp > this.#last) this.#last = timestamp;
  }

  /** A timestamp greater than every earlier one from this source. */
  now(): bigint {
    const now = this.#clock();
    const next = now > this.#last ? now : this.#last + 1n;
    this.#last = next;
    return next;
  }
}

/** The process-wide source used when none is given, like iroh's `Timestamp::now`. */
export const defaultTimestampSource: TimestampSource = new TimestampSource();
