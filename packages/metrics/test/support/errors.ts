import { expect } from 'vitest';
import { MetricsError, type MetricsErrorCode } from '../../src/index.js';

/** Asserts that `fn` throws a {@link MetricsError} with the given code. */
export function expectMetricsError(fn: () => unknown, code: MetricsErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MetricsError);
  expect(caught).toBeInstanceOf(Error);
  expect((caught as MetricsError).code).toBe(code);
}
