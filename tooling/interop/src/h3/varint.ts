/**
 * QUIC variable-length integers (RFC 9000 §16), as HTTP/3 uses them for stream types, frame types,
 * frame lengths and settings. Values are JavaScript numbers: exact up to 2^53, which covers every
 * length and every identifier this tooling compares against (larger reserved/GREASE identifiers only
 * need to be skipped, so rounding them is harmless).
 */

/** The encoded size of `v`. */
export function varintSize(v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`not a varint: ${v}`);
  if (v < 0x40) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x4000_0000) return 4;
  if (v <= Number.MAX_SAFE_INTEGER) return 8;
  throw new RangeError(`varint too large: ${v}`);
}

/** Encodes `v`. */
export function encodeVarint(v: number): Uint8Array {
  const n = varintSize(v);
  const out = new Uint8Array(n);
  let rest = v;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0]! |= [0x00, 0x40, 0, 0x80, 0, 0, 0, 0xc0][n - 1]!;
  return out;
}

/** A decoded varint and the number of bytes it took. */
export interface Decoded {
  readonly value: number;
  readonly length: number;
}

/** Decodes a varint at `at`, or returns `undefined` when `buf` ends first. */
export function decodeVarint(buf: Uint8Array, at = 0): Decoded | undefined {
  if (at >= buf.length) return undefined;
  const length = 1 << (buf[at]! >> 6);
  if (at + length > buf.length) return undefined;
  let value = buf[at]! & 0x3f;
  for (let i = 1; i < length; i++) value = value * 256 + buf[at + i]!;
  return { value, length };
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
