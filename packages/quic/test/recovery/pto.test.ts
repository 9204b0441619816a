import { describe, expect, it } from 'vitest';
import {
  backoffDuration,
  inPersistentCongestion,
  irohMaxPtoInterval,
  lossDetectionTimer,
  lossTimeAndSpace,
  type PtoInput,
  persistentCongestionDuration,
  ptoTimeAndSpace,
} from '../../src/proto/recovery/pto.js';
import { RttEstimator } from '../../src/proto/recovery/rtt.js';
import { SentPackets } from '../../src/proto/recovery/sent-packets.js';

/** An estimator with smoothed 100 ms and rttvar 50 ms: PTO base 300 ms. */
function rtt100(): RttEstimator {
  const rtt = new RttEstimator();
  rtt.update(100, 0, true, 25);
  return rtt;
}

const rttOfMs = (ms: number) => ({ smoothed: ms, latest: ms, rttvar: ms / 2, minRtt: ms });

const inFlight = (timeOfLastAckEliciting: number, count = 1) => ({
  ackElicitingInFlight: count,
  timeOfLastAckEliciting,
});

function input(over: Partial<PtoInput> = {}): PtoInput {
  return {
    rtt: rtt100(),
    ptoCount: 0,
    maxAckDelay: 25,
    handshakeConfirmed: true,
    peerCompletedAddressValidation: true,
    hasHandshakeKeys: true,
    spaces: {},
    ...over,
  };
}

describe('PTO (RFC 9002 §6.2, Appendix A.8)', () => {
  it('doubles the PTO with each expiry', () => {
    const times = [0, 1, 2, 3, 4].map(
      (ptoCount) => ptoTimeAndSpace(1000, input({ ptoCount, spaces: { handshake: inFlight(500) } }))?.time,
    );
    expect(times).toEqual([800, 1100, 1700, 2900, 5300]);
  });

  it('adds max_ack_delay, backed off, for Application Data only', () => {
    const app = ptoTimeAndSpace(0, input({ ptoCount: 2, spaces: { application: inFlight(100) } }));
    expect(app).toEqual({ time: 100 + (300 + 25) * 4, space: 'application' });
    const hs = ptoTimeAndSpace(0, input({ ptoCount: 2, spaces: { handshake: inFlight(100) } }));
    expect(hs).toEqual({ time: 100 + 300 * 4, space: 'handshake' });
  });

  it('picks the space whose PTO expires first', () => {
    const spaces = { initial: inFlight(0), handshake: inFlight(50), application: inFlight(10) };
    expect(ptoTimeAndSpace(60, input({ spaces }))).toEqual({ time: 300, space: 'initial' });
    const later = { initial: inFlight(40), handshake: inFlight(50), application: inFlight(10) };
    // Application: 10 + 325 = 335; Initial: 340; Handshake: 350.
    expect(ptoTimeAndSpace(60, input({ spaces: later }))).toEqual({ time: 335, space: 'application' });
  });

  it('does not arm the Application Data PTO before the handshake is confirmed', () => {
    const spaces = { handshake: inFlight(50), application: inFlight(10) };
    expect(ptoTimeAndSpace(60, input({ spaces, handshakeConfirmed: false }))).toEqual({
      time: 350,
      space: 'handshake',
    });
    expect(
      ptoTimeAndSpace(60, input({ spaces: { application: inFlight(10) }, handshakeConfirmed: false })),
    ).toBeUndefined();
  });

  it('skips spaces with nothing ack-eliciting in flight', () => {
    const spaces = {
      initial: { ackElicitingInFlight: 0, timeOfLastAckEliciting: 0 },
      handshake: inFlight(50),
    };
    expect(ptoTimeAndSpace(60, input({ spaces }))?.space).toBe('handshake');
  });

  it('arms nothing when nothing is in flight and the peer validated our address', () => {
    expect(ptoTimeAndSpace(60, input())).toBeUndefined();
  });

  it('arms the anti-deadlock PTO from now for a client the server has not validated', () => {
    const noKeys = input({ peerCompletedAddressValidation: false, hasHandshakeKeys: false, ptoCount: 1 });
    expect(ptoTimeAndSpace(1000, noKeys)).toEqual({ time: 1000 + 600, space: 'initial' });
    const withKeys = input({ peerCompletedAddressValidation: false, hasHandshakeKeys: true });
    expect(ptoTimeAndSpace(1000, withKeys)).toEqual({ time: 1300, space: 'handshake' });
    // Before any RTT sample: three times the 333 ms initial RTT.
    const fresh = input({
      rtt: new RttEstimator(),
      peerCompletedAddressValidation: false,
      hasHandshakeKeys: false,
    });
    expect(ptoTimeAndSpace(0, fresh)).toEqual({ time: 999, space: 'initial' });
  });

  it('caps the interval between probes when asked to (iroh)', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDuration(1000, n, 2000))).toEqual([
      1000, 2000, 4000, 6000, 8000, 10000,
    ]);
    expect([0, 1, 2, 3, 4].map((n) => backoffDuration(300, n, 1000))).toEqual([300, 600, 1200, 2200, 3200]);
    expect(backoffDuration(300, 3)).toBe(2400);
    // The exponent stops at 16.
    expect(backoffDuration(1, 40)).toBe(2 ** 16);
    const capped = ptoTimeAndSpace(
      0,
      input({ ptoCount: 4, maxInterval: 1000, spaces: { handshake: inFlight(0) } }),
    );
    expect(capped?.time).toBe(3200);
  });

  it('derives the iroh probe interval cap from RTT and idle timeout', () => {
    expect(irohMaxPtoInterval(100, 30_000)).toBe(2000);
    expect(irohMaxPtoInterval(100, undefined)).toBe(2000);
    expect(irohMaxPtoInterval(100, 25_000)).toBe(1000);
    expect(irohMaxPtoInterval(2000, 10_000)).toBe(3000);
  });
});

