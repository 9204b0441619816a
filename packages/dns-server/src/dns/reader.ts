import { DnsError } from './errors.js';
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH, type Name } from './name.js';

/**
 * A bounds-checked cursor over a DNS message. Every read past the end throws {@link DnsError}
 * `UnexpectedEnd`; names follow compression pointers with a termination guarantee (see {@link readName}).
 */
export class DnsReader {
  /** The whole message (pointers are offsets into it). */
  readonly bytes: Uint8Array;
  /** Current offset. */
  pos: number;

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** Bytes left after {@link pos}. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** @throws {@link DnsError} `UnexpectedEnd` unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) {
      throw new DnsError('UnexpectedEnd', `message ends inside ${what}`, this.pos);
    }
  }

  u8(what = 'a byte'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what = 'a 16-bit field'): number {
    this.need(2, what);
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what = 'a 32-bit field'): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    const v = ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    this.pos += 4;
    return v;
  }

  /** A view (not a copy) of the next `n` bytes. */
  view(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * Reads a possibly compressed name. Each compression pointer must point strictly before the start of the
   * segment that contains it, so decoding always terminates; the decoded name must fit in 255 bytes.
   *
   * @throws {@link DnsError} `UnexpectedEnd`, `BadPointer`, `InvalidLabelType`, `LabelTooLong`, `NameTooLong`.
   */
  name(): Name {
    const b = this.bytes;
    const labels: string[] = [];
    let p = this.pos;
    let segmentStart = p;
    let resumeAt = -1;
    let total = 1;
    for (;;) {
      if (p >= b.length) throw new DnsError('UnexpectedEnd', 'message ends inside a name', p);
      const len = b[p]!;
      const kind = len & 0xc0;
      if (kind === 0xc0) {
        if (p + 1 >= b.length) throw new DnsError('UnexpectedEnd', 'message ends inside a pointer', p);
        const target = ((len & 0x3f) << 8) | b[p + 1]!;
        if (target >= segmentStart) {
          throw new DnsError('BadPointer', `compression pointer to ${target} does not point backwards`, p);
        }
        if (resumeAt < 0) resumeAt = p + 2;
        p = target;
        segmentStart = target;
        continue;
      }
      if (kind !== 0)
        throw new DnsError('InvalidLabelType', `unsupported label type 0x${len.toString(16)}`, p);
      if (len === 0) {
        p += 1;
        break;
      }
      if (len > MAX_LABEL_LENGTH) throw new DnsError('LabelTooLong', `label of ${len} bytes`, p);
      total += len + 1;
      if (total > MAX_NAME_LENGTH) throw new DnsError('NameTooLong', 'name exceeds 255 bytes', p);
      if (p + 1 + len > b.length) throw new DnsError('UnexpectedEnd', 'message ends inside a label', p);
      labels.push(String.fromCharCode(...b.subarray(p + 1, p + 1 + len)));
      p += 1 + len;
    }
    this.pos = resumeAt >= 0 ? resumeAt : p;
    return labels;
  }
}
