/**
 * Probe timeout across the three packet number spaces (RFC 9002 §6.2, Appendix A.8), the loss
 * detection timer that combines it with time-threshold loss (Appendix A.8 `SetLossDetectionTimer`),
 * and persistent congestion (RFC 9002 §7.6). Pure functions of their inputs; times are ms.
 */
import { type RttEstimator, TIMER_GRANULARITY } from './rtt.js';

/** Persistent congestion threshold (RFC 9002 §7.6.1 `kPersistentCongestionThreshold`). */
export const DEFAULT_PERSISTENT_CONGESTION_THRESHOLD = 3;

/** Largest exponent of the PTO backoff, keeping `2^pto_count` finite (as noq does). */
export const MAX_PTO_BACKOFF_EXPONENT = 16;

/** Packet number spaces, in the order PTO considers them. */
export type PacketSpace = 'initial' | 'handshake' | 'application';

/** The three packet number spaces, in order. */
export const PACKET_SPACES: readonly PacketSpace[] = ['initial', 'handshake', 'application'];

/** What PTO needs to know about one packet number space. */
export interface PtoSpaceState {
  /** Number of ack-eliciting packets in flight in the space (0 once the space is discarded). */
  readonly ackElicitingInFlight: number;
  /** Send time of the space's most recent ack-eliciting packet, undefined if none. */
  readonly timeOfLastAckEliciting: number | undefined;
}

/** Inputs to {@link ptoTimeAndSpace}. */
export interface PtoInput {
  /** The path's RTT estimator. */
  readonly rtt: RttEstimator;
  /** Consecutive PTO expirations without an acknowledgement (RFC 9002 `pto_count`). */
  readonly ptoCount: number;
  /** The peer's `max_ack_delay`, ms; added for the Application Data space only. */
  readonly maxAckDelay: number;
  /** Whether the handshake is confirmed; until then no Application Data PTO is armed. */
  readonly handshakeConfirmed: boolean;
  /**
   * Whether the peer has validated our address (RFC 9002 `PeerCompletedAddressValidation`): always
   * true for a server; for a client, once it has handshake-level or 1-RTT acknowledgements, or has
   * discarded handshake keys with 1-RTT keys in hand.
   */
  readonly peerCompletedAddressValidation: boolean;
  /** Whether we have Handshake keys (selects the space of an anti-deadlock probe). */
  readonly hasHandshakeKeys: boolean;
  /** Per space state; an absent or discarded space has nothing in flight. */
  readonly spaces: Readonly<Partial<Record<PacketSpace, PtoSpaceState>>>;
  /**
   * Optional cap on the time between two successive probes (iroh/noq cap it, see
   * {@link irohMaxPtoInterval}); without it the backoff is the plain RFC 9002 doubling.
   */
  readonly maxInterval?: number;
}

/** A timer deadline and the packet number space it belongs to. */
export interface SpaceDeadline {
  readonly time: number;
  readonly space: PacketSpace;
}

/**
 * The PTO duration after `ptoCount` expirations: `base * 2^ptoCount` (RFC 9002 §6.2.1), the exponent
 * capped at {@link MAX_PTO_BACKOFF_EXPONENT}. With `maxInterval`, each doubling step adds at most
 * `maxInterval`, so successive probes are never more than `maxInterval` apart.
 */
export function backoffDuration(base: number, ptoCount: number, maxInterval?: number): number {
  const count = Math.max(0, Math.floor(ptoCount));
  if (maxInterval === undefined) return base * 2 ** Math.min(count, MAX_PTO_BACKOFF_EXPONENT);
  let duration = base;
  for (let i = 1; i <= count; i++) {
    const exponential = base * 2 ** Math.min(i, MAX_PTO_BACKOFF_EXPONENT);
    const capped = duration + maxInterval;
    if (exponential >= capped) {
      // Every later step also grows by exactly `maxInterval`.
      return capped + (count - i) * maxInterval;
    }
    duration = exponential;
  }
  return duration;
}

/**
 * iroh's (noq's) cap on the interval between probes: 1.5 × the smoothed RTT on links slower than
 * 4/3 s, 1 s when the idle timeout is at most 25 s, else 2 s.
 *
 * @param idleTimeout the negotiated idle timeout in ms, undefined if none.
 */
export function irohMaxPtoInterval(smoothedRtt: number, idleTimeout: number | undefined): number {
  const maxInterval = 2000;
  if (smoothedRtt > (maxInterval * 2) / 3) return (smoothedRtt * 3) / 2;
  if (idleTimeout !== undefined && idleTimeout <= 25_000) return 1000;
  return maxInterval;
}

/**
 * When the PTO fires and for which space (RFC 9002 Appendix A.8 `GetPtoTimeAndSpace`).
 *
 * With no ack-eliciting packet in flight in any space, a client whose address the peer has not yet
 * validated arms an anti-deadlock PTO from `now`, in the Handshake space if it has Handshake keys
 * and in the Initial space otherwise (RFC 9002 §6.2.2.1); in every other such case nothing is armed.
 * Otherwise the earliest of `time_of_last_ack_eliciting_packet + PTO` over the spaces with
 * ack-eliciting packets in flight wins, skipping Application Data until the handshake is confirmed
 * and adding `maxAckDelay` for it.
 *
 * @returns undefined when no PTO should be armed.
 */