describe('loss detection timer (RFC 9002 Appendix A.8 SetLossDetectionTimer)', () => {
  it('prefers the earliest loss time over the PTO', () => {
    const base = input({ spaces: { handshake: inFlight(0) } });
    expect(lossTimeAndSpace({ initial: 90, application: 40 })).toEqual({ time: 40, space: 'application' });
    expect(
      lossDetectionTimer(0, { ...base, amplificationBlocked: false, lossTimes: { application: 900 } }),
    ).toEqual({
      time: 900,
      space: 'application',
      kind: 'loss',
    });
    expect(lossDetectionTimer(0, { ...base, amplificationBlocked: false, lossTimes: {} })).toEqual({
      time: 300,
      space: 'handshake',
      kind: 'pto',
    });
  });

  it('cancels the PTO of a server blocked by the amplification limit, but not loss timers', () => {
    const base = input({ spaces: { handshake: inFlight(0) } });
    expect(lossDetectionTimer(0, { ...base, amplificationBlocked: true, lossTimes: {} })).toBeUndefined();
    expect(
      lossDetectionTimer(0, { ...base, amplificationBlocked: true, lossTimes: { initial: 5 } })?.kind,
    ).toBe('loss');
  });
});

describe('persistent congestion (RFC 9002 §7.6)', () => {
  it('computes the duration with max_ack_delay in every space', () => {
    // (100 + max(4 * 50, 1) + 25) * 3
    expect(persistentCongestionDuration(rtt100(), 25)).toBe(975);
    expect(persistentCongestionDuration(rtt100(), 25, 2)).toBe(650);
  });

  it('establishes persistent congestion in the RFC 9002 §7.6.3 example', () => {
    // The example assumes smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay = 2 s, so
    // the duration is 6 s. Times in the RFC are seconds; here ms. Packets 1-7 go at t = 0..6,
    // #8 at 8 (PTO 1), #9 at 12 (PTO 2); #1 is acknowledged at 1.2, #9 at 12.2.
    const rtt = new RttEstimator(2000 / 3);
    rtt.update(2000 / 3, 0, true, 0); // smoothed 666.7 + 4 * rttvar 333.3 = 2000
    expect(persistentCongestionDuration(rtt, 0)).toBeCloseTo(6000, 9);
    const sp = new SentPackets<null>();
    const send = (pn: number, t: number) =>
      sp.onSent({ pn, timeSent: t, size: 1200, ackEliciting: true, inFlight: true, payload: null });
    send(1, 0);
    send(2, 1000);
    sp.onAck([[1, 1]]);
    for (let pn = 3; pn <= 7; pn++) send(pn, (pn - 1) * 1000);
    send(8, 8000);
    send(9, 12000);
    sp.onAck([[9, 9]]);
    const r = sp.detectLost(12200, rtt);
    // "Packets 2 through 8 are declared lost when the acknowledgment for packet 9 is received."
    expect(r.lost.map((p) => p.pn)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(r.runStarts).toEqual([0]);
    // The example's period runs from #2 to #8: 7 s > 6 s. That holds when an RTT sample already
    // existed when #2 was sent (say from an earlier exchange at t = 0).
    expect(inPersistentCongestion(r.lost, r.runStarts, 6000, 0)).toBe(true);
    // If the ACK at 1.2 s gave the first sample, §7.6.2 leaves #2 out: #3..#8 span exactly 6 s,
    // which does not exceed the duration.
    expect(inPersistentCongestion(r.lost, r.runStarts, 6000, 1200)).toBe(false);
    expect(inPersistentCongestion(r.lost, r.runStarts, 5999, 1200)).toBe(true);
    // Without any RTT sample there is no persistent congestion.
    expect(inPersistentCongestion(r.lost, r.runStarts, 6000, undefined)).toBe(false);
  });

  it('is not established when an acknowledgement interrupts the losses', () => {
    const sp = new SentPackets<null>();
    for (let pn = 0; pn <= 9; pn++) {
      sp.onSent({ pn, timeSent: pn * 1000, size: 1200, ackEliciting: true, inFlight: true, payload: null });
    }
    sp.onAck([
      [9, 9],
      [5, 5],
    ]);
    const r = sp.detectLost(20_000, rttOfMs(100));
    expect(r.lost.map((p) => p.pn)).toEqual([0, 1, 2, 3, 4, 6, 7, 8]);
    // 0..8 would span 8 s, but the runs 0..4 and 6..8 span only 4 s and 2 s.
    expect(inPersistentCongestion(r.lost, r.runStarts, 6000, 0)).toBe(false);
    expect(inPersistentCongestion(r.lost, r.runStarts, 3999, 0)).toBe(true);
  });

  const lost = (times: number[], ackEliciting = true) =>
    times.map((timeSent) => ({ timeSent, ackEliciting }));

  it('requires the span to exceed the duration strictly', () => {
    expect(inPersistentCongestion(lost([100, 1100]), [0], 1000, 0)).toBe(false);
    expect(inPersistentCongestion(lost([100, 1100.5]), [0], 1000, 0)).toBe(true);
  });

  it('does not span an acknowledged packet', () => {
    // Two runs of 600 ms each: together 1400 ms, but an ACK in between breaks the period.
    expect(inPersistentCongestion(lost([0, 300, 600, 800, 1100, 1400]), [0, 3], 1000, 0)).toBe(false);
    expect(inPersistentCongestion(lost([0, 300, 600, 800, 1100, 1400]), [0], 1000, 0)).toBe(true);
  });

  it('only counts ack-eliciting packets sent at or after the first RTT sample', () => {
    const packets = [
      { timeSent: 0, ackEliciting: true },
      { timeSent: 500, ackEliciting: true },
      { timeSent: 1200, ackEliciting: true },
      { timeSent: 2000, ackEliciting: false },
    ];
    // Span from 0 would be 1200 > 1000, but 0 precedes the first sample at 100.
    expect(inPersistentCongestion(packets, [0], 1000, 100)).toBe(false);
    expect(inPersistentCongestion(packets, [0], 1000, 0)).toBe(true);
    // The non-ack-eliciting packet at 2000 does not extend the span.
    expect(inPersistentCongestion(packets, [0], 1000, 500)).toBe(false);
    expect(inPersistentCongestion(lost([0, 5000], false), [0], 1000, 0)).toBe(false);
  });
});
