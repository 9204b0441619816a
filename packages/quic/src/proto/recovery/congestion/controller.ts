/**
 * The congestion controller interface shared by {@link NewReno} and {@link Cubic} (RFC 9002 §7).
 * Windows are in bytes, times in ms; controllers are sans-IO state machines.
 */
import type { RttView } from '../rtt.js';

/** Datagram size assumed before path MTU discovery (QUIC's minimum, RFC 9000 §14). */
export const BASE_DATAGRAM_SIZE = 1200;

/**
 * The RFC 9002 §7.2 initial window for a maximum datagram size `mtu`:
 * `min(10 * mtu, max(14720, 2 * mtu))`.
 */
export function initialWindowFor(mtu: number): number {
  return Math.min(10 * mtu, Math.max(14720, 2 * mtu));
}

/** The RFC 9002 §7.2 minimum window: two maximum-size datagrams. */
export function minimumWindowFor(mtu: number): number {
  return 2 * mtu;
}

/** A congestion controller: decides how many bytes may be in flight. */
export interface CongestionController {
  /** Congestion window: bytes of in-flight packets that may be outstanding. */
  readonly window: number;
  /** Slow start threshold in bytes; `Infinity` until the first congestion event. */
  readonly ssthresh: number;
  /** The window the controller started with (and returns to on {@link reset}). */
  readonly initialWindow: number;
  /** An in-flight packet of `bytes` was sent at `now`. */
  onPacketSent(now: number, bytes: number): void;
  /**
   * An in-flight packet of `bytes`, sent at `sentTime`, was acknowledged at `now`. `appLimited`
   * says the sender was not using the window before this ACK (then the window does not grow).
   */
  onAck(now: number, sentTime: number, bytes: number, appLimited: boolean, rtt: RttView): void;
  /**
   * Packets were declared lost at `now`; `sentTime` is when the most recently sent of them was sent
   * (a loss of a packet sent before the current recovery period started is ignored).
   */
  onCongestionEvent(now: number, sentTime: number, isPersistentCongestion: boolean, lostBytes: number): void;
  /** The maximum datagram size of the path changed to `mtu` bytes. */
  onMtuChange(mtu: number): void;
  /** An independent copy with the same state. */
  clone(): CongestionController;
  /** Returns to the initial state, keeping the current MTU (e.g. after migrating to a new path). */
  reset(): void;
}

/** Builds a controller for a new path whose maximum datagram size is `mtu`, at time `now`. */
export type CongestionControllerFactory = (now: number, mtu: number) => CongestionController;
