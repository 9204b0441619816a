/**
 * A sorted set of disjoint integer ranges, used for ACK ranges and for tracking received packet numbers.
 * Sans-IO, no Node imports.
 */

/** Largest `end` a {@link RangeSet} range may have: 2^53 (so every member is a safe integer). */
export const RANGE_SET_MAX_END = 2 ** 53;

/**
 * A sorted set of disjoint, **half-open** ranges `[start, end)` of non-negative integers.
 *
 * - Members are integers in `[0, 2^53 − 1]`: QUIC values are u62, but packet numbers and offsets
 *   that this stack tracks never exceed 2^53 − 1 (the frame decoder rejects larger ones).
 * - Ranges are kept maximal: overlapping or adjacent ranges are merged on insert, so two neighbouring
 *   ranges always have at least one missing value between them.
 * - An optional bound `maxRanges` limits memory: when an insert would keep more ranges than that, the
 *   ranges with the **smallest** values are dropped (for ACKs, the oldest packet numbers matter least).
 *
 * Ranges are stored in one flat array `[start0, end0, start1, end1, …]` in ascending order; inserting
 * at the top (the common case for packet numbers) is O(1), anything else O(log n) search + O(n) move.
 */
export class RangeSet {
  /** Maximum number of ranges kept (`Infinity` = unbounded). */
  readonly maxRanges: number;
  private r: number[] = [];

  constructor(maxRanges = Number.POSITIVE_INFINITY) {
    if (!(maxRanges >= 1)) throw new RangeError(`maxRanges must be at least 1, got ${maxRanges}`);
    this.maxRanges = maxRanges;
  }

  /** A set holding the given `[start, end)` ranges (in any order, possibly overlapping). */
  static from(ranges: Iterable<readonly [number, number]>, maxRanges?: number): RangeSet {
    const s = new RangeSet(maxRanges);
    for (const [start, end] of ranges) s.insert(start, end);
    return s;
  }

