import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Assembler } from '../../src/proto/streams/assembler.js';

function drain(a: Assembler, max?: number): number[] {
  const out: number[] = [];
  for (let c = a.readChunk(max); c; c = a.readChunk(max)) out.push(...c);
  return out;
}

describe('Assembler', () => {
  it('delivers in order, whatever the arrival order', () => {
    const a = new Assembler();
    a.insert(3, Uint8Array.of(3, 4));
    expect(a.readable).toBe(false);
    expect(a.readChunk()).toBeUndefined();
    a.insert(0, Uint8Array.of(0, 1, 2));
    expect(a.readable).toBe(true);
    expect(drain(a)).toEqual([0, 1, 2, 3, 4]);
    expect(a.readOffset).toBe(5);
    expect(a.bytesBuffered).toBe(0);
  });

  it('drops duplicates and already-read bytes without buffering them twice', () => {
    const a = new Assembler();
    a.insert(0, Uint8Array.of(0, 1, 2, 3));
    a.insert(2, Uint8Array.of(2, 3, 4, 5));
    a.insert(0, Uint8Array.of(0, 1, 2, 3, 4, 5));
    expect(a.bytesBuffered).toBe(6);
    expect(drain(a, 4)).toEqual([0, 1, 2, 3, 4, 5]);
    a.insert(1, Uint8Array.of(1, 2));
    expect(a.bytesBuffered).toBe(0);
    expect(a.receivedEnd).toBe(6);
  });

  it('reassembles any permutation of overlapping pieces (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.tuple(fc.nat(299), fc.integer({ min: 1, max: 64 })), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        (data, pieces, readSize) => {
          const a = new Assembler();
          const got: number[] = [];
          // Random pieces, then the whole stream in 10-byte slices in reverse to fill every gap.
          const all = [...pieces.map(([o, l]) => [o % data.length, l] as const)];
          for (let o = Math.floor((data.length - 1) / 10) * 10; o >= 0; o -= 10) all.push([o, 10]);
          for (const [o, l] of all) {
            a.insert(o, data.subarray(o, Math.min(data.length, o + l)));
            expect(a.bytesBuffered).toBeLessThanOrEqual(data.length - a.readOffset);
            if (got.length % 2 === 0) got.push(...drain(a, readSize));
          }
          got.push(...drain(a, readSize));
          expect(Uint8Array.from(got)).toEqual(data);
          expect(a.bytesBuffered).toBe(0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('discard jumps past buffered data', () => {
    const a = new Assembler();
    a.insert(5, Uint8Array.of(5));
    a.discard(10);
    expect(a.bytesBuffered).toBe(0);
    expect(a.readOffset).toBe(10);
    a.insert(8, Uint8Array.of(8, 9, 10));
    expect(drain(a)).toEqual([10]);
  });
});
