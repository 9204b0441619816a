import { MetricsError } from './errors.js';
import { Int64Cell, U64_MAX } from './int64.js';
import type { CounterValue } from './metric.js';

/**
 * A monotonically increasing unsigned 64-bit count of events, such as packets
 * or bytes sent. Encoded with a `_total` suffix on its sample line.
 *
 * The value is exact over the whole u64 range: it is kept as a `number` while
 * it is a safe integer and as a `bigint` beyond that, and it wraps to zero past
 * `2^64 - 1` exactly like the Rust `AtomicU64` it mirrors. {@link Counter.get}
 * therefore returns a `bigint`.
 */
export class Counter {
  /** Always `'counter'`. */
  readonly type = 'counter' as const;
  readonly #cell = new Int64Cell(false);

  /** Increases the counter by one. */
  inc(): void {
    this.#cell.add(1);
  }

  /**
   * Increases the counter by `delta`.
   *
   * @param delta - A non-negative safe-integer `number`, or a `bigint` from 0 to `2^64 - 1`.
   * @throws {@link MetricsError} `INVALID_VALUE` if `delta` is negative, fractional or too large.
   */
  incBy(delta: number | bigint): void {
    if (typeof delta === 'number') {
      if (!Number.isSafeInteger(delta) || delta < 0) {
        throw new MetricsError(
          'INVALID_VALUE',
          `counter increment must be a non-negative safe integer, got ${delta}`,
        );
      }
    } else if (typeof delta !== 'bigint' || delta < 0n || delta > U64_MAX) {
      throw new MetricsError('INVALID_VALUE', `counter increment must be within u64, got ${String(delta)}`);
    }
    this.#cell.add(delta);
  }

  /** Returns the current value. */
  get(): bigint {
    return this.#cell.get();
  }

  /** Returns a snapshot of the current value. */
  value(): CounterValue {
    return { type: 'counter', value: this.#cell.get() };
  }
}
