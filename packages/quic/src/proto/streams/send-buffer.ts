/**
 * The data of one outgoing byte stream (a STREAM or the CRYPTO stream of a packet space), from the
 * application's writes until the peer acknowledges it. Lost ranges are queued for retransmission ahead
 * of new data; acknowledged data at the front is freed.
 */
import { RangeSet } from '../range-set.js';

/** A piece of stream data to put in a frame. */
export interface SendChunk {
  readonly offset: number;
  readonly data: Uint8Array;
  /** True when these bytes were sent before and are being retransmitted. */
  readonly retransmission: boolean;
}

/** Outgoing stream data with retransmission bookkeeping. */
export class SendBuffer {
  /** Written chunks not yet freed, oldest first, starting at offset `base`. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** Bytes at the start of `chunks[head]` already freed (a view per ACK would cost an allocation). */
  private headOff = 0;
  private base = 0;
  private written = 0;
  private unsent = 0;
  private readonly lost = new RangeSet();
  private readonly acked = new RangeSet();

  /** Total bytes written by the application. */
  get offset(): number {
    return this.written;
  }

  /** Bytes held: written and not yet acknowledged as a contiguous prefix. */
  get buffered(): number {
    return this.written - this.base;
  }

  /** The offset of the first byte never sent. */
  get unsentOffset(): number {
    return this.unsent;
  }

  /** True when there are lost bytes to resend or bytes never sent. */
  get hasPending(): boolean {
    return !this.lost.isEmpty || this.unsent < this.written;
  }

  /** True when every written byte has been acknowledged. */
  get allAcked(): boolean {
    return this.base === this.written;
  }

  /** Appends application data (copied: the caller may reuse its buffer). */
  write(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data.slice());
    this.written += data.length;
  }

  /**
   * The next bytes to send, at most `max`: lost ranges first, then new data. Marks them as sent.
   * Returns `undefined` when nothing is pending or `max` is 0.
   */
  poll(max: number): SendChunk | undefined {
    if (max <= 0) return undefined;
    const lostStart = this.lost.min();
    if (lostStart !== undefined) {
      const end = Math.min(this.lost.end(0), lostStart + max);
      this.lost.remove(lostStart, end);
      return { offset: lostStart, data: this.slice(lostStart, end), retransmission: true };
    }
    if (this.unsent >= this.written) return undefined;
    const start = this.unsent;
    const end = Math.min(this.written, start + max);
    this.unsent = end;
    return { offset: start, data: this.slice(start, end), retransmission: false };
  }

  /** The peer acknowledged `[offset, offset + length)`. */
  onAck(offset: number, length: number): void {
    const start = Math.max(offset, this.base);
    const end = Math.min(offset + length, this.unsent);
    if (start >= end) return;
    if (!this.lost.isEmpty) this.lost.remove(start, end);
    // In-order ACKs extend the freed prefix directly.
    if (start === this.base && this.acked.isEmpty) {
      this.free(end);
      return;
    }
    this.acked.insert(start, end);
    // Free the acknowledged prefix.
    if (this.acked.min() === this.base) {
      const [, prefixEnd] = this.acked.popMin()!;
      this.free(prefixEnd);
    }
  }

  /** `[offset, offset + length)` was lost: queue the parts not yet acknowledged for retransmission. */
  onLost(offset: number, length: number): void {
    const start = Math.max(offset, this.base);
    const end = Math.min(offset + length, this.unsent);
    if (start >= end) return;
    this.lost.insert(start, end);
    for (let i = 0; i < this.acked.size; i++) {
      const a = this.acked.start(i);
      if (a >= end) break;
      this.lost.remove(a, this.acked.end(i));
    }
  }

  /** Drops everything (after a reset): nothing more will be sent. */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.headOff = 0;
    this.base = this.written;
    this.unsent = this.written;
    this.lost.clear();
    this.acked.clear();
  }

  private free(upTo: number): void {
    while (this.head < this.chunks.length) {
      const left = this.chunks[this.head]!.length - this.headOff;
      if (this.base + left > upTo) {
        this.headOff += upTo - this.base;
        this.base = upTo;
        break;
      }
      this.base += left;
      this.chunks[this.head] = EMPTY;
      this.head++;
      this.headOff = 0;
    }
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Bytes `[start, end)`: a view when inside one chunk, else a copy. */
  private slice(start: number, end: number): Uint8Array {
    // `pos` is the stream offset of chunks[i][off].
    let pos = this.base;
    let i = this.head;
    let off = this.headOff;
    while (i < this.chunks.length && pos + this.chunks[i]!.length - off <= start) {
      pos += this.chunks[i]!.length - off;
      i++;
      off = 0;
    }
    const first = this.chunks[i]!;
    if (end - pos <= first.length - off) return first.subarray(off + start - pos, off + end - pos);
    const out = new Uint8Array(end - start);
    let at = 0;
    let from = off + start - pos;
    while (at < out.length) {
      const c = this.chunks[i++]!;
      const n = Math.min(c.length - from, out.length - at);
      out.set(c.subarray(from, from + n), at);
      at += n;
      from = 0;
    }
    return out;
  }
}

const EMPTY = new Uint8Array(0);
