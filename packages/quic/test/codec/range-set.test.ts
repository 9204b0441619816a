import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeSet } from '../../src/proto/range-set.js';

describe('RangeSet', () => {
  it('merges overlapping and adjacent ranges', () => {
    const s = new RangeSet();
    expect(s.insert(5, 8)).toBe(true);
    expect(s.insert(0, 2)).toBe(true);
    expect(s.toArray()).toEqual([
      [0, 2],
      [5, 8],
    ]);
    expect(s.insert(8, 10)).toBe(true); // adjacent above
    expect(s.insert(2, 3)).toBe(true); // adjacent to the lower range
    expect(s.toArray()).toEqual([
      [0, 3],
      [5, 10],
    ]);
    expect(s.insert(3, 5)).toBe(true); // fills the gap exactly
    expect(s.toArray()).toEqual([[0, 10]]);
    expect(s.insert(4, 9)).toBe(false);
    expect(s.insert(7, 7)).toBe(false);
    expect(s.size).toBe(1);
    expect(s.count).toBe(10);
  });

  it('answers contains, min and max', () => {
    const s = RangeSet.from([
      [10, 20],
      [30, 31],
    ]);
    expect(s.min()).toBe(10);
    expect(s.max()).toBe(30);
    for (const [v, inside] of [
      [9, false],
      [10, true],
      [19, true],
      [20, false],
      [30, true],
      [31, false],
      [-1, false],
      [2 ** 53, false],
      [1.5, false],
    ] as const) {
      expect(s.contains(v)).toBe(inside);
    }
    expect(new RangeSet().min()).toBeUndefined();
    expect(new RangeSet().max()).toBeUndefined();
  });

  it('removes ranges, splitting where needed', () => {
    const s = RangeSet.from([
      [0, 10],
      [20, 30],
    ]);
    expect(s.remove(3, 5)).toBe(true);
    expect(s.toArray()).toEqual([
      [0, 3],
      [5, 10],
      [20, 30],
    ]);
    expect(s.remove(8, 25)).toBe(true);
    expect(s.toArray()).toEqual([
      [0, 3],
      [5, 8],
      [25, 30],
    ]);
    expect(s.remove(10, 20)).toBe(false);
    expect(s.remove(0, 100)).toBe(true);
    expect(s.isEmpty).toBe(true);
  });

  it('iterates high to low for ACK encoding, and pops the lowest range', () => {
    const s = RangeSet.from([
      [1, 2],
      [4, 6],
      [9, 10],
    ]);
    expect([...s.descending()]).toEqual([
      [9, 10],
      [4, 6],
      [1, 2],
    ]);
    expect([s.start(2), s.end(2)]).toEqual([9, 10]);
    expect(() => s.start(3)).toThrow(RangeError);
    expect(s.popMin()).toEqual([1, 2]);
    expect(s.toString()).toBe('RangeSet{[4,6) [9,10)}');
  });

  it('keeps at most maxRanges, dropping the lowest', () => {
    const s = new RangeSet(3);
    for (let pn = 0; pn < 20; pn += 2) s.insertOne(pn);
    expect(s.toArray()).toEqual([
      [14, 15],
      [16, 17],
      [18, 19],
    ]);
    s.insertOne(17); // merges, no drop needed
    expect(s.toArray()).toEqual([
      [14, 15],
      [16, 19],
    ]);
    expect(() => new RangeSet(0)).toThrow(RangeError);
  });

  it('builds from descending ranges and rejects malformed input', () => {
    const s = RangeSet.fromDescending([10, 12, 4, 6, 0, 1]);
    expect(s.toArray()).toEqual([
      [0, 1],
      [4, 6],
      [10, 12],
    ]);
    expect(() => RangeSet.fromDescending([4, 6, 6, 8])).toThrow(RangeError); // ascending
    expect(() => RangeSet.fromDescending([4, 6, 2, 4])).toThrow(RangeError); // adjacent
    expect(() => RangeSet.fromDescending([4, 4])).toThrow(RangeError); // empty range
    expect(() => RangeSet.fromDescending([1])).toThrow(RangeError);
    expect(RangeSet.fromDescending([10, 12, 4, 6, 0, 1], 2).toArray()).toEqual([
      [4, 6],
      [10, 12],
    ]);
  });

  it('accepts members up to 2^53 - 1 and rejects out-of-range bounds', () => {
    const s = new RangeSet();
    s.insertOne(Number.MAX_SAFE_INTEGER);
    expect(s.max()).toBe(Number.MAX_SAFE_INTEGER);
    expect(s.contains(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(() => s.insert(-1, 3)).toThrow(RangeError);
    expect(() => s.insert(0, 2 ** 53 + 2)).toThrow(RangeError);
    expect(() => s.insert(0.5, 3)).toThrow(RangeError);
  });

  it('behaves like a plain set of integers (model-based)', () => {
    const op = fc.tuple(
      fc.constantFrom('insert', 'remove', 'pop'),
      fc.integer({ min: 0, max: 120 }),
      fc.integer({ min: 0, max: 15 }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const s = new RangeSet();
        const model = new Set<number>();
        for (const [kind, start, len] of ops) {
          if (kind === 'insert') {
            const before = model.size;
            for (let v = start; v < start + len; v++) model.add(v);
            expect(s.insert(start, start + len)).toBe(model.size > before);
          } else if (kind === 'remove') {
            const before = model.size;
            for (let v = start; v < start + len; v++) model.delete(v);
            expect(s.remove(start, start + len)).toBe(model.size < before);
          } else {
            const popped = s.popMin();
            if (popped) for (let v = popped[0]; v < popped[1]; v++) expect(model.delete(v)).toBe(true);
            else expect(model.size).toBe(0);
          }
          // Invariants: sorted, disjoint, non-adjacent, non-empty ranges; same members as the model.
          const ranges = s.toArray();
          for (let i = 0; i < ranges.length; i++) {
            expect(ranges[i]![0]).toBeLessThan(ranges[i]![1]);
            if (i > 0) expect(ranges[i - 1]![1]).toBeLessThan(ranges[i]![0]);
          }
          expect(s.count).toBe(model.size);
          const members = Array.from({ length: 140 }, (_, v) => s.contains(v));
          expect(members).toEqual(Array.from({ length: 140 }, (_, v) => model.has(v)));
          const sorted = [...model].sort((a, b) => a - b);
          expect(s.min()).toBe(sorted[0]);
          expect(s.max()).toBe(sorted[sorted.length - 1]);
        }
        expect(s.equals(s.clone())).toBe(true);
        expect(RangeSet.from(s.toArray()).equals(s)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
