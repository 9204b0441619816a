/**
 * Byte reading and writing for QUIC and TLS: QUIC variable-length integers (RFC 9000 §16), big-endian
 * fixed-width integers, and TLS-style length-prefixed vectors. Sans-IO, no Node imports.
 */
import { IrohError } from '@iroh-ts/base';

/** Largest value a QUIC varint can hold: 2^62 - 1. */
export const VARINT_MAX = (1n << 62n) - 1n;

/** Codes of {@link CodecError}. */
export type CodecErrorCode = 'UnexpectedEnd' | 'InvalidValue' | 'ValueOutOfRange' | 'TrailingBytes';

/** Malformed bytes in a QUIC or TLS structure. */
export class CodecError extends IrohError {
  declare readonly code: CodecErrorCode;
  constructor(code: CodecErrorCode, message: string) {
    super(code, message);
  }
}

/** Number of bytes the QUIC varint encoding of `v` takes (1, 2, 4 or 8). */
export function varintLength(v: number | bigint): 1 | 2 | 4 | 8 {
  const n = typeof v === 'bigint' ? v : BigInt(v);
  if (n < 0n || n > VARINT_MAX) throw new RangeError(`varint out of range: ${v}`);
  if (n < 64n) return 1;
  if (n < 16384n) return 2;
  if (n < 1073741824n) return 4;
  return 8;
}

/** Reads big-endian integers, QUIC varints and length-prefixed vectors from a byte array. */
export class Reader {
  readonly data: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(data: Uint8Array, start = 0, end = data.length) {
    this.data = data;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get eof(): boolean {
    return this.pos >= this.end;
  }

  need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw new CodecError('UnexpectedEnd', `unexpected end of input reading ${what}`);
    }
  }

  u8(): number {
    this.need(1, 'u8');
    return this.data[this.pos++]!;
  }

  u16(): number {
    this.need(2, 'u16');
    const v = (this.data[this.pos]! << 8) | this.data[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3, 'u24');
    const d = this.data;
    const v = (d[this.pos]! << 16) | (d[this.pos + 1]! << 8) | d[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4, 'u32');
    const d = this.data;
    const v =
      ((d[this.pos]! << 24) | (d[this.pos + 1]! << 16) | (d[this.pos + 2]! << 8) | d[this.pos + 3]!) >>> 0;
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    const hi = this.u32();
    const lo = this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A QUIC varint as a number; values above 2^53 - 1 are a `ValueOutOfRange` error (use {@link varintBig}). */
  varint(): number {
    this.need(1, 'varint');
    const first = this.data[this.pos]!;
    const len = 1 << (first >> 6);
    this.need(len, 'varint');
    let v = first & 0x3f;
    for (let i = 1; i < len; i++) v = v * 256 + this.data[this.pos + i]!;
    if (!Number.isSafeInteger(v)) {
      throw new CodecError('ValueOutOfRange', 'varint exceeds 2^53 - 1');
    }
    this.pos += len;
    return v;
  }

  /** A QUIC varint, full 62-bit range. */
  varintBig(): bigint {
    this.need(1, 'varint');
    const first = this.data[this.pos]!;
    const len = 1 << (first >> 6);
    this.need(len, 'varint');
    let v = BigInt(first & 0x3f);
    for (let i = 1; i < len; i++) v = (v << 8n) | BigInt(this.data[this.pos + i]!);
    this.pos += len;
    return v;
  }

  /** `n` bytes as a view (no copy). */
  bytes(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new CodecError('InvalidValue', `invalid length ${n}`);
    this.need(n, `${n} bytes`);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A vector with a 1-, 2- or 3-byte big-endian length prefix (TLS `opaque x<0..2^8-1>` etc.), as a view. */
  vec(lengthBytes: 1 | 2 | 3): Uint8Array {
    const n = lengthBytes === 1 ? this.u8() : lengthBytes === 2 ? this.u16() : this.u24();
    return this.bytes(n);
  }

  /** A sub-reader over a length-prefixed vector; the outer reader skips past it. */
  sub(lengthBytes: 1 | 2 | 3): Reader {
    const n = lengthBytes === 1 ? this.u8() : lengthBytes === 2 ? this.u16() : this.u24();
    this.need(n, `${n}-byte vector`);
    const r = new Reader(this.data, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** A sub-reader over the next `n` bytes. */
  take(n: number): Reader {
    this.need(n, `${n} bytes`);
    const r = new Reader(this.data, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Throws `TrailingBytes` unless everything was consumed. */
  finish(what = 'structure'): void {
    if (this.pos !== this.end)
      throw new CodecError('TrailingBytes', `${this.end - this.pos} trailing bytes after ${what}`);
  }
}

/** Appends big-endian integers, QUIC varints and length-prefixed vectors to a growable buffer. */
export class Writer {
  private buf: Uint8Array;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.reserve(3);
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.buf[this.len++] = (v >>> 24) & 0xff;
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u64(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }

  /** A QUIC varint in its shortest form, or in exactly `width` bytes when given. */
  varint(v: number | bigint, width?: 1 | 2 | 4 | 8): this {
    const min = varintLength(v);
    const len = width ?? min;
    if (len < min) throw new RangeError(`varint ${v} does not fit in ${len} bytes`);
    this.reserve(len);
    if (len <= 4 && typeof v === 'number') {
      const prefix = len === 2 ? 0x40 : 0x80;
      if (len === 1) this.buf[this.len++] = v;
      else if (len === 2) {
        this.buf[this.len++] = prefix | (v >>> 8);
        this.buf[this.len++] = v & 0xff;
      } else {
        this.buf[this.len++] = prefix | (v >>> 24);
        this.buf[this.len++] = (v >>> 16) & 0xff;
        this.buf[this.len++] = (v >>> 8) & 0xff;
        this.buf[this.len++] = v & 0xff;
      }
      return this;
    }
    let n = typeof v === 'bigint' ? v : BigInt(v);
    const bytes = new Uint8Array(len);
    for (let i = len - 1; i >= 0; i--) {
      bytes[i] = Number(n & 0xffn);
      n >>= 8n;
    }
    bytes[0]! |= [0, 0, 0x40, 0, 0x80, 0, 0, 0, 0xc0][len]!;
    return this.bytes(bytes);
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Writes a length-prefixed vector: reserves the prefix, runs `body`, then fills the prefix in. */
  vec(lengthBytes: 1 | 2 | 3, body: (w: this) => void): this {
    this.reserve(lengthBytes);
    const at = this.len;
    this.len += lengthBytes;
    body(this);
    const n = this.len - at - lengthBytes;
    if (n >= 2 ** (8 * lengthBytes))
      throw new RangeError(`vector of ${n} bytes overflows a ${lengthBytes}-byte length`);
    for (let i = lengthBytes - 1; i >= 0; i--) this.buf[at + lengthBytes - 1 - i] = (n >>> (8 * i)) & 0xff;
    return this;
  }

  /** Forgets what was written, keeping the buffer for reuse. */
  reset(): this {
    this.len = 0;
    return this;
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** A view of the bytes written (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
