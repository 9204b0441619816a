import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendBuffer } from '../../src/proto/streams/send-buffer.js';

describe('SendBuffer', () => {
  it('sends new data in order, retransmits lost ranges first, frees acked prefixes', () => {
    const b = new SendBuffer();
    b.write(Uint8Array.of(0, 1, 2, 3));
    b.write(Uint8Array.of(4, 5, 6, 7, 8, 9));
    const a = b.poll(3)!;
    expect([a.offset, [...a.data], a.retransmission]).toEqual([0, [0, 1, 2], false]);
    const c = b.poll(5)!; // spans two chunks: a copy
    expect([c.offset, [...c.data]]).toEqual([3, [3, 4, 5, 6, 7]]);
    b.onLost(0, 3);
    b.onAck(3, 5);
    expect(b.buffered).toBe(10);
    const r = b.poll(10)!;
    expect([r.offset, [...r.data], r.retransmission]).toEqual([0, [0, 1, 2], true]);
    b.onAck(0, 3);
    expect(b.buffered).toBe(2);
    const d = b.poll(10)!;
    expect([d.offset, [...d.data]]).toEqual([8, [8, 9]]);
    expect(b.hasPending).toBe(false);
    b.onAck(8, 2);
    expect(b.allAcked).toBe(true);
    expect(b.buffered).toBe(0);
  });

  it('does not retransmit bytes acknowledged meanwhile', () => {
    const b = new SendBuffer();
    b.write(new Uint8Array(100));
    b.poll(100);
    b.onAck(20, 10);
    b.onLost(0, 100);
    const sent: [number, number][] = [];
    for (let c = b.poll(1000); c; c = b.poll(1000)) sent.push([c.offset, c.data.length]);
    expect(sent).toEqual([
      [0, 20],
      [30, 70],
    ]);
  });

  it('every byte is eventually delivered exactly as written under random loss (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.boolean()), { minLength: 1, maxLength: 200 }),
        (writes, plan) => {
          const b = new SendBuffer();
          const expected: number[] = [];
          for (const w of writes) {
            b.write(w);
            expected.push(...w);
          }
          const received = new Map<number, number>();
          let step = 0;
          while (!b.allAcked) {
            const [max, lose] = plan[step++ % plan.length]!;
            const c = b.poll(max);
            if (!c) break;
            c.data.forEach((v, i) => {
              expect(v).toBe(expected[c.offset + i]);
            });
            if (lose && step < 400) b.onLost(c.offset, c.data.length);
            else {
              c.data.forEach((v, i) => {
                received.set(c.offset + i, v);
              });
              b.onAck(c.offset, c.data.length);
            }
          }
          expect(b.allAcked).toBe(true);
          expect(received.size).toBe(expected.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