  /**
   * A set built in O(n) from ranges given **from high to low** as a flat array `[start, end, start, end, …]`,
   * where each range lies strictly below the previous one with at least one value between them (the shape
   * ACK frames produce). Throws `RangeError` if the input is not of that shape.
   */
  static fromDescending(flat: readonly number[], maxRanges?: number): RangeSet {
    const s = new RangeSet(maxRanges);
    const n = flat.length;
    if (n % 2 !== 0) throw new RangeError('odd number of range bounds');
    const out = new Array<number>(n);
    let prevStart = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i += 2) {
      const start = flat[i]!;
      const end = flat[i + 1]!;
      checkBounds(start, end);
      if (start >= end || end >= prevStart)
        throw new RangeError('ranges are not strictly descending and disjoint');
      prevStart = start;
      out[n - 2 - i] = start;
      out[n - 1 - i] = end;
    }
    s.r = out;
    s.trim();
    return s;
  }

  /** Number of ranges. */
  get size(): number {
    return this.r.length >>> 1;
  }

  /** Whether the set has no members. */
  get isEmpty(): boolean {
    return this.r.length === 0;
  }

  /** Total number of members (sum of range lengths). */
  get count(): number {
    let c = 0;
    for (let i = 0; i < this.r.length; i += 2) c += this.r[i + 1]! - this.r[i]!;
    return c;
  }

  /** Smallest member, or `undefined` when empty. */
  min(): number | undefined {
    return this.r[0];
  }

  /** Largest member, or `undefined` when empty. */
  max(): number | undefined {
    const n = this.r.length;
    return n === 0 ? undefined : this.r[n - 1]! - 1;
  }

  /** Start (inclusive) of the `i`-th range in ascending order, `0 <= i < size`. */
  start(i: number): number {
    const v = this.r[2 * i];
    if (v === undefined) throw new RangeError(`range index ${i} out of bounds`);
    return v;
  }

  /** End (exclusive) of the `i`-th range in ascending order, `0 <= i < size`. */
  end(i: number): number {
    const v = this.r[2 * i + 1];
    if (v === undefined) throw new RangeError(`range index ${i} out of bounds`);
    return v;
  }

  /** Whether `v` is a member. */
  contains(v: number): boolean {
    if (!Number.isSafeInteger(v) || v < 0) return false;
    const i = this.firstEndAbove(v);
    return i < this.r.length && this.r[i]! <= v;
  }

  /** Adds the single value `v`; returns whether it was new. */
  insertOne(v: number): boolean {
    return this.insert(v, v + 1);
  }

  /**
   * Adds `[start, end)`, merging with overlapping or adjacent ranges. Returns whether any value was new
   * (with a `maxRanges` bound, a new lowest range may be dropped again at once). An empty range
   * (`start >= end`) is a no-op. For packet-number tracking with a bound, the caller must remember the
   * lowest value still tracked: values below it read as absent once dropped.
   */
  insert(start: number, end: number): boolean {
    checkBounds(start, end);
    if (start >= end) return false;
    const r = this.r;
    const n = r.length;
    // Fast paths: above everything, or touching the top range.
    if (n === 0 || start > r[n - 1]!) {
      r.push(start, end);
      this.trim();
      return true;
    }
    if (start >= r[n - 2]!) {
      if (end <= r[n - 1]!) return false;
      r[n - 1] = end;
      return true;
    }
    // i: first range whose end >= start (touches or overlaps from the left).
    const i = this.firstEndAtLeast(start);
    // j: one past the last range whose start <= end.
    const j = this.firstStartAbove(end);
    if (i >= j) {
      r.splice(i, 0, start, end);
      this.trim();
      return true;
    }
    const s0 = r[i]!;
    const e1 = r[j - 1]!;
    if (j - i === 2 && s0 <= start && e1 >= end) return false;
    r.splice(i, j - i, Math.min(start, s0), Math.max(end, e1));
    return true;
  }

  /** Removes every member in `[start, end)`; returns whether anything was removed. */
  remove(start: number, end: number): boolean {
    checkBounds(start, end);
    if (start >= end || this.r.length === 0) return false;
    const r = this.r;
    // i: first range whose end > start; j: one past the last range whose start < end.
    const i = this.firstEndAbove(start);
    const j = this.firstStartAtLeast(end);
    if (i >= j) return false;
    const keep: number[] = [];
    if (r[i]! < start) keep.push(r[i]!, start);
    if (r[j - 1]! > end) keep.push(end, r[j - 1]!);
    r.splice(i, j - i, ...keep);
    return true;
  }

  /** Removes and returns the lowest range `[start, end)`, or `undefined` when empty. */
  popMin(): [number, number] | undefined {
    if (this.r.length === 0) return undefined;
    const out: [number, number] = [this.r[0]!, this.r[1]!];
    this.r.splice(0, 2);
    return out;
  }

  /** Removes every member. */
  clear(): void {
    this.r.length = 0;
  }

  /** A copy (with the same bound). */
  clone(): RangeSet {
    const s = new RangeSet(this.maxRanges);
    s.r = this.r.slice();
    return s;
  }

  /** Whether both sets have exactly the same members. */
  equals(other: RangeSet): boolean {
    const a = this.r;
    const b = other.r;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Ranges `[start, end)` from lowest to highest. */
  *ascending(): IterableIterator<[number, number]> {
    for (let i = 0; i < this.r.length; i += 2) yield [this.r[i]!, this.r[i + 1]!];
  }

  /** Ranges `[start, end)` from highest to lowest (the order ACK frames list them). */
  *descending(): IterableIterator<[number, number]> {
    for (let i = this.r.length - 2; i >= 0; i -= 2) yield [this.r[i]!, this.r[i + 1]!];
  }

  /** Same as {@link ascending}. */
  [Symbol.iterator](): IterableIterator<[number, number]> {
    return this.ascending();
  }

  /** The ranges as `[start, end)` pairs, ascending. */
  toArray(): [number, number][] {
    return [...this.ascending()];
  }

  /** E.g. `RangeSet{[0,3) [5,6)}`. */
  toString(): string {
    return `RangeSet{${this.toArray()
      .map(([s, e]) => `[${s},${e})`)
      .join(' ')}}`;
  }

  private trim(): void {
    const excess = this.r.length - 2 * this.maxRanges;
    if (excess > 0) this.r.splice(0, excess);
  }

  // Binary searches over the flat array; they return an even index (a range's start slot) or r.length.

  /** First range index (flat) with end >= v. */
  private firstEndAtLeast(v: number): number {
    let lo = 0;
    let hi = this.r.length >>> 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.r[2 * mid + 1]! >= v) hi = mid;
      else lo = mid + 1;
    }
    return 2 * lo;
  }

  /** First range index (flat) with end > v. */
  private firstEndAbove(v: number): number {
    return this.firstEndAtLeast(v + 1);
  }

  /** First range index (flat) with start > v. */
  private firstStartAbove(v: number): number {
    let lo = 0;
    let hi = this.r.length >>> 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.r[2 * mid]! > v) hi = mid;
      else lo = mid + 1;
    }
    return 2 * lo;
  }

  /** First range index (flat) with start >= v. */
  private firstStartAtLeast(v: number): number {
    return this.firstStartAbove(v - 1);
  }
}

function checkBounds(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isInteger(end) || end > RANGE_SET_MAX_END) {
    throw new RangeError(`range [${start}, ${end}) outside [0, 2^53)`);
  }
}
