/**
 * Reassembles a byte stream from out-of-order, possibly overlapping or duplicated pieces (STREAM and
 * CRYPTO frame data). Pieces are clipped against what is already buffered or read, so duplicates cost
 * no memory; the caller's flow-control limit bounds the rest.
 */

interface Chunk {
  offset: number;
  data: Uint8Array;
}

/** In-order delivery of a byte stream received in pieces. */
export class Assembler {
  /** Non-overlapping chunks sorted by offset, all at or after `readOffset`. */
  private chunks: Chunk[] = [];
  private read = 0;
  private buffered = 0;

  /** The offset of the next byte {@link readChunk} will return. */
  get readOffset(): number {
    return this.read;
  }

  /** Bytes held, not yet read. */
  get bytesBuffered(): number {
    return this.buffered;
  }

  /** The end of the highest byte received so far (read or buffered). */
  get receivedEnd(): number {
    const last = this.chunks[this.chunks.length - 1];
    return last ? last.offset + last.data.length : this.read;
  }

  /** True when the next byte to read is buffered. */
  get readable(): boolean {
    return this.chunks[0]?.offset === this.read;
  }

  /**
   * Adds `data` found at stream `offset`. Bytes already read or already buffered are dropped; only the
   * parts that fill gaps are kept: as copies, so callers may pass views into packet buffers they
   * reuse, unless `owned` says the caller hands `data` over and will never write to it again (a
   * freshly decrypted packet), which saves a copy per packet.
   */
  insert(offset: number, data: Uint8Array, owned = false): void {
    let start = offset;
    let bytes = data;
    if (start < this.read) {
      const skip = this.read - start;
      if (skip >= bytes.length) return;
      bytes = bytes.subarray(skip);
      start = this.read;
    }
    if (bytes.length === 0) return;
    const end = start + bytes.length;
    // First chunk that ends after `start`.
    let i = this.lowerBound(start);
    let cursor = start;
    const pieces: Chunk[] = [];
    while (cursor < end) {
      const next = this.chunks[i];
      if (!next || next.offset >= end) {
        pieces.push({ offset: cursor, data: take(bytes, cursor - start, end - start, owned) });
        break;
      }
      if (next.offset > cursor)
        pieces.push({ offset: cursor, data: take(bytes, cursor - start, next.offset - start, owned) });
      cursor = Math.max(cursor, next.offset + next.data.length);
      i++;
    }
    for (const p of pieces) {
      this.chunks.splice(this.lowerBound(p.offset), 0, p);
      this.buffered += p.data.length;
    }
  }

  /** Index of the first chunk whose end is after `offset`. */
  private lowerBound(offset: number): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[mid]!;
      if (c.offset + c.data.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Reads up to `max` contiguous bytes: the first buffered chunk as it is (no copy) when nothing
   * readable follows it, else everything readable up to `max` joined into one buffer. One read then
   * takes what many packets brought, instead of one read (and one await in the application) each.
   */
  readJoined(max = Number.POSITIVE_INFINITY): Uint8Array | undefined {
    const first = this.readChunk(max);
    if (!first || first.length >= max || !this.readable) return first;
    const parts = [first];
    let total = first.length;
    while (total < max) {
      const next = this.readChunk(max - total);
      if (!next) break;
      parts.push(next);
      total += next.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Returns up to `max` contiguous bytes at {@link readOffset}, or `undefined` when none are ready. */
  readChunk(max = Number.POSITIVE_INFINITY): Uint8Array | undefined {
    const first = this.chunks[0];
    if (!first || first.offset !== this.read || max <= 0) return undefined;
    if (first.data.length <= max) {
      this.chunks.shift();
      this.read += first.data.length;
      this.buffered -= first.data.length;
      return first.data;
    }
    const out = first.data.subarray(0, max);
    first.data = first.data.subarray(max);
    first.offset += max;
    this.read += max;
    this.buffered -= max;
    return out;
  }

  /** Drops everything buffered and moves the read offset to `offset` (used after a reset). */
  discard(offset: number): void {
    this.chunks = [];
    this.buffered = 0;
    this.read = Math.max(this.read, offset);
  }
}

function take(bytes: Uint8Array, from: number, to: number, owned: boolean): Uint8Array {
  return owned ? bytes.subarray(from, to) : bytes.slice(from, to);
}
