import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CUBIC_BETA,
  CUBIC_C,
  Cubic,
  cubicFactory,
  cubicK,
  wCubic,
  wEst,
} from '../../src/proto/recovery/congestion/cubic.js';
import { RttEstimator } from '../../src/proto/recovery/rtt.js';

const MTU = 1200;

function rttOf(ms: number): RttEstimator {
  const rtt = new RttEstimator(ms);
  rtt.update(ms, 0, true, 0);
  return rtt;
}

/**
 * Ack-clocked sender: every packet is acknowledged one RTT after it was sent, and each ACK lets new
 * full-size packets go as long as they fit in the window. Calls `probe(now)` after every ACK.
 */
function runAckClocked(cc: Cubic, rttMs: number, start: number, until: number, probe: (now: number) => void) {
  const rtt = rttOf(rttMs);
  const queue: number[] = [];
  let head = 0;
  let inFlight = 0;
  let now = start;
  const fill = () => {
    while (inFlight + MTU <= cc.window) {
      queue.push(now);
      inFlight += MTU;
      cc.onPacketSent(now, MTU);
    }
  };
  fill();
  while (now < until) {
    const sent = queue[head++]!;
    now = sent + rttMs;
    inFlight -= MTU;
    cc.onAck(now, sent, MTU, false, rtt);
    probe(now);
    fill();
  }
}

/** A controller just after a loss at t = 0 with a window of `packets` datagrams. */
function afterLoss(packets: number): Cubic {
  const cc = new Cubic({ initialWindow: packets * MTU });
  cc.onCongestionEvent(0, 0, false, MTU);
  return cc;
}

