import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pacer, pacerCapacity } from '../../src/proto/recovery/pacing.js';

const MTU = 1200;

/** Sends `bytes`-sized packets as early as the pacer allows until `until`; returns the send times. */
function greedy(pacer: Pacer, window: number, rtt: number, until: number, bytes = MTU): number[] {
  const times: number[] = [];
  let now = 0;
  while (now <= until) {
    const at = pacer.nextSendTime(now, bytes, window, rtt, MTU);
    if (at > now) {
      now = at;
      continue;
    }
    pacer.onTransmit(bytes);
    times.push(now);
  }
  return times;
}

describe('pacer capacity', () => {
  it('is about 2 ms of the rate, clamped to 10..256 datagrams, capped at 10 ms of the rate', () => {
    // 1e5 B/ms: 2 ms worth is 200 000 bytes, within bounds.
    expect(pacerCapacity(1_000_000, 10, MTU)).toBe(200_000);
    // Very fast: at most 256 datagrams.
    expect(pacerCapacity(1e9, 1, MTU)).toBe(256 * MTU);
    // 1200 B/ms: 2 ms is only 2400 bytes, raised to 10 datagrams (= 10 ms worth).
    expect(pacerCapacity(120_000, 100, MTU)).toBe(12_000);
    // 600 B/ms: 10 datagrams would be 20 ms worth, so 10 ms worth.
    expect(pacerCapacity(60_000, 100, MTU)).toBe(6_000);
    // Slow paths still get one datagram.
    expect(pacerCapacity(2400, 10_000, MTU)).toBe(MTU);
  });
});

describe('Pacer', () => {
  it('never delays the first packet, even at a very slow rate', () => {
    const pacer = new Pacer(10_000, 2400, MTU, 0);
    expect(pacer.capacity).toBe(MTU);
    expect(pacer.nextSendTime(0, MTU, 2400, 10_000, MTU)).toBe(0);
  });

  it('sends a burst of one capacity, then spaces bursts at 5/4 of window per RTT', () => {
    // 120 000 bytes per 100 ms: refill 1500 B/ms, capacity 12 000 bytes (10 packets).
    const pacer = new Pacer(100, 120_000, MTU, 0);
    const times = greedy(pacer, 120_000, 100, 100);
    expect(times.slice(0, 10)).toEqual(Array(10).fill(0));
    // The 11th packet waits until the bucket is full again: 12 000 / 1500 = 8 ms.
    expect(times[10]).toBeCloseTo(8, 9);
    expect(times.slice(10, 20).every((t) => Math.abs(t - 8) < 1e-9)).toBe(true);
    expect(times[20]).toBeCloseTo(16, 9);
    // Within 100 ms: bursts of 10 packets at 0, 8, ..., 96.
    expect(times.length).toBe(130);
    expect(new Set(times.map((t) => Math.round(t))).size).toBe(13);
  });

  it('paces at the target average rate over a long run', () => {
    const window = 500_000;
    const rtt = 40; // 12 500 B/ms, x 1.25 = 15 625 B/ms
    const pacer = new Pacer(rtt, window, MTU, 0);
    const times = greedy(pacer, window, rtt, 1000);
    const bytes = times.length * MTU;
    const expected = pacer.capacity + 15_625 * 1000;
    expect(Math.abs(bytes - expected)).toBeLessThanOrEqual(pacer.capacity);
  });

  it('does not push the deadline back when polled early', () => {
    const pacer = new Pacer(100, 120_000, MTU, 0);
    for (let i = 0; i < 10; i++) pacer.onTransmit(MTU);
    expect(pacer.nextSendTime(0, MTU, 120_000, 100, MTU)).toBeCloseTo(8, 9);
    expect(pacer.nextSendTime(0.3, MTU, 120_000, 100, MTU)).toBeCloseTo(8, 9);
    expect(pacer.nextSendTime(0.7, MTU, 120_000, 100, MTU)).toBeCloseTo(8, 9);
    // Once a packet's worth has accumulated (0.8 ms at 1500 B/ms) it may go.
    expect(pacer.nextSendTime(0.8, MTU, 120_000, 100, MTU)).toBe(0.8);
    pacer.onTransmit(MTU);
    expect(pacer.nextSendTime(0.8, MTU, 120_000, 100, MTU)).toBeCloseTo(8.8, 9);
  });

  it('shrinks the bucket when the window shrinks', () => {
    const pacer = new Pacer(10, 1_000_000, MTU, 0);
    expect(pacer.capacity).toBe(200_000);
    expect(pacer.tokens).toBe(200_000);
    expect(pacer.nextSendTime(0, MTU, 120_000, 100, MTU)).toBe(0);
    expect(pacer.capacity).toBe(12_000);
    expect(pacer.tokens).toBe(12_000);
  });

  it('resizes the bucket on an MTU change without adding tokens', () => {
    const pacer = new Pacer(100, 1_000_000, MTU, 0); // 10 000 B/ms: capacity 20 000
    expect(pacer.capacity).toBe(20_000);
    for (let i = 0; i < 10; i++) pacer.onTransmit(MTU);
    expect(pacer.nextSendTime(0, 2500, 1_000_000, 100, 2500)).toBe(0); // 8000 tokens left
    expect(pacer.capacity).toBe(25_000); // 10 datagrams of 2500
    expect(pacer.tokens).toBe(8000);
  });

  it('lets a packet larger than the bucket go once the bucket is full', () => {
    const pacer = new Pacer(100, 12_000, MTU, 0); // capacity 1200, refill 150 B/ms
    pacer.onTransmit(MTU);
    const at = pacer.nextSendTime(0, 1500, 12_000, 100, MTU);
    expect(at).toBeCloseTo(8, 9);
    expect(pacer.nextSendTime(at, 1500, 12_000, 100, MTU)).toBe(at);
  });

  it('ignores a clock that goes backwards', () => {
    const pacer = new Pacer(100, 120_000, MTU, 50);
    for (let i = 0; i < 10; i++) pacer.onTransmit(MTU);
    const at = pacer.nextSendTime(40, MTU, 120_000, 100, MTU);
    expect(pacer.tokens).toBe(0);
    expect(at).toBeCloseTo(48, 9);
    expect(pacer.nextSendTime(58, MTU, 120_000, 100, MTU)).toBe(58);
  });

  it('does not pace enormous windows or a zero RTT', () => {
    const pacer = new Pacer(100, 120_000, MTU, 0);
    for (let i = 0; i < 10; i++) pacer.onTransmit(MTU);
    expect(pacer.nextSendTime(0, MTU, 2 ** 33, 100, MTU)).toBe(0);
    expect(pacer.nextSendTime(0, MTU, 120_000, 0, MTU)).toBe(0);
  });

  it('never lets more than capacity + rate x time out (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2400, max: 10_000_000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(
          fc.record({
            dt: fc.double({ min: 0, max: 20, noNaN: true }),
            size: fc.integer({ min: 1, max: MTU }),
          }),
          {
            maxLength: 200,
          },
        ),
        (window, rtt, steps) => {
          const pacer = new Pacer(rtt, window, MTU, 0);
          const rate = (1.25 * window) / rtt;
          let now = 0;
          let sent = 0;
          for (const s of steps) {
            now += s.dt;
            const at = pacer.nextSendTime(now, s.size, window, rtt, MTU);
            expect(at).toBeGreaterThanOrEqual(now);
            if (at === now) {
              pacer.onTransmit(s.size);
              sent += s.size;
            }
            expect(sent).toBeLessThanOrEqual(pacer.capacity + rate * now + 1e-6);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
