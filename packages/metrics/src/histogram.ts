import { MetricsError } from './errors.js';
import type { HistogramValue } from './metric.js';

/**
 * A distribution of observed values (latencies, sizes) counted into buckets
 * with fixed upper bounds. Encoded as cumulative `_bucket{le="…"}` samples
 * followed by `_sum` and `_count`.
 *
 * The observation count and bucket counts are safe-integer `number`s: they
 * grow by one per observation, so 2^53 observations are out of reach in
 * practice. The sum is a float, as in iroh-metrics.
 */
export class Histogram {
  /** Always `'histogram'`. */
  readonly type = 'histogram' as const;
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  /**
   * @param buckets - Upper bounds, strictly increasing and finite, except that
   *   the last may be `Infinity`. A `+Inf` bucket is appended when missing (as
   *   iroh-metrics does), so `[]` gives a histogram with only the `+Inf` bucket.
   * @throws {@link MetricsError} `INVALID_BUCKETS` if the bounds are not as described.
   */
  constructor(buckets: readonly number[]) {
    const bounds = [...buckets];
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i];
      const isLastInf = b === Number.POSITIVE_INFINITY && i === bounds.length - 1;
      if (typeof b !== 'number' || (!Number.isFinite(b) && !isLastInf)) {
        throw new MetricsError('INVALID_BUCKETS', `bucket bound ${String(b)} must be a finite number`);
      }
      const prev = bounds[i - 1];
      if (prev !== undefined && !(b > prev)) {
        throw new MetricsError('INVALID_BUCKETS', `bucket bounds must increase strictly: ${prev} then ${b}`);
      }
    }
    if (bounds.at(-1) !== Number.POSITIVE_INFINITY) {
      bounds.push(Number.POSITIVE_INFINITY);
    }
    this.#bounds = bounds;
    this.#counts = bounds.map(() => 0);
  }

  /**
   * Records one observation. It is counted in the first bucket whose bound is
   * `>= value`; `NaN` is counted in the `+Inf` bucket (so that bucket always
   * equals the total count) and makes the sum `NaN`.
   */
  observe(value: number): void {
    this.#count += 1;
    this.#sum += value;
    const bounds = this.#bounds;
    const last = bounds.length - 1;
    let i = 0;
    while (i < last && !(value <= (bounds[i] as number))) {
      i++;
    }
    this.#counts[i] = (this.#counts[i] as number) + 1;
  }

  /** Returns the number of observations. */
  count(): number {
    return this.#count;
  }

  /** Returns the sum of all observed values. */
  sum(): number {
    return this.#sum;
  }

  /** Returns `[upperBound, cumulativeCount]` pairs, the last bound being `Infinity`. */
  buckets(): [number, number][] {
    let cumulative = 0;
    return this.#bounds.map((bound, i) => {
      cumulative += this.#counts[i] as number;
      return [bound, cumulative];
    });
  }

  /** Returns a snapshot of the current value. */
  value(): HistogramValue {
    return { type: 'histogram', buckets: this.buckets(), sum: this.#sum, count: this.#count };
  }
}
