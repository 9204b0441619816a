/**
 * Field readers shared by the frame decoders (`frame-decode.ts`, `frame-decode-ext.ts`). Every failure is a
 * {@link TransportError} FRAME_ENCODING_ERROR carrying the frame type; byte fields are views, never copies.
 * Sans-IO, no Node imports.
 */
import type { Reader } from './coding.js';
import { MAX_PATH_ID_VALUE } from './frame-types-ext.js';
import { TransportError } from './transport-error.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** 2^53 / 2^32: an 8-byte varint whose upper 30 bits reach this exceeds 2^53 − 1. */
const HI_LIMIT = 0x200000;

export function truncated(type: number, what: string): TransportError {
  return TransportError.frameEncoding(`frame truncated reading ${what}`, type);
}

/**
 * Reads a varint. `saturate`: values above 2^53 − 1 become `Number.MAX_SAFE_INTEGER`; otherwise they are a
 * FRAME_ENCODING_ERROR.
 */
export function varint(r: Reader, type: number, what: string, saturate = false): number {
  const d = r.data;
  const p = r.pos;
  if (p >= r.end) throw truncated(type, what);
  const b = d[p]!;
  const len = 1 << (b >> 6);
  if (r.end - p < len) throw truncated(type, what);
  r.pos = p + len;
  if (len === 1) return b;
  if (len === 2) return ((b & 0x3f) << 8) | d[p + 1]!;
  if (len === 4) return ((b & 0x3f) << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!;
  const hi = ((b & 0x3f) << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!;
  if (hi >= HI_LIMIT) {
    if (saturate) return MAX_SAFE;
    throw TransportError.frameEncoding(`${what} exceeds 2^53 - 1`, type);
  }
  const lo = ((d[p + 4]! << 24) | (d[p + 5]! << 16) | (d[p + 6]! << 8) | d[p + 7]!) >>> 0;
  return hi * 0x100000000 + lo;
}

/** Reads a varint as an exact bigint (error codes). */
export function varintBig(r: Reader, type: number, what: string): bigint {
  if (r.pos >= r.end || r.end - r.pos < 1 << (r.data[r.pos]! >> 6)) throw truncated(type, what);
  return r.varintBig();
}

/** Reads a multipath path id: a varint bounded to 2^32 − 1 (larger ones are a FRAME_ENCODING_ERROR). */
export function pathId(r: Reader, type: number): number {
  const v = varint(r, type, 'path id', true);
  if (v > MAX_PATH_ID_VALUE) throw TransportError.frameEncoding('path id exceeds 2^32 - 1', type);
  return v;
}

/** `n` bytes as a view. */
export function bytes(r: Reader, n: number, type: number, what: string): Uint8Array {
  if (r.end - r.pos < n) throw truncated(type, what);
  const out = r.data.subarray(r.pos, r.pos + n);
  r.pos += n;
  return out;
}

/** A varint length followed by that many bytes, as a view. */
export function lengthPrefixed(r: Reader, type: number, what: string): Uint8Array {
  const n = varint(r, type, `${what} length`);
  return bytes(r, n, type, what);
}
