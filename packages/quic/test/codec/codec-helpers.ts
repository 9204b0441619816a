/** Small helpers shared by the codec tests. */
import { expect } from 'vitest';
import { TransportError, type TransportErrorName } from '../../src/proto/transport-error.js';
import type { RandomSource } from '../../src/proto/transport-params-encode.js';

/** Bytes from hex (whitespace ignored). */
export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
/** Lower-case hex of bytes. */
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Asserts that `fn` throws a {@link TransportError} with this code (and frame type, if given). */
export function expectTransportError(
  fn: () => unknown,
  code: TransportErrorName,
  frameType?: number,
): TransportError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TransportError);
  const te = err as TransportError;
  expect(te.code).toBe(code);
  if (frameType !== undefined) expect(te.frameType).toBe(frameType);
  return te;
}

/** Deterministic random source (mulberry32) for reproducible tests. */
export function seeded(seed: number): RandomSource {
  let a = seed >>> 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
    }
    return out;
  };
}
