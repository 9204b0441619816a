/**
 * Clock and timer functions, injectable so tests can drive time by hand.
 *
 * @module
 */

/** An opaque timer handle. */
export type TimerHandle = unknown;

/** Clock and one-shot timers. */
export interface Timers {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer (a no-op for fired or cancelled ones). */
  clearTimeout(handle: TimerHandle): void;
}

/** The platform's timers (`setTimeout`, `performance.now`). */
export const systemTimers: Timers = {
  now: () => globalThis.performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};
