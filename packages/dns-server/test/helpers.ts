import { IrohError, SecretKey } from '@iroh-ts/base';
import fc from 'fast-check';

/** fast-check runs per parser property (override with FC_NUM_RUNS). */
export const FUZZ_RUNS = Number(process.env.FC_NUM_RUNS ?? 2_000);

/** Bytes from hex (test helper, independent of the product's decoders). */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** Hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** UTF-8 bytes. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A deterministic secret key from a byte. */
export function keyFrom(byte: number): SecretKey {
  return SecretKey.fromBytes(new Uint8Array(32).fill(byte));
}

/** Runs `fn`; passes if it returns or throws an IrohError. Anything else fails the property. */
export function onlyTypedErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof IrohError && typeof e.code === 'string' && e.message.length > 0) return true;
    throw e;
  }
}

/** Mutations of `base`: flipped bytes, truncation, or extra bytes. */
export function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const flip = fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })
    .map((fs) => {
      const out = base.slice();
      for (const [i, x] of fs) out[i % out.length]! ^= x;
      return out;
    });
  const truncate = fc.nat(base.length).map((n) => base.slice(0, n));
  const extend = fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => {
    const out = new Uint8Array(base.length + extra.length);
    out.set(base);
    out.set(extra, base.length);
    return out;
  });
  return fc.oneof(flip, truncate, extend);
}
