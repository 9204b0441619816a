/**
 * A postcard reader over a `Uint8Array`. Every method validates its input and throws a typed
 * {@link PostcardError} (with the byte offset) instead of reading past the end or returning garbage.
 */
import { PostcardError } from '../errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads postcard-encoded values from a byte array, front to back. */
export class PostcardReader {
  private pos = 0;
  private readonly data: Uint8Array;

  constructor(data: Uint8Array) {
    this.data = data;
  }

  /** The current read offset. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.data.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.data.length - this.pos < n) {
      throw new PostcardError('UnexpectedEnd', `unexpected end of input reading ${what}`, this.pos);
    }
  }

  /** A single byte (`u8`). */
  u8(): number {
    this.need(1, 'u8');
    return this.data[this.pos++]!;
  }

  /** A `bool`; any byte other than 0 or 1 is an error. */
  bool(): boolean {
    const at = this.pos;
    const b = this.u8();
    if (b > 1) throw new PostcardError('InvalidBool', `invalid bool byte ${b}`, at);
    return b === 1;
  }

  /**
   * An unsigned varint of at most `maxBits` bits (16 for `u16`, 32 for `u32`, 64 for `u64`), returned as
   * a number. Values beyond 2^53 - 1 are rejected with `ValueOutOfRange`; use {@link varintBig} for them.
   */
  varint(maxBits: 16 | 32 | 64 = 64): number {
    const start = this.pos;
    const maxBytes = Math.ceil(maxBits / 7);
    let value = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      this.need(1, 'varint');
      const b = this.data[this.pos++]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (i === maxBytes - 1 && b >> (maxBits - 7 * i) !== 0) {
          throw new PostcardError('VarintOverflow', `varint exceeds ${maxBits} bits`, start);
        }
        if (!Number.isSafeInteger(value)) {
          throw new PostcardError('ValueOutOfRange', 'varint exceeds 2^53 - 1', start);
        }
        return value;
      }
      scale *= 0x80;
    }
    throw new PostcardError('VarintOverflow', `varint longer than ${maxBytes} bytes for u${maxBits}`, start);
  }

  /** An unsigned 64-bit varint as a bigint. */
  varintBig(): bigint {
    const start = this.pos;
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1, 'varint');
      const b = this.data[this.pos++]!;
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) {
        if (i === 9 && b > 1) throw new PostcardError('VarintOverflow', 'varint exceeds 64 bits', start);
        return value;
      }
    }
    throw new PostcardError('VarintOverflow', 'varint longer than 10 bytes', start);
  }

  /** A `u16` varint. */
  u16(): number {
    return this.varint(16);
  }

  /** A `u32` varint. */
  u32(): number {
    return this.varint(32);
  }

  /** A zigzag-encoded signed varint (`i16`/`i32`/`i64` within the safe range). */
  zigzag(maxBits: 16 | 32 | 64 = 64): number {
    const at = this.pos;
    if (maxBits < 64) {
      const v = this.varint(maxBits);
      return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    }
    const v = this.varintBig();
    const n = v % 2n === 0n ? v / 2n : -(v + 1n) / 2n;
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new PostcardError('ValueOutOfRange', 'zigzag value exceeds the safe integer range', at);
    }
    return Number(n);
  }

  /** `n` raw bytes with no length prefix (a view, not a copy). */
  raw(n: number): Uint8Array {
    this.need(n, `${n} raw bytes`);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A byte string (varint length, then bytes), optionally bounded by `maxLen`. Returns a view. */
  bytes(maxLen = Number.MAX_SAFE_INTEGER): Uint8Array {
    const at = this.pos;
    const len = this.varint(64);
    if (len > maxLen)
      throw new PostcardError('LengthLimit', `byte string of ${len} exceeds limit ${maxLen}`, at);
    return this.raw(len);
  }

  /** A UTF-8 string (varint length, then bytes), optionally bounded by `maxLen` bytes. */
  str(maxLen = Number.MAX_SAFE_INTEGER): string {
    const at = this.pos;
    const bytes = this.bytes(maxLen);
    try {
      return decoder.decode(bytes);
    } catch {
      throw new PostcardError('InvalidUtf8', 'string is not valid UTF-8', at);
    }
  }

  /** An enum variant tag; tags `>= variants` are `UnknownVariant`. */
  tag(variants: number, what = 'enum'): number {
    const at = this.pos;
    const t = this.varint(32);
    if (t >= variants) throw new PostcardError('UnknownVariant', `unknown ${what} variant ${t}`, at);
    return t;
  }

  /** An `Option<T>`: `undefined` for tag 0, the value for tag 1. */
  option<T>(read: (r: this) => T): T | undefined {
    const at = this.pos;
    const t = this.u8();
    if (t === 0) return undefined;
    if (t === 1) return read(this);
    throw new PostcardError('InvalidOption', `invalid option tag ${t}`, at);
  }

  /**
   * A sequence: varint count, then `count` elements. Nothing is preallocated from the count, so a huge
   * claimed length fails at the end of input instead of exhausting memory. `maxCount` bounds it further.
   */
  seq<T>(read: (r: this) => T, maxCount = Number.MAX_SAFE_INTEGER): T[] {
    const at = this.pos;
    const count = this.varint(64);
    if (count > maxCount)
      throw new PostcardError('LengthLimit', `sequence of ${count} exceeds limit ${maxCount}`, at);
    if (count > this.remaining) {
      // Every element takes at least one byte.
      throw new PostcardError('UnexpectedEnd', `sequence of ${count} elements longer than the input`, at);
    }
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(read(this));
    return out;
  }

  /** Asserts the whole input was consumed. */
  finish(): void {
    if (this.pos !== this.data.length) {
      throw new PostcardError('TrailingBytes', `${this.data.length - this.pos} trailing bytes`, this.pos);
    }
  }
}