describe('Cubic (RFC 9438 as in quinn/noq)', () => {
  it('starts like NewReno and grows by the bytes acknowledged in slow start', () => {
    const cc = new Cubic();
    expect(cc.window).toBe(12000);
    expect(cc.ssthresh).toBe(Number.POSITIVE_INFINITY);
    expect(cubicFactory()(0, 1500).window).toBe(14720);
    cc.onAck(100, 0, 12000, false, rttOf(100));
    expect(cc.window).toBe(24000);
    cc.onAck(200, 100, 1200, true, rttOf(100));
    expect(cc.window).toBe(24000);
  });

  it('reduces by beta = 0.7 on loss and computes K from W_max', () => {
    const cc = afterLoss(100);
    expect(cc.wMax).toBe(120000);
    expect(cc.ssthresh).toBe(Math.floor(120000 * CUBIC_BETA));
    expect(cc.window).toBe(84000);
    expect(cc.k).toBeCloseTo(Math.cbrt((100 * (1 - CUBIC_BETA)) / CUBIC_C), 12);
    expect(cc.k).toBeCloseTo(4.2172, 4);
    expect(cubicK(120000, MTU)).toBe(cc.k);
    // The curve starts at beta * W_max and reaches W_max at K.
    expect(wCubic(0, cc.k, cc.wMax, MTU)).toBeCloseTo(84000, 6);
    expect(wCubic(cc.k, cc.k, cc.wMax, MTU)).toBeCloseTo(120000, 6);
  });

  it('applies fast convergence when a loss comes below the previous W_max', () => {
    const cc = afterLoss(100); // W_max 100 packets, window 70
    cc.onCongestionEvent(1000, 500, false, MTU);
    expect(cc.wMax).toBe((84000 * (1 + CUBIC_BETA)) / 2); // 59.5 packets
    expect(cc.window).toBe(Math.floor(84000 * CUBIC_BETA)); // 49 packets
    expect(cc.k).toBeCloseTo(Math.cbrt(((cc.wMax / MTU) * 0.3) / 0.4), 12);
    // A loss above W_max sets W_max to the window.
    const up = afterLoss(10);
    up.onAck(100, 50, 100 * MTU, false, rttOf(100)); // credit for many ACKs at once
    for (let i = 0; i < 200; i++) up.onAck(5000 + i, 10, MTU, false, rttOf(100));
    const w = up.window;
    expect(w).toBeGreaterThan(up.wMax);
    up.onCongestionEvent(6000, 5999, false, MTU);
    expect(up.wMax).toBe(w);
  });

  it('follows W_cubic(t) = C (t - K)^3 + W_max in congestion avoidance', () => {
    const cc = afterLoss(100);
    const k = cc.k;
    const checkpoints = [500, 1000, 2000, 3000, 4000, k * 1000, 5000, 6000, 7000, 8000];
    const seen: number[] = [];
    runAckClocked(cc, 100, 0.001, 8100, (now) => {
      if (seen.length < checkpoints.length && now >= checkpoints[seen.length]!) seen.push(cc.window);
    });
    expect(seen).toHaveLength(checkpoints.length);
    checkpoints.forEach((ms, i) => {
      const t = ms / 1000;
      const expected = C_CURVE(t, k, 100);
      const actual = seen[i]! / MTU;
      // Each ACK closes the gap to the curve one RTT ahead, so the window lies just below it.
      expect(Math.abs(actual - expected)).toBeLessThanOrEqual(2);
      expect(actual).toBeLessThanOrEqual(C_CURVE(t + 0.1, k, 100) + 1);
    });
    // Concave approach to a plateau at W_max around K, then convex probing beyond it.
    expect(seen[5]! / MTU).toBe(100);
    expect(seen[9]! - seen[8]!).toBeGreaterThan(seen[8]! - seen[7]!);
  });

  it('grows like Reno in the Reno-friendly region', () => {
    // Small W_max and a short RTT: W_est = 0.7 W_max + 3 (1 - beta) / (1 + beta) t / RTT outgrows the cubic curve.
    const cc = afterLoss(20);
    const checkpoints = [200, 500, 1000, 2000];
    const seen: number[] = [];
    runAckClocked(cc, 10, 0.001, 2010, (now) => {
      if (seen.length < checkpoints.length && now >= checkpoints[seen.length]!) seen.push(cc.window);
    });
    checkpoints.forEach((ms, i) => {
      const t = ms / 1000;
      const reno = 14 + ((3 * 0.3) / 1.7) * (t / 0.01);
      expect(wEst(t, 0.01, cc.wMax, MTU) / MTU).toBeCloseTo(reno, 9);
      const actual = seen[i]! / MTU;
      expect(Math.abs(actual - reno)).toBeLessThanOrEqual(1.5);
      expect(actual).toBeGreaterThan(C_CURVE(t + 0.01, cc.k, 20) + 5);
    });
  });

  it('starts a flat curve at the current window when congestion avoidance begins without a loss', () => {
    const cc = afterLoss(10); // window 8400
    // A new loss reduces 8400 to 5880; being persistent, the window then drops to the minimum and
    // ssthresh to 0.7 x 5880.
    cc.onCongestionEvent(100, 100, true, MTU);
    expect(cc.window).toBe(2400);
    expect(cc.ssthresh).toBe(4116);
    expect(cc.recoveryStartTime).toBeUndefined();
    const rtt = rttOf(100);
    cc.onAck(200, 150, 3600, false, rtt); // 6000 >= ssthresh 4116: congestion avoidance from here
    expect(cc.window).toBe(6000);
    cc.onAck(1000, 150, MTU, false, rtt); // first CA ACK sets the epoch: W_max = 6000, K = 0
    expect(cc.recoveryStartTime).toBe(1000);
    expect(cc.wMax).toBe(6000);
    expect(cc.k).toBe(0);
    // W_cubic(t) = W_max + C t^3: after 3 s the curve is 10.8 packets above W_max. With a 300 ms
    // RTT that is above the Reno-friendly estimate, so the window follows the cubic curve.
    runAckClocked(cc, 300, 1000, 4000, () => {});
    const expected = C_CURVE(3, 0, 5);
    expect(wEst(3, 0.3, cc.wMax, MTU) / MTU).toBeLessThan(expected - 5);
    expect(Math.abs(cc.window / MTU - expected)).toBeLessThanOrEqual(2);
  });

  it('does not grow when application-limited or for packets sent before recovery', () => {
    const cc = afterLoss(100);
    const before = cc.window;
    cc.onAck(5000, 3000, MTU, true, rttOf(100));
    cc.onAck(5000, 0, MTU, false, rttOf(100));
    expect(cc.window).toBe(before);
    // A loss of a packet sent before the recovery period began is ignored.
    cc.onCongestionEvent(10, 0, false, MTU);
    expect(cc.window).toBe(before);
  });

  it('grows at most one datagram per ACK in congestion avoidance (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 500 }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 500 }), rtt: fc.integer({ min: 1, max: 600 }) }), {
          maxLength: 300,
        }),
        (packets, acks) => {
          const cc = afterLoss(packets);
          let now = 0;
          for (const a of acks) {
            now += a.dt;
            const before = cc.window;
            cc.onAck(now, now - 0.5 > 0 ? now - 0.5 : 0.5, MTU, false, rttOf(a.rtt));
            const grown = cc.window - before;
            expect(grown === 0 || grown === MTU).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('collapses to the minimum window on persistent congestion', () => {
    const cc = afterLoss(100);
    cc.onCongestionEvent(5000, 4000, true, MTU);
    // The loss first reduces 84000 to 0.7 x 84000 (58799 after flooring the binary product), then
    // persistent congestion sets W_max to that.
    const reduced = Math.floor(84000 * CUBIC_BETA);
    expect(cc.window).toBe(2400);
    expect(cc.wMax).toBe(reduced);
    expect(cc.ssthresh).toBe(Math.floor(reduced * CUBIC_BETA));
    cc.onAck(5100, 5050, 1200, false, rttOf(100));
    expect(cc.window).toBe(3600);
  });

  it('respects the minimum window and MTU changes', () => {
    const cc = new Cubic({ initialWindow: 3000 });
    cc.onCongestionEvent(10, 5, false, MTU);
    expect(cc.window).toBe(2400);
    cc.onMtuChange(1500);
    expect(cc.window).toBe(3000);
    expect(cc.mtu).toBe(1500);
  });

  it('clones independently and resets', () => {
    const cc = afterLoss(100);
    const copy = cc.clone();
    copy.onCongestionEvent(100, 50, false, MTU);
    expect(copy.window).toBe(Math.floor(84000 * 0.7));
    expect(cc.window).toBe(84000);
    expect(copy.k).not.toBe(cc.k);
    cc.reset();
    expect(cc.window).toBe(120000);
    expect(cc.ssthresh).toBe(Number.POSITIVE_INFINITY);
    expect(cc.wMax).toBe(0);
    expect(cc.recoveryStartTime).toBeUndefined();
  });
});

/** The RFC 9438 curve in datagrams: C (t - K)^3 + W_max, t and K in seconds. */
function C_CURVE(t: number, k: number, wMaxPackets: number): number {
  return CUBIC_C * (t - k) ** 3 + wMaxPackets;
}
