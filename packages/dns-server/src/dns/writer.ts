import { DnsError } from './errors.js';
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH, type Name } from './name.js';

/** Offsets at or above this cannot be the target of a 14-bit compression pointer. */
const MAX_POINTER_TARGET = 0x3fff;

/**
 * A growable output buffer for DNS messages with optional name compression (RFC 1035 §4.1.4): every name
 * suffix written at an offset a pointer can reach is remembered, and a later name reuses the longest
 * remembered suffix. Suffixes match only with the same case, so names round-trip exactly.
 */
export class DnsWriter {
  #buf: Uint8Array;
  #len = 0;
  readonly #names: Map<string, number> | undefined;

  /** @param compress - remember names and emit pointers (default true). */
  constructor(compress = true, initialCapacity = 512) {
    this.#buf = new Uint8Array(initialCapacity);
    this.#names = compress ? new Map() : undefined;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  u8(v: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = v & 0xff;
  }

  u16(v: number): void {
    this.#reserve(2);
    this.#buf[this.#len++] = (v >>> 8) & 0xff;
    this.#buf[this.#len++] = v & 0xff;
  }

  u32(v: number): void {
    this.#reserve(4);
    this.#buf[this.#len++] = (v >>> 24) & 0xff;
    this.#buf[this.#len++] = (v >>> 16) & 0xff;
    this.#buf[this.#len++] = (v >>> 8) & 0xff;
    this.#buf[this.#len++] = v & 0xff;
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  /** Overwrites a 16-bit value at `offset` (for RDLENGTH and section counts). */
  patchU16(offset: number, v: number): void {
    this.#buf[offset] = (v >>> 8) & 0xff;
    this.#buf[offset + 1] = v & 0xff;
  }

  /**
   * Remembers that `name` was written at `offset`, so later names may point at it. Only the suffixes that
   * start at labels `0 .. upTo-1` are recorded (the rest were written elsewhere).
   */
  rememberName(name: Name, offset: number, upTo = name.length): void {
    const names = this.#names;
    if (!names) return;
    let at = offset;
    for (let i = 0; i < upTo && at <= MAX_POINTER_TARGET; i++) {
      const key = suffixKey(name, i);
      if (!names.has(key)) names.set(key, at);
      at += 1 + name[i]!.length;
    }
  }

  /**
   * Writes a name, compressed when allowed and possible.
   *
   * @param compress - false for names inside record data that must not be compressed (RFC 3597 §4).
   * @throws {@link DnsError} `LabelTooLong`, `NameTooLong` or `InvalidName`.
   */
  name(name: Name, compress = true): void {
    let total = 1;
    for (const label of name) {
      if (label.length === 0 || label.length > MAX_LABEL_LENGTH) {
        throw new DnsError(label.length === 0 ? 'InvalidName' : 'LabelTooLong', 'invalid label length');
      }
      total += label.length + 1;
    }
    if (total > MAX_NAME_LENGTH) throw new DnsError('NameTooLong', 'name exceeds 255 bytes');
    const start = this.#len;
    const names = compress ? this.#names : undefined;
    for (let i = 0; i < name.length; i++) {
      if (names) {
        const target = names.get(suffixKey(name, i));
        if (target !== undefined) {
          this.u16(0xc000 | target);
          this.rememberName(name, start, i);
          return;
        }
      }
      const label = name[i]!;
      this.#reserve(label.length + 1);
      this.#buf[this.#len++] = label.length;
      for (let j = 0; j < label.length; j++) {
        const c = label.charCodeAt(j);
        if (c > 0xff) throw new DnsError('InvalidName', 'label is not a byte string');
        this.#buf[this.#len++] = c;
      }
    }
    this.u8(0);
    if (this.#names) this.rememberName(name, start);
  }

  /** The bytes written (a copy trimmed to length). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** A map key for the suffix of `name` starting at label `from`: length-prefixed labels. */
function suffixKey(name: Name, from: number): string {
  let key = '';
  for (let i = from; i < name.length; i++) {
    const l = name[i]!;
    key += String.fromCharCode(l.length) + l;
  }
  return key;
}
