import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RttEstimator, type RttView } from '../../src/proto/recovery/rtt.js';
import { type AckRange, type SentPacket, SentPackets } from '../../src/proto/recovery/sent-packets.js';

const pkt = (pn: number, timeSent: number, size = 1200, ackEliciting = true, inFlight = true) =>
  ({ pn, timeSent, size, ackEliciting, inFlight, payload: `p${pn}` }) satisfies SentPacket<string>;

const rttOf = (smoothed: number, latest = smoothed): RttView => ({
  smoothed,
  latest,
  rttvar: smoothed / 2,
  minRtt: Math.min(smoothed, latest),
});

function sendRange(sp: SentPackets<string>, from: number, to: number, timeSent: (pn: number) => number) {
  for (let pn = from; pn <= to; pn++) sp.onSent(pkt(pn, timeSent(pn)));
}

describe('SentPackets: sending and acknowledging', () => {
  it('tracks bytes and ack-eliciting packets in flight', () => {
    const sp = new SentPackets<string>();
    sp.onSent(pkt(0, 0, 1000));
    sp.onSent(pkt(1, 1, 500, false, true)); // e.g. PADDING only: in flight, not ack-eliciting
    sp.onSent(pkt(2, 2, 50, false, false)); // ACK only
    expect(sp.size).toBe(3);
    expect(sp.bytesInFlight).toBe(1500);
    expect(sp.ackElicitingInFlight).toBe(1);
    expect(sp.timeOfLastAckEliciting).toBe(0);
    expect(sp.largestSent).toBe(2);
    expect(sp.get(1)?.payload).toBe('p1');
    expect([...sp].map((p) => p.pn)).toEqual([0, 1, 2]);
  });

  it('rejects packet numbers that do not increase', () => {
    const sp = new SentPackets<string>();
    sp.onSent(pkt(5, 0));
    expect(() => sp.onSent(pkt(5, 1))).toThrow(RangeError);
    expect(() => sp.onSent(pkt(4, 1))).toThrow(RangeError);
    expect(() => sp.onSent(pkt(-1, 1))).toThrow(RangeError);
  });

  it('returns newly acked packets in ascending order from descending ranges', () => {
    const sp = new SentPackets<string>();
    sendRange(sp, 0, 9, (pn) => pn);
    const r = sp.onAck([
      [7, 8],
      [3, 5],
      [0, 0],
    ]);
    expect(r.acked.map((p) => p.pn)).toEqual([0, 3, 4, 5, 7, 8]);
    expect(r.largestNewlyAcked?.pn).toBe(8);
    expect(r.ackElicitingAcked).toBe(true);
    expect(r.ackedBytes).toBe(6 * 1200);
    expect(sp.largestAcked).toBe(8);
    expect(sp.size).toBe(4);
    expect(sp.bytesInFlight).toBe(4 * 1200);
    expect([...sp].map((p) => p.pn)).toEqual([1, 2, 6, 9]);
    expect(sp.get(3)).toBeUndefined();
  });

  it('accepts ranges in any order and still returns ascending packets', () => {
    const sp = new SentPackets<string>();
    sendRange(sp, 0, 9, (pn) => pn);
    const r = sp.onAck([
      [0, 1],
      [8, 9],
      [4, 5],
    ]);
    expect(r.acked.map((p) => p.pn)).toEqual([0, 1, 4, 5, 8, 9]);
    expect(r.largestNewlyAcked?.pn).toBe(9);
  });

  it('never reports a packet acked twice', () => {
    const sp = new SentPackets<string>();
    sendRange(sp, 0, 4, (pn) => pn);
    expect(sp.onAck([[0, 4]]).acked).toHaveLength(5);
    const again = sp.onAck([[0, 4]]);
    expect(again.acked).toEqual([]);
    expect(again.largestNewlyAcked).toBeUndefined();
    expect(sp.bytesInFlight).toBe(0);
  });

  it('distinguishes ack-eliciting acknowledgements and bytes not in flight', () => {
    const sp = new SentPackets<string>();
    sp.onSent(pkt(0, 0, 40, false, false));
    sp.onSent(pkt(1, 0, 1200));
    const r = sp.onAck([[0, 0]]);
    expect(r.ackElicitingAcked).toBe(false);
    expect(r.ackedBytes).toBe(0);
    expect(sp.onAck([[1, 1]]).ackElicitingAcked).toBe(true);
  });

  it('ignores acknowledgements of unsent numbers but keeps largestAcked within what was sent', () => {
    const sp = new SentPackets<string>();
    sp.onSent(pkt(0, 0));
    sp.onSent(pkt(2, 0)); // 1 skipped
    const r = sp.onAck([[1, 1]]);
    expect(r.acked).toEqual([]);
    expect(sp.onAck([[0, 100]]).acked.map((p) => p.pn)).toEqual([0, 2]);
    expect(sp.largestAcked).toBe(2);
    expect(() => sp.onAck([[3, 2]])).toThrow(RangeError);
  });

  it('stays cheap when a wide cumulative ACK is repeated behind an old hole', () => {
    // Packet 0 stays outstanding while each ACK re-acknowledges [1, n]: a scan per ACK over the
    // range would be quadratic (~5e9 steps here), far beyond the suite's timeout.
    const sp = new SentPackets<number>();
    const n = 100_000;
    sp.onSent({ pn: 0, timeSent: 0, size: 1200, ackEliciting: true, inFlight: true, payload: 0 });
    let acked = 0;
    for (let pn = 1; pn <= n; pn++) {
      sp.onSent({ pn, timeSent: pn, size: 1200, ackEliciting: true, inFlight: true, payload: pn });
      acked += sp.onAck([[1, pn]]).acked.length;
    }
    expect(acked).toBe(n);
    expect(sp.size).toBe(1);
    expect(sp.bytesInFlight).toBe(1200);
  });

  it('discards everything when keys go away', () => {
    const sp = new SentPackets<string>();
    sendRange(sp, 0, 3, (pn) => pn);
    sp.onAck([[1, 1]]);
    sp.detectLost(10, rttOf(100));
    expect(sp.lossTime).toBeDefined();
    expect(sp.discardAll().map((p) => p.pn)).toEqual([0, 2, 3]);
    expect(sp.size).toBe(0);
    expect(sp.bytesInFlight).toBe(0);
    expect(sp.ackElicitingInFlight).toBe(0);
    expect(sp.timeOfLastAckEliciting).toBeUndefined();
    expect(sp.lossTime).toBeUndefined();
    // Numbering continues after the discarded packets.
    expect(() => sp.onSent(pkt(3, 20))).toThrow(RangeError);
    sp.onSent(pkt(4, 20));
    expect(sp.size).toBe(1);
  });
});

