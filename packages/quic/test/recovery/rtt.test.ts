import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INITIAL_RTT, RttEstimator, TIMER_GRANULARITY } from '../../src/proto/recovery/rtt.js';

describe('RttEstimator (RFC 9002 §5)', () => {
  it('starts from the 333 ms initial RTT', () => {
    const rtt = new RttEstimator();
    expect(DEFAULT_INITIAL_RTT).toBe(333);
    expect(rtt.hasSample).toBe(false);
    expect(rtt.latest).toBe(333);
    expect(rtt.smoothed).toBe(333);
    expect(rtt.rttvar).toBe(166.5);
    expect(rtt.minRtt).toBe(333);
    // RFC 9002 §6.2.2: the initial PTO is 3 x the initial RTT (smoothed + 4 * rttvar).
    expect(rtt.ptoBase()).toBe(999);
    expect(rtt.pto(25)).toBe(1024);
  });

  it('first sample sets smoothed = latest and rttvar = latest / 2, ignoring ack delay', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 50, true, 25);
    expect(rtt.hasSample).toBe(true);
    expect(rtt.latest).toBe(100);
    expect(rtt.smoothed).toBe(100);
    expect(rtt.rttvar).toBe(50);
    expect(rtt.minRtt).toBe(100);
  });

  it('subtracts the ack delay when that stays at or above min_rtt', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, true, 25);
    rtt.update(130, 20, true, 25);
    // adjusted = 110; rttvar = 3/4 * 50 + 1/4 * |100 - 110|; smoothed = 7/8 * 100 + 1/8 * 110
    expect(rtt.rttvar).toBe(40);
    expect(rtt.smoothed).toBe(101.25);
    expect(rtt.latest).toBe(130);
    expect(rtt.minRtt).toBe(100);
  });

  it('does not subtract the ack delay if that would go below min_rtt', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, true, 25);
    rtt.update(110, 20, true, 25); // 110 - 20 = 90 < min_rtt 100: use 110
    expect(rtt.smoothed).toBe(101.25);
    expect(rtt.rttvar).toBe(40);
  });

  it('subtracts exactly down to min_rtt', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, true, 25);
    rtt.update(120, 20, true, 25); // 120 >= 100 + 20: adjusted 100
    expect(rtt.smoothed).toBe(100);
    expect(rtt.rttvar).toBe(37.5);
  });

  it('caps the ack delay at max_ack_delay only once the handshake is confirmed', () => {
    const confirmed = new RttEstimator();
    confirmed.update(100, 0, true, 25);
    confirmed.update(200, 80, true, 25); // delay capped to 25: adjusted 175
    expect(confirmed.smoothed).toBe(87.5 + 175 / 8);

    const unconfirmed = new RttEstimator();
    unconfirmed.update(100, 0, false, 25);
    unconfirmed.update(200, 80, false, 25); // max_ack_delay ignored: adjusted 120
    expect(unconfirmed.smoothed).toBe(87.5 + 120 / 8);
  });

  it('keeps min_rtt unadjusted by ack delay', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, true, 25);
    rtt.update(60, 10, true, 25);
    expect(rtt.minRtt).toBe(60);
    // 60 < 60 + 10, so no subtraction either.
    expect(rtt.smoothed).toBe(87.5 + 60 / 8);
  });

  it('puts a 1 ms floor under the variance term of the PTO', () => {
    const rtt = new RttEstimator();
    rtt.update(0.1, 0, true, 25);
    expect(4 * rtt.rttvar).toBeLessThan(TIMER_GRANULARITY);
    expect(rtt.ptoBase()).toBeCloseTo(0.1 + TIMER_GRANULARITY, 12);
    expect(rtt.pto(25)).toBeCloseTo(26.1, 12);
  });

  it('converges on a steady RTT with vanishing variance', () => {
    const rtt = new RttEstimator();
    rtt.update(200, 0, true, 25);
    for (let i = 0; i < 200; i++) rtt.update(50, 0, true, 25);
    expect(rtt.smoothed).toBeCloseTo(50, 6);
    expect(rtt.rttvar).toBeLessThan(1e-6);
    expect(rtt.ptoBase()).toBeCloseTo(51, 6);
  });

  it('conservative RTT is max(smoothed, latest)', () => {
    const rtt = new RttEstimator();
    rtt.update(100, 0, true, 25);
    rtt.update(300, 0, true, 25);
    expect(rtt.smoothed).toBe(125);
    expect(rtt.conservative).toBe(300);
    rtt.update(10, 0, true, 25);
    expect(rtt.conservative).toBe(rtt.smoothed);
  });

  it('treats negative or NaN samples as zero', () => {
    const rtt = new RttEstimator();
    rtt.update(-5, 0, true, 25);
    expect(rtt.latest).toBe(0);
    expect(rtt.smoothed).toBe(0);
    rtt.update(Number.NaN, 0, true, 25);
    expect(rtt.latest).toBe(0);
    expect(rtt.smoothed).toBe(0);
  });

  it('resets the initial RTT only before the first sample', () => {
    const rtt = new RttEstimator();
    expect(rtt.resetInitialRtt(50)).toBe(true);
    expect(rtt.smoothed).toBe(50);
    expect(rtt.rttvar).toBe(25);
    expect(rtt.initialRtt).toBe(50);
    rtt.update(80, 0, true, 25);
    expect(rtt.resetInitialRtt(10)).toBe(false);
    expect(rtt.smoothed).toBe(80);
    expect(() => new RttEstimator(-1)).toThrow(RangeError);
  });

  it('clones independently', () => {
    const a = new RttEstimator(100);
    a.update(40, 0, true, 25);
    const b = a.clone();
    b.update(400, 0, true, 25);
    expect(a.smoothed).toBe(40);
    expect(a.latest).toBe(40);
    expect(b.smoothed).toBe(85);
    expect(b.minRtt).toBe(40);
    expect(b.initialRtt).toBe(100);
  });

  it('keeps estimates within the range of samples (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sample: fc.double({ min: 0, max: 10_000, noNaN: true }),
            delay: fc.double({ min: 0, max: 1_000, noNaN: true }),
            confirmed: fc.boolean(),
          }),
          { minLength: 1, maxLength: 50 },
        ),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (samples, maxAckDelay) => {
          const rtt = new RttEstimator();
          let lo = Number.POSITIVE_INFINITY;
          let hi = 0;
          for (const s of samples) {
            rtt.update(s.sample, s.delay, s.confirmed, maxAckDelay);
            lo = Math.min(lo, s.sample);
            hi = Math.max(hi, s.sample);
            expect(rtt.minRtt).toBe(lo);
            expect(rtt.latest).toBe(s.sample);
            // Adjusted samples never drop below min_rtt, so neither does the average.
            expect(rtt.smoothed).toBeGreaterThanOrEqual(lo * (1 - 1e-12));
            expect(rtt.smoothed).toBeLessThanOrEqual(hi * (1 + 1e-12));
            expect(rtt.rttvar).toBeGreaterThanOrEqual(0);
            expect(rtt.ptoBase()).toBeGreaterThanOrEqual(rtt.smoothed + TIMER_GRANULARITY);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
