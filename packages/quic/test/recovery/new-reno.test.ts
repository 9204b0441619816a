import { describe, expect, it } from 'vitest';
import { initialWindowFor, minimumWindowFor } from '../../src/proto/recovery/congestion/controller.js';
import { NewReno, newRenoFactory } from '../../src/proto/recovery/congestion/new-reno.js';
import { RttEstimator } from '../../src/proto/recovery/rtt.js';

const MTU = 1200;
const rtt = new RttEstimator(100);

/** One round trip: a window's worth of full-size packets sent at `t`, all acknowledged at `t + 100`. */
function round(cc: NewReno, t: number): void {
  const packets = Math.floor(cc.window / MTU);
  for (let i = 0; i < packets; i++) cc.onPacketSent(t, MTU);
  for (let i = 0; i < packets; i++) cc.onAck(t + 100, t, MTU, false, rtt);
}

describe('NewReno (RFC 9002 §7)', () => {
  it('starts from min(10 * mtu, max(14720, 2 * mtu))', () => {
    expect(initialWindowFor(1200)).toBe(12000);
    expect(initialWindowFor(1500)).toBe(14720);
    expect(initialWindowFor(9000)).toBe(18000);
    expect(minimumWindowFor(1200)).toBe(2400);
    const cc = new NewReno();
    expect(cc.window).toBe(12000);
    expect(cc.initialWindow).toBe(12000);
    expect(cc.ssthresh).toBe(Number.POSITIVE_INFINITY);
    expect(new NewReno({}, 1500).window).toBe(14720);
    expect(new NewReno({ initialWindow: 30000 }).window).toBe(30000);
    expect(newRenoFactory()(0, 9000).window).toBe(18000);
  });

  it('doubles the window every round trip in slow start', () => {
    const cc = new NewReno();
    const windows = [cc.window];
    for (let r = 0; r < 4; r++) {
      round(cc, r * 100);
      windows.push(cc.window);
    }
    expect(windows).toEqual([12000, 24000, 48000, 96000, 192000]);
  });

  it('does not grow while application-limited', () => {
    const cc = new NewReno();
    cc.onAck(100, 0, MTU, true, rtt);
    expect(cc.window).toBe(12000);
  });

  it('halves once per recovery period, keyed by the send time of the lost packet', () => {
    const cc = new NewReno();
    for (let r = 0; r < 3; r++) round(cc, r * 100);
    expect(cc.window).toBe(96000);

    cc.onCongestionEvent(400, 350, false, MTU);
    expect(cc.window).toBe(48000);
    expect(cc.ssthresh).toBe(48000);
    expect(cc.recoveryStartTime).toBe(400);

    // More losses of packets sent before recovery began: same congestion event.
    cc.onCongestionEvent(410, 399, false, MTU);
    cc.onCongestionEvent(420, 400, false, MTU);
    expect(cc.window).toBe(48000);
    // Neither do acknowledgements of such packets grow the window.
    cc.onAck(430, 400, 10 * MTU, false, rtt);
    expect(cc.window).toBe(48000);

    // A loss of a packet sent after recovery began is a new event.
    cc.onCongestionEvent(500, 401, false, MTU);
    expect(cc.window).toBe(24000);
    expect(cc.ssthresh).toBe(24000);
    expect(cc.recoveryStartTime).toBe(500);
  });

  it('grows one datagram per window acknowledged in congestion avoidance', () => {
    const cc = new NewReno();
    round(cc, 0); // 24000
    round(cc, 100); // 48000
    round(cc, 200); // 96000
    cc.onCongestionEvent(300, 250, false, MTU); // 48000, ssthresh 48000
    for (let i = 0; i < 39; i++) cc.onAck(400, 301, MTU, false, rtt);
    expect(cc.window).toBe(48000);
    cc.onAck(400, 301, MTU, false, rtt);
    expect(cc.window).toBe(49200);
    for (let i = 0; i < 40; i++) cc.onAck(500, 401, MTU, false, rtt);
    expect(cc.window).toBe(49200);
    cc.onAck(500, 401, MTU, false, rtt);
    expect(cc.window).toBe(50400);
    // Roughly one datagram per round trip from then on.
    for (let r = 0; r < 10; r++) round(cc, 600 + r * 100);
    expect(cc.window).toBe(50400 + 10 * MTU);
  });

  it('counts bytes beyond ssthresh at the end of slow start towards congestion avoidance', () => {
    const cc = new NewReno();
    round(cc, 0);
    round(cc, 100);
    round(cc, 200);
    cc.onCongestionEvent(300, 250, false, MTU); // window = ssthresh = 48000
    cc.onCongestionEvent(310, 310, true, MTU); // persistent: window 2400, ssthresh 24000, slow start
    expect(cc.window).toBe(2400);
    expect(cc.ssthresh).toBe(24000);
    cc.onAck(400, 320, 21000, false, rtt); // 23400: still slow start
    expect(cc.window).toBe(23400);
    cc.onAck(400, 320, 2400, false, rtt); // 25800: 1800 bytes already count
    expect(cc.window).toBe(25800);
    cc.onAck(400, 320, 25800 - 1800 - 1, false, rtt);
    expect(cc.window).toBe(25800);
    cc.onAck(400, 320, 1, false, rtt);
    expect(cc.window).toBe(27000);
  });

  it('never goes below the minimum window', () => {
    const cc = new NewReno();
    const windows: number[] = [];
    for (let i = 0; i < 5; i++) {
      cc.onCongestionEvent(100 * (i + 1), 100 * (i + 1) - 1, false, MTU);
      windows.push(cc.window);
    }
    expect(windows).toEqual([6000, 3000, 2400, 2400, 2400]);
  });

  it('collapses to the minimum window on persistent congestion and slow-starts again', () => {
    const cc = new NewReno();
    round(cc, 0);
    round(cc, 100); // 48000
    cc.onCongestionEvent(200, 150, true, 10 * MTU);
    expect(cc.window).toBe(2400);
    expect(cc.ssthresh).toBe(24000);
    expect(cc.recoveryStartTime).toBeUndefined();
    // Persistent congestion applies even when declared during an existing recovery period.
    const other = new NewReno();
    other.onCongestionEvent(100, 50, false, MTU);
    other.onCongestionEvent(110, 60, true, MTU);
    expect(other.window).toBe(2400);
    expect(other.ssthresh).toBe(6000);
    // Back in slow start: the window grows by the bytes acknowledged.
    cc.onAck(300, 250, 2400, false, rtt);
    expect(cc.window).toBe(4800);
  });

  it('raises the window to the new minimum when the MTU grows', () => {
    const cc = new NewReno();
    cc.onCongestionEvent(10, 5, true, MTU);
    expect(cc.window).toBe(2400);
    cc.onMtuChange(1500);
    expect(cc.mtu).toBe(1500);
    expect(cc.window).toBe(3000);
    cc.onMtuChange(1200);
    expect(cc.window).toBe(3000);
  });

  it('clones independently and resets to the initial state', () => {
    const cc = new NewReno();
    round(cc, 0);
    cc.onCongestionEvent(200, 150, false, MTU);
    const copy = cc.clone();
    expect(copy.window).toBe(cc.window);
    expect(copy.ssthresh).toBe(cc.ssthresh);
    expect(copy.recoveryStartTime).toBe(200);
    copy.onCongestionEvent(300, 250, false, MTU);
    expect(copy.window).toBe(6000);
    expect(cc.window).toBe(12000);
    cc.reset();
    expect(cc.window).toBe(12000);
    expect(cc.ssthresh).toBe(Number.POSITIVE_INFINITY);
    expect(cc.recoveryStartTime).toBeUndefined();
    cc.onAck(10, 0, MTU, false, rtt);
    expect(cc.window).toBe(13200);
  });
});
