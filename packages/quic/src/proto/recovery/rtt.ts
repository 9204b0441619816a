/**
 * Round-trip time estimation (RFC 9002 §5). All times are milliseconds as floating-point numbers.
 * Sans-IO: the estimator never reads a clock; the caller measures samples.
 */

/** Timer granularity assumed by loss detection and PTO (RFC 9002 §6.1.2 `kGranularity`): 1 ms. */
export const TIMER_GRANULARITY = 1;

/**
 * RTT assumed before any sample is taken: 333 ms, the RFC 9002 §6.2.2 recommendation and the
 * iroh/noq default.
 */
export const DEFAULT_INITIAL_RTT = 333;

/** Read-only view of the RTT estimates, which is all congestion control and loss detection need. */
export interface RttView {
  /** Most recent RTT sample, or the initial RTT before any sample. */
  readonly latest: number;
  /** Exponentially weighted moving average of the adjusted samples, or the initial RTT before any. */
  readonly smoothed: number;
  /** Mean deviation of the adjusted samples, or half the initial RTT before any. */
  readonly rttvar: number;
  /** Smallest sample seen, not adjusted for ack delay; the initial RTT before any sample. */
  readonly minRtt: number;
}

/**
 * The RTT estimator of one network path (RFC 9002 §5): `latest_rtt`, `min_rtt`, `smoothed_rtt` and
 * `rttvar`, and the probe timeout derived from them.
 */
export class RttEstimator implements RttView {
  #initial: number;
  #latest: number;
  #smoothed: number | undefined;
  #rttvar: number;
  #min: number;

  /** @param initialRtt the RTT to assume before the first sample, in ms (default 333). */
  constructor(initialRtt: number = DEFAULT_INITIAL_RTT) {
    if (!(initialRtt >= 0) || !Number.isFinite(initialRtt)) {
      throw new RangeError(`invalid initial RTT: ${initialRtt}`);
    }
    this.#initial = initialRtt;
    this.#latest = initialRtt;
    this.#smoothed = undefined;
    this.#rttvar = initialRtt / 2;
    this.#min = initialRtt;
  }

  /** The initial RTT this estimator was created (or last {@link resetInitialRtt reset}) with. */
  get initialRtt(): number {
    return this.#initial;
  }

  /** Most recent RTT sample, or the initial RTT before any sample. */
  get latest(): number {
    return this.#latest;
  }

  /** Smoothed RTT (RFC 9002 §5.3), or the initial RTT before any sample. */
  get smoothed(): number {
    return this.#smoothed ?? this.#initial;
  }

  /** RTT variation (RFC 9002 §5.3), or half the initial RTT before any sample. */
  get rttvar(): number {
    return this.#rttvar;
  }

  /** Minimum RTT seen (RFC 9002 §5.2), never adjusted for ack delay; the initial RTT before any sample. */
  get minRtt(): number {
    return this.#min;
  }

  /** Whether at least one RTT sample has been taken. */
  get hasSample(): boolean {
    return this.#smoothed !== undefined;
  }

  /**
   * `max(smoothed_rtt, latest_rtt)`: the RTT that the time threshold of loss detection scales
   * (RFC 9002 §6.1.2).
   */
  get conservative(): number {
    return Math.max(this.smoothed, this.#latest);
  }

  /**
   * Replaces the initial RTT, but only while no sample has been taken (for example from the
   * round trip of a path challenge on a fresh path). Returns whether it took effect.
   */
  resetInitialRtt(initialRtt: number): boolean {
    if (this.#smoothed !== undefined) return false;
    if (!(initialRtt >= 0) || !Number.isFinite(initialRtt)) {
      throw new RangeError(`invalid initial RTT: ${initialRtt}`);
    }
    this.#initial = initialRtt;
    this.#latest = initialRtt;
    this.#rttvar = initialRtt / 2;
    this.#min = initialRtt;
    return true;
  }

  /**
   * Takes an RTT sample (RFC 9002 §5.3 and Appendix A.7).
   *
   * The first sample sets `min_rtt = smoothed_rtt = latest` and `rttvar = latest / 2`, ignoring
   * the ack delay. Later samples lower `min_rtt` if smaller; the ack delay is capped at
   * `maxAckDelay` once the handshake is confirmed (before that the peer's `max_ack_delay` is
   * ignored), and is subtracted only if that does not take the sample below `min_rtt`.
   *
   * The caller decides which samples to take (the largest acknowledged packet was newly acked and
   * at least one newly acked packet was ack-eliciting) and should pass an `ackDelay` of 0 for ACKs
   * in the Initial and Handshake spaces, whose acknowledgements the peer does not delay.
   *
   * @param latestRtt time from sending the largest newly acknowledged packet to receiving the ACK, ms.
   * @param ackDelay the ACK frame's decoded ack delay, ms.
   * @param handshakeConfirmed whether the handshake is confirmed (RFC 9001 §4.1.2).
   * @param maxAckDelay the peer's `max_ack_delay` transport parameter, ms.
   */
  update(latestRtt: number, ackDelay: number, handshakeConfirmed: boolean, maxAckDelay: number): void {
    const latest = Number.isFinite(latestRtt) && latestRtt > 0 ? latestRtt : 0;
    this.#latest = latest;
    const smoothed = this.#smoothed;
    if (smoothed === undefined) {
      this.#min = latest;
      this.#smoothed = latest;
      this.#rttvar = latest / 2;
      return;
    }
    this.#min = Math.min(this.#min, latest);
    let delay = Number.isNaN(ackDelay) ? 0 : Math.max(ackDelay, 0);
    if (handshakeConfirmed) delay = Math.min(delay, maxAckDelay);
    const adjusted = latest >= this.#min + delay ? latest - delay : latest;
    this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(smoothed - adjusted);
    this.#smoothed = 0.875 * smoothed + 0.125 * adjusted;
  }

  /**
   * The PTO period without ack delay or backoff: `smoothed_rtt + max(4 * rttvar, kGranularity)`
   * (RFC 9002 §6.2.1). This is the PTO of the Initial and Handshake spaces.
   */
  ptoBase(): number {
    return this.smoothed + Math.max(4 * this.#rttvar, TIMER_GRANULARITY);
  }

  /**
   * The un-backed-off PTO duration of a space: {@link ptoBase} plus `maxAckDelay`. Pass the peer's
   * `max_ack_delay` for the Application Data space and 0 for the Initial and Handshake spaces.
   */
  pto(maxAckDelay: number): number {
    return this.ptoBase() + maxAckDelay;
  }

  /** An independent copy of this estimator. */
  clone(): RttEstimator {
    const c = new RttEstimator(this.#initial);
    c.#latest = this.#latest;
    c.#smoothed = this.#smoothed;
    c.#rttvar = this.#rttvar;
    c.#min = this.#min;
    return c;
  }
}
