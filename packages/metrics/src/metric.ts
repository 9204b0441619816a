import type { Counter } from './counter.js';
import type { Gauge } from './gauge.js';
import type { Histogram } from './histogram.js';

/** The kinds of metric this package supports, as written on `# TYPE` lines. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Any metric that can live in a {@link MetricsGroup}. */
export type Metric = Counter | Gauge | Histogram;

/** A snapshot of a counter: an unsigned 64-bit integer. */
export interface CounterValue {
  readonly type: 'counter';
  /** Current value, `0n` to `2n ** 64n - 1n`. */
  readonly value: bigint;
}

/** A snapshot of a gauge: a signed 64-bit integer. */
export interface GaugeValue {
  readonly type: 'gauge';
  /** Current value, `-(2n ** 63n)` to `2n ** 63n - 1n`. */
  readonly value: bigint;
}

/** A snapshot of a histogram. */
export interface HistogramValue {
  readonly type: 'histogram';
  /**
   * `[upperBound, cumulativeCount]` pairs in increasing bound order; the last
   * bound is always `Infinity` and its count equals {@link HistogramValue.count}.
   */
  readonly buckets: readonly (readonly [number, number])[];
  /** Sum of all observed values. */
  readonly sum: number;
  /** Number of observations. */
  readonly count: number;
}

/** A point-in-time value of any {@link Metric}. */
export type MetricValue = CounterValue | GaugeValue | HistogramValue;
