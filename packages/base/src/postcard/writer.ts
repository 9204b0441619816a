/**
 * A postcard writer: appends values in postcard's wire format to a growable buffer.
 *
 * Postcard (the serde format iroh uses for tickets and many protocol messages) writes integers wider than
 * a byte as unsigned LEB128 varints (signed ones zigzagged first), byte strings and strings as a varint
 * length followed by the bytes, `Option` as a 0/1 tag, enum variants as a varint tag, and fixed-size
 * arrays and tuples as their elements with no length.
 */
const encoder = new TextEncoder();
const MAX_U64 = (1n << 64n) - 1n;

/** Appends postcard-encoded values to an internal buffer. */
export class PostcardWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(Math.max(8, initialCapacity));
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  /** A single byte (`u8`). */
  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff)
      throw new RangeError(`u8 out of range: ${value}`);
    this.reserve(1);
    this.buf[this.len++] = value;
    return this;
  }

  /** A `bool`: one byte, 0 or 1. */
  bool(value: boolean): this {
    return this.u8(value ? 1 : 0);
  }

  /**
   * An unsigned varint (LEB128) for a non-negative safe integer: `u16`, `u32`, `usize` and `u64` values
   * that fit in 53 bits.
   */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    this.reserve(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
    return this;
  }

  /** An unsigned 64-bit varint from a bigint. */
  varintBig(value: bigint): this {
    if (value < 0n || value > MAX_U64) throw new RangeError(`u64 out of range: ${value}`);
    this.reserve(10);
    let v = value;
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  /** A signed integer (`i16`/`i32`/`i64` within the safe range), zigzag-encoded then written as a varint. */
  zigzag(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`zigzag out of range: ${value}`);
    const z = value >= 0 ? value * 2 : -value * 2 - 1;
    if (Number.isSafeInteger(z)) return this.varint(z);
    const big = BigInt(value);
    return this.varintBig(big >= 0n ? big * 2n : -big * 2n - 1n);
  }

  /** Raw bytes with no length prefix: fixed-size arrays such as a 32-byte public key. */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** A byte string: varint length, then the bytes. */
  bytes(bytes: Uint8Array): this {
    return this.varint(bytes.length).raw(bytes);
  }

  /** A UTF-8 string: varint byte length, then the bytes. */
  str(value: string): this {
    return this.bytes(encoder.encode(value));
  }

  /** An enum variant tag. */
  tag(variant: number): this {
    return this.varint(variant);
  }

  /** An `Option<T>`: tag 0 for `undefined`/`null`, else tag 1 and the value. */
  option<T>(value: T | undefined | null, write: (w: this, v: T) => void): this {
    if (value === undefined || value === null) return this.u8(0);
    this.u8(1);
    write(this, value);
    return this;
  }

  /** A sequence (`Vec`, `BTreeSet`, ...): varint count, then each element. */
  seq<T>(items: readonly T[], write: (w: this, v: T) => void): this {
    this.varint(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
