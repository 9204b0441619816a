import { MetricsError } from './errors.js';
import { I64_MAX, I64_MIN, Int64Cell } from './int64.js';
import type { GaugeValue } from './metric.js';

function checkI64(what: string, v: number | bigint): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) {
      throw new MetricsError('INVALID_VALUE', `gauge ${what} must be a safe integer, got ${v}`);
    }
  } else if (typeof v !== 'bigint' || v < I64_MIN || v > I64_MAX) {
    throw new MetricsError('INVALID_VALUE', `gauge ${what} must be within i64, got ${String(v)}`);
  }
}

/**
 * A signed 64-bit value that can go up and down, such as the number of
 * connected clients.
 *
 * Like {@link Counter} the value is exact over the whole i64 range (a `number`
 * while safe, a `bigint` beyond) and wraps around like Rust's `AtomicI64`;
 * {@link Gauge.get} returns a `bigint`.
 */
export class Gauge {
  /** Always `'gauge'`. */
  readonly type = 'gauge' as const;
  readonly #cell = new Int64Cell(true);

  /** Increases the gauge by one. */
  inc(): void {
    this.#cell.add(1);
  }

  /**
   * Adds `delta` (which may be negative).
   *
   * @throws {@link MetricsError} `INVALID_VALUE` unless `delta` is a safe integer or an i64 `bigint`.
   */
  incBy(delta: number | bigint): void {
    checkI64('increment', delta);
    this.#cell.add(delta);
  }

  /** Decreases the gauge by one. */
  dec(): void {
    this.#cell.add(-1);
  }

  /**
   * Subtracts `delta` (which may be negative).
   *
   * @throws {@link MetricsError} `INVALID_VALUE` unless `delta` is a safe integer or an i64 `bigint`.
   */
  decBy(delta: number | bigint): void {
    checkI64('decrement', delta);
    this.#cell.add(-delta);
  }

  /**
   * Sets the gauge to `value`.
   *
   * @throws {@link MetricsError} `INVALID_VALUE` unless `value` is a safe integer or an i64 `bigint`.
   */
  set(value: number | bigint): void {
    checkI64('value', value);
    this.#cell.set(value);
  }

  /** Returns the current value. */
  get(): bigint {
    return this.#cell.get();
  }

  /** Returns a snapshot of the current value. */
  value(): GaugeValue {
    return { type: 'gauge', value: this.#cell.get() };
  }
}