describe('SentPackets: loss detection (RFC 9002 §6.1)', () => {
  it('declares lost by packet threshold (3) regardless of time', () => {
    const sp = new SentPackets<string>();
    sendRange(sp, 0, 5, () => 0);
    sp.onAck([[3, 3]]);
    const r = sp.detectLost(1, rttOf(100));
    // 3 >= 0 + 3: lost; 1 and 2 are within the reordering threshold; 4, 5 are above largest acked.
    expect(r.lost.map((p) => p.pn)).toEqual([0]);
    expect(r.lostBytes).toBe(1200);
    expect(r.lossTime).toBe(0 + (9 / 8) * 100);
    expect(sp.lossTime).toBe(r.lossTime);
    expect([...sp].map((p) => p.pn)).toEqual([1, 2, 4, 5]);
    sp.onAck([[4, 4]]);
    expect(sp.detectLost(2, rttOf(100)).lost.map((p) => p.pn)).toEqual([1]);
  });

  it('declares lost by time threshold 9/8 x max(smoothed, latest)', () => {
    const sp = new SentPackets<string>();
    sp.onSent(pkt(0, 0));
    sp.onSent(pkt(1, 10));
    sp.onAck([[1, 1]]);
    const rtt = rttOf(100, 80); // loss delay 112.5
    let r = sp.detectLost(112.4, rtt);
    expect(r.lost).toEqual([]);
    expect(r.lossTime).toBe(112.5);
    r = sp.detectLost(112.5, rtt);
    expect(r.lost.map((p) => p.pn)).toEqual([0]);
    expect(r.lossTime).toBeUndefined();
    expect(sp.lossTime).toBeUndefined();
  });

  it('scales the time threshold by the latest RTT when it exceeds the smoothed RTT', () => {
    const sp = new SentPackets<string>();
    sp.onSent(pkt(0, 0));
    sp.onSent(pkt(1, 0));
    sp.onAck([[1, 1]]);
    const r = sp.detectLost(150, rttOf(100, 200)); // loss delay 225
    expect(r.lost).toEqual([]);
    expect(r.lossTime).toBe(225);
  });

  it('never uses a loss delay below the 1 ms timer granularity', () => {
    const sp = new SentPackets<string>();
    sp.onSent(pkt(0, 0));
    sp.onSent(pkt(1, 0));
    sp.onAck([[1, 1]]);
    expect(sp.detectLost(0.5, rttOf(0.01)).lost).toEqual([]);
    expect(sp.lossTime).toBe(1);
    expect(sp.detectLost(1, rttOf(0.01)).lost.map((p) => p.pn)).toEqual([0]);
  });

  it('honours configured thresholds', () => {
    const sp = new SentPackets<string>({ packetThreshold: 5, timeThreshold: 2 });
    sendRange(sp, 0, 5, () => 0);
    sp.onAck([[4, 4]]);
    expect(sp.detectLost(199, rttOf(100)).lost).toEqual([]);
    sp.onAck([[5, 5]]);
    expect(sp.detectLost(199, rttOf(100)).lost.map((p) => p.pn)).toEqual([0]);
    expect(sp.detectLost(200, rttOf(100)).lost.map((p) => p.pn)).toEqual([1, 2, 3]);
  });

  it('never declares packets above the largest acknowledged lost', () => {
    const sp = new SentPackets<string>();
    sendRange(sp, 0, 9, () => 0);
    sp.onAck([[2, 2]]);
    const r = sp.detectLost(1e9, rttOf(1));
    expect(r.lost.map((p) => p.pn)).toEqual([0, 1]);
    expect(r.lossTime).toBeUndefined();
    expect(sp.size).toBe(7);
    expect(sp.detectLost(1e9, rttOf(1), undefined).lost).toEqual([]);
  });

  it('splits lost packets into runs at acknowledged packets', () => {
    const sp = new SentPackets<string>();
    sendRange(sp, 0, 9, (pn) => pn);
    sp.onAck([
      [9, 9],
      [4, 4],
    ]);
    const r = sp.detectLost(1000, rttOf(10));
    expect(r.lost.map((p) => p.pn)).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
    expect(r.runStarts).toEqual([0, 4]);
  });

  it('splits runs at a packet still outstanding between two lost ones', () => {
    // Send times are not monotonic here (the record does not rely on them being so): packet 1 is
    // recent, so neither threshold declares it lost, but packets 0 and 2 on either side are old.
    const sp = new SentPackets<string>();
    sp.onSent(pkt(0, 0));
    sp.onSent(pkt(1, 990));
    sp.onSent(pkt(2, 0));
    sp.onSent(pkt(3, 990));
    sp.onAck([[3, 3]]);
    const r = sp.detectLost(1000, rttOf(100));
    expect(r.lost.map((p) => p.pn)).toEqual([0, 2]);
    expect(r.runStarts).toEqual([0, 1]);
    expect(r.lossTime).toBe(990 + 112.5);
  });

  it('does not split runs at skipped or previously lost packet numbers', () => {
    const sp = new SentPackets<string>();
    sp.onSent(pkt(0, 0));
    sp.onSent(pkt(2, 1)); // 1 skipped
    sp.onSent(pkt(3, 2));
    sp.onSent(pkt(4, 3));
    sp.onSent(pkt(5, 4));
    sp.onSent(pkt(6, 5));
    sp.onAck([[6, 6]]);
    const first = sp.detectLost(5, rttOf(1000)); // only by packet threshold: 0, 2, 3
    expect(first.lost.map((p) => p.pn)).toEqual([0, 2, 3]);
    expect(first.runStarts).toEqual([0]);
    // 4 and 5 later go by time; 0-3 are gone but were not acknowledged.
    const second = sp.detectLost(2000, rttOf(1000));
    expect(second.lost.map((p) => p.pn)).toEqual([4, 5]);
    expect(second.runStarts).toEqual([0]);
  });

  it('keeps the bookkeeping exact over a long session with compaction', () => {
    const sp = new SentPackets<number>();
    const rtt = new RttEstimator(10);
    let next = 0;
    let sentBytes = 0;
    let doneBytes = 0;
    for (let round = 0; round < 2000; round++) {
      const now = round * 10;
      for (let i = 0; i < 8; i++) {
        sp.onSent({
          pn: next,
          timeSent: now,
          size: 1000 + i,
          ackEliciting: true,
          inFlight: true,
          payload: 0,
        });
        sentBytes += 1000 + i;
        next += round % 7 === 0 && i === 3 ? 2 : 1; // occasionally skip a number
      }
      // Acknowledge all but every 5th packet of the previous round.
      const hi = next - 9;
      const ranges: AckRange[] = [];
      for (let pn = hi; pn >= Math.max(0, hi - 8); pn--) if (pn % 5 !== 0) ranges.push([pn, pn]);
      doneBytes += sp.onAck(ranges).ackedBytes;
      doneBytes += sp.detectLost(now, rtt).lostBytes;
      expect(sp.bytesInFlight).toBe(sentBytes - doneBytes);
    }
    expect(sp.size).toBeLessThan(40);
  });
});