export function ptoTimeAndSpace(now: number, input: PtoInput): SpaceDeadline | undefined {
  const { rtt, ptoCount, maxInterval, spaces } = input;
  let anyInFlight = false;
  for (const space of PACKET_SPACES) {
    if ((spaces[space]?.ackElicitingInFlight ?? 0) > 0) anyInFlight = true;
  }
  if (!anyInFlight) {
    if (input.peerCompletedAddressValidation) return undefined;
    const duration = backoffDuration(rtt.ptoBase(), ptoCount, maxInterval);
    return { time: now + duration, space: input.hasHandshakeKeys ? 'handshake' : 'initial' };
  }
  let best: SpaceDeadline | undefined;
  for (const space of PACKET_SPACES) {
    const state = spaces[space];
    if (state === undefined || state.ackElicitingInFlight <= 0) continue;
    if (state.timeOfLastAckEliciting === undefined) continue;
    if (space === 'application' && !input.handshakeConfirmed) continue;
    const base = space === 'application' ? rtt.pto(input.maxAckDelay) : rtt.ptoBase();
    const time = state.timeOfLastAckEliciting + backoffDuration(base, ptoCount, maxInterval);
    if (best === undefined || time < best.time) best = { time, space };
  }
  return best;
}

/** Inputs to {@link lossDetectionTimer}: PTO inputs plus per-space loss times. */
export interface LossTimerInput extends PtoInput {
  /** Per space `loss_time` (see `SentPackets.lossTime`). */
  readonly lossTimes: Readonly<Partial<Record<PacketSpace, number | undefined>>>;
  /** Whether a server is blocked by the anti-amplification limit (a client passes false). */
  readonly amplificationBlocked: boolean;
}

/** A loss detection timer deadline: time-threshold loss or a probe timeout. */
export interface LossTimerDeadline extends SpaceDeadline {
  readonly kind: 'loss' | 'pto';
}

/**
 * The earliest `loss_time` over the spaces and its space (RFC 9002 Appendix A.8
 * `GetLossTimeAndSpace`), or undefined if none is set.
 */
export function lossTimeAndSpace(
  lossTimes: Readonly<Partial<Record<PacketSpace, number | undefined>>>,
): SpaceDeadline | undefined {
  let best: SpaceDeadline | undefined;
  for (const space of PACKET_SPACES) {
    const time = lossTimes[space];
    if (time !== undefined && (best === undefined || time < best.time)) best = { time, space };
  }
  return best;
}

/**
 * Where to set the loss detection timer (RFC 9002 Appendix A.8 `SetLossDetectionTimer`): the
 * earliest loss time if any; otherwise nothing if amplification-blocked; otherwise the PTO of
 * {@link ptoTimeAndSpace}.
 *
 * @returns undefined when the timer should be cancelled.
 */
export function lossDetectionTimer(now: number, input: LossTimerInput): LossTimerDeadline | undefined {
  const loss = lossTimeAndSpace(input.lossTimes);
  if (loss !== undefined) return { ...loss, kind: 'loss' };
  if (input.amplificationBlocked) return undefined;
  const pto = ptoTimeAndSpace(now, input);
  return pto === undefined ? undefined : { ...pto, kind: 'pto' };
}

/**
 * The persistent congestion duration (RFC 9002 §7.6.1): `(smoothed_rtt + max(4 * rttvar,
 * kGranularity) + max_ack_delay) * threshold`. Unlike PTO it includes `max_ack_delay` whatever the
 * packet number space.
 */
export function persistentCongestionDuration(
  rtt: RttEstimator,
  maxAckDelay: number,
  threshold: number = DEFAULT_PERSISTENT_CONGESTION_THRESHOLD,
): number {
  return (rtt.smoothed + Math.max(4 * rtt.rttvar, TIMER_GRANULARITY) + maxAckDelay) * threshold;
}

/** What persistent congestion needs to know about a lost packet. */
export interface LostPacketInfo {
  readonly timeSent: number;
  readonly ackEliciting: boolean;
}

/**
 * Whether a batch of lost packets establishes persistent congestion (RFC 9002 §7.6.2): two
 * ack-eliciting lost packets, both sent at or after the first RTT sample, with no packet sent
 * between them acknowledged, sent more than `duration` apart.
 *
 * @param lost the lost packets in ascending packet number order (`LossResult.lost`).
 * @param runStarts indexes into `lost` where a run without acknowledged packets in between begins
 *   (`LossResult.runStarts`).
 * @param duration from {@link persistentCongestionDuration}.
 * @param firstRttSampleTime when the first RTT sample was taken; undefined means no sample yet, and
 *   then there is no persistent congestion.
 */
export function inPersistentCongestion(
  lost: readonly LostPacketInfo[],
  runStarts: readonly number[],
  duration: number,
  firstRttSampleTime: number | undefined,
): boolean {
  if (firstRttSampleTime === undefined) return false;
  for (let r = 0; r < runStarts.length; r++) {
    const end = runStarts[r + 1] ?? lost.length;
    let earliest = Number.POSITIVE_INFINITY;
    let latest = Number.NEGATIVE_INFINITY;
    for (let i = runStarts[r]!; i < end; i++) {
      const p = lost[i]!;
      if (!p.ackEliciting || p.timeSent < firstRttSampleTime) continue;
      earliest = Math.min(earliest, p.timeSent);
      latest = Math.max(latest, p.timeSent);
    }
    if (latest - earliest > duration) return true;
  }
  return false;
}
