// Exact 64-bit integer storage for counters (u64) and gauges (i64).
//
// Values stay a plain `number` while they are safe integers, which keeps the
// per-increment cost of hot-path counters at one float addition. Only when a
// value leaves the safe range (|v| > 2^53 - 1) does the cell switch to a
// `bigint`, so large byte counters stay exact instead of silently rounding.
// Like Rust's atomic `fetch_add`, arithmetic wraps around at the 64-bit
// boundary (two's complement for the signed variant).

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Inclusive bounds of the 64-bit range of a cell. */
export const U64_MAX = (1n << 64n) - 1n;
/** Smallest i64. */
export const I64_MIN = -(1n << 63n);
/** Largest i64. */
export const I64_MAX = (1n << 63n) - 1n;

/** A mutable 64-bit integer, unsigned or signed, with wrap-around arithmetic. */
export class Int64Cell {
  #small = 0;
  #big: bigint | undefined = undefined;
  readonly #signed: boolean;

  constructor(signed: boolean) {
    this.#signed = signed;
  }

  /** Adds `delta`, which the caller has checked to be an integer in range. */
  add(delta: number | bigint): void {
    if (this.#big === undefined && typeof delta === 'number') {
      // The float sum of two safe integers is exact whenever the true sum is
      // itself safe, and lands outside the safe range whenever it is not.
      const next = this.#small + delta;
      if (next <= MAX_SAFE && next >= -MAX_SAFE) {
        if (next < 0 && !this.#signed) {
          this.#store(BigInt(next));
        } else {
          this.#small = next;
        }
        return;
      }
    }
    this.#store(this.get() + BigInt(delta));
  }

  /** Replaces the value; the caller has checked it to be an integer in range. */
  set(value: number | bigint): void {
    if (typeof value === 'number') {
      this.#small = value;
      this.#big = undefined;
    } else {
      this.#store(value);
    }
  }

  /** Returns the exact current value. */
  get(): bigint {
    return this.#big ?? BigInt(this.#small);
  }

  #store(value: bigint): void {
    const wrapped = this.#signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
    if (wrapped <= BigInt(MAX_SAFE) && wrapped >= BigInt(-MAX_SAFE)) {
      this.#small = Number(wrapped);
      this.#big = undefined;
    } else {
      this.#big = wrapped;
    }
  }
}