type Op =
  | { kind: 'send'; skip: number; size: number; ackEliciting: boolean; inFlight: boolean; dt: number }
  | { kind: 'ack'; ranges: [number, number][] }
  | { kind: 'lose'; dt: number; rtt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      skip: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 3 })),
      size: fc.integer({ min: 1, max: 1500 }),
      ackEliciting: fc.boolean(),
      inFlight: fc.boolean(),
      dt: fc.integer({ min: 0, max: 30 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('ack' as const),
      ranges: fc
        .array(fc.tuple(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 6 })), {
          maxLength: 4,
        })
        .map((rs) => rs.map(([lo, len]): [number, number] => [lo, lo + len])),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('lose' as const),
      dt: fc.integer({ min: 0, max: 200 }),
      rtt: fc.integer({ min: 1, max: 100 }),
    }),
  },
);

describe('SentPackets: random send/ack/loss sequences (property)', () => {
  it('agrees with a naive model and never double-counts', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 150 }), (ops) => {
        const sp = new SentPackets<number>();
        const outstanding = new Map<number, SentPacket<number>>();
        const state = new Map<number, 'acked' | 'lost'>();
        let sent = 0;
        let now = 0;
        let nextPn = 0;
        let largestAcked: number | undefined;
        for (const op of ops) {
          if (op.kind === 'send') {
            now += op.dt;
            nextPn += op.skip;
            const p = {
              pn: nextPn,
              timeSent: now,
              size: op.size,
              ackEliciting: op.ackEliciting,
              inFlight: op.inFlight,
              payload: nextPn,
            };
            sp.onSent(p);
            outstanding.set(nextPn, p);
            sent++;
            nextPn++;
          } else if (op.kind === 'ack') {
            // Normalise into descending, non-overlapping ranges as an ACK frame carries them.
            const pns = new Set<number>();
            for (const [lo, hi] of op.ranges) for (let pn = lo; pn <= hi; pn++) pns.add(pn);
            const sorted = [...pns].sort((a, b) => b - a);
            const ranges: [number, number][] = [];
            for (const pn of sorted) {
              const last = ranges[ranges.length - 1];
              if (last !== undefined && last[0] === pn + 1) last[0] = pn;
              else ranges.push([pn, pn]);
            }
            const expected = sorted.filter((pn) => outstanding.has(pn)).reverse();
            const r = sp.onAck(ranges);
            expect(r.acked.map((p) => p.pn)).toEqual(expected);
            expect(r.largestNewlyAcked?.pn).toBe(expected[expected.length - 1]);
            for (const p of r.acked) {
              expect(state.has(p.pn)).toBe(false);
              state.set(p.pn, 'acked');
              outstanding.delete(p.pn);
            }
            const top = sorted.find((pn) => pn < nextPn);
            if (top !== undefined && (largestAcked === undefined || top > largestAcked)) largestAcked = top;
            expect(sp.largestAcked).toBe(largestAcked);
          } else {
            now += op.dt;
            const rtt = rttOf(op.rtt);
            const r = sp.detectLost(now, rtt);
            const delay = Math.max((9 / 8) * op.rtt, 1);
            const expectedLost = [...outstanding.values()]
              .filter((p) => largestAcked !== undefined && p.pn <= largestAcked)
              .filter((p) => p.timeSent <= now - delay || largestAcked! >= p.pn + 3)
              .map((p) => p.pn)
              .sort((a, b) => a - b);
            expect(r.lost.map((p) => p.pn)).toEqual(expectedLost);
            // Runs break exactly where an acknowledged packet lies between two lost ones.
            const starts = expectedLost.flatMap((pn, i) => {
              if (i === 0) return [0];
              const prev = expectedLost[i - 1]!;
              for (let q = prev + 1; q < pn; q++)
                if (state.get(q) === 'acked' || outstanding.has(q)) return [i];
              return [];
            });
            expect(r.runStarts).toEqual(starts);
            for (const p of r.lost) {
              expect(state.has(p.pn)).toBe(false);
              state.set(p.pn, 'lost');
              outstanding.delete(p.pn);
            }
            const pending = [...outstanding.values()].filter(
              (p) => largestAcked !== undefined && p.pn <= largestAcked,
            );
            const lossTime =
              pending.length === 0 ? undefined : Math.min(...pending.map((p) => p.timeSent + delay));
            expect(r.lossTime).toBe(lossTime);
            expect(r.lostBytes).toBe(r.lost.filter((p) => p.inFlight).reduce((s, p) => s + p.size, 0));
          }
          // acked + lost + remaining = sent, and the running totals match the remaining packets.
          expect(state.size + sp.size).toBe(sent);
          expect(sp.size).toBe(outstanding.size);
          const remaining = [...sp];
          expect(remaining.map((p) => p.pn)).toEqual([...outstanding.keys()].sort((a, b) => a - b));
          const inFlight = remaining.filter((p) => p.inFlight);
          expect(sp.bytesInFlight).toBe(inFlight.reduce((s, p) => s + p.size, 0));
          expect(sp.ackElicitingInFlight).toBe(inFlight.filter((p) => p.ackEliciting).length);
          for (const pn of state.keys()) expect(sp.get(pn)).toBeUndefined();
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the loss timer always fires', () => {
  it('a packet is declared lost exactly at the loss time detectLost reported (float boundary)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 5000, noNaN: true }),
        (t0, sample) => {
          const sent = new SentPackets<null>();
          const rtt = new RttEstimator();
          rtt.update(sample, 0, false, 25);
          sent.onSent({ pn: 0, timeSent: t0, size: 1200, ackEliciting: true, inFlight: true, payload: null });
          sent.onSent({ pn: 1, timeSent: t0, size: 1200, ackEliciting: true, inFlight: true, payload: null });
          sent.onAck([[1, 1]]);
          const first = sent.detectLost(t0, rtt);
          expect(first.lost).toHaveLength(0);
          expect(first.lossTime).toBeDefined();
          const at = sent.detectLost(first.lossTime!, rtt);
          expect(at.lost.map((p) => p.pn)).toEqual([0]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
