/**
 * A token-bucket pacer in the manner of quinn/noq (RFC 9002 §7.7): the bucket refills at 5/4 of one
 * congestion window per smoothed RTT and holds a burst of about 2 ms of that rate, at least 10 and
 * at most 256 datagrams, but never more than 10 ms worth (nor less than one datagram). Sans-IO: the
 * caller supplies `now` and asks when the next packet may go. Times are ms, sizes bytes.
 */

/** Period of traffic sent back to back on a fast path, ms. */
export const PACING_TARGET_BURST_INTERVAL = 2;
/** Longest period of traffic sent back to back on a slow path, ms. */
export const PACING_MAX_BURST_INTERVAL = 10;
/** Smallest burst in datagrams, unless that exceeds {@link PACING_MAX_BURST_INTERVAL}. */
export const PACING_MIN_BURST_SIZE = 10;
/** Largest burst in datagrams. */
export const PACING_MAX_BURST_SIZE = 256;
/** How much faster than one window per RTT the bucket refills (RFC 9002 §7.7 `N`). */
export const PACING_RATE_FACTOR = 1.25;

/** Windows above this are not paced at all (as in quinn). */
const UNPACED_WINDOW = 2 ** 32 - 1;
/** Tolerance for floating-point token arithmetic, bytes. */
const EPSILON = 1e-6;

/**
 * The bucket capacity for a window of `window` bytes per `smoothedRtt` ms and datagrams of `mtu`
 * bytes: the 2 ms burst clamped to [10, 256] datagrams, then capped at `max(10 ms worth, mtu)`.
 */
export function pacerCapacity(window: number, smoothedRtt: number, mtu: number): number {
  const rate = window / Math.max(smoothedRtt, 1e-6); // bytes per ms
  const target = Math.floor(rate * PACING_TARGET_BURST_INTERVAL);
  const max = Math.max(Math.floor(rate * PACING_MAX_BURST_INTERVAL), mtu);
  const clamped = Math.min(Math.max(target, PACING_MIN_BURST_SIZE * mtu), PACING_MAX_BURST_SIZE * mtu);
  return Math.min(max, clamped);
}

/** A token-bucket pacer for one path. */
export class Pacer {
  #capacity: number;
  #tokens: number;
  #prev: number;

  /** Starts with a full bucket, so the first packets are never delayed. */
  constructor(smoothedRtt: number, window: number, mtu: number, now: number) {
    this.#capacity = pacerCapacity(window, smoothedRtt, mtu);
    this.#tokens = this.#capacity;
    this.#prev = now;
  }

  /** Burst capacity in bytes (as of the last {@link nextSendTime}). */
  get capacity(): number {
    return this.#capacity;
  }

  /** Bytes that may currently be sent without waiting (as of the last {@link nextSendTime}). */
  get tokens(): number {
    return this.#tokens;
  }

  /** A packet of `bytes` was sent: spend its tokens. */
  onTransmit(bytes: number): void {
    this.#tokens = Math.max(0, this.#tokens - bytes);
  }

  /**
   * The earliest time a packet of `bytes` may be sent: `now` if it may go right away, otherwise the
   * time the bucket will be full again (call again then; calling earlier never moves that time
   * later). The capacity follows the current window, RTT and MTU, and the tokens never exceed it.
   * Windows above 2^32 - 1 bytes and a zero RTT are not paced.
   *
   * @param window the congestion window in bytes.
   */
  nextSendTime(now: number, bytes: number, window: number, smoothedRtt: number, mtu: number): number {
    this.#capacity = pacerCapacity(window, smoothedRtt, mtu);
    // A clock that went backwards adds nothing.
    const elapsed = Math.max(0, now - this.#prev);
    this.#prev = Math.max(this.#prev, now);
    if (window > UNPACED_WINDOW || !(smoothedRtt > 0) || !(window > 0)) {
      this.#tokens = this.#capacity;
      return now;
    }
    const rate = (window * PACING_RATE_FACTOR) / smoothedRtt; // bytes per ms
    this.#tokens = Math.min(this.#tokens + rate * elapsed, this.#capacity);
    // A packet larger than the whole bucket goes once the bucket is full.
    if (this.#tokens + EPSILON >= Math.min(bytes, this.#capacity)) return now;
    // Wait until the bucket is full again, so packets leave in bursts of about one capacity rather
    // than one by one.
    return now + (this.#capacity - this.#tokens) / rate;
  }
}
