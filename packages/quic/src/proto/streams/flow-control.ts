/**
 * Flow control (RFC 9000 §4) for one stream or the whole connection.
 *
 * {@link RecvWindow} is our limit on the peer: it rejects data beyond the advertised maximum and decides
 * when to advertise more. Its window grows (doubling, up to a maximum) when the application consumes
 * data faster than one window per two round trips, as quinn and noq auto-tune. {@link SendWindow}
 * tracks the peer's limit on us and when to say we are blocked.
 */

/** Our receive limit for the peer. */
export class RecvWindow {
  /** The limit we have advertised (MAX_DATA / MAX_STREAM_DATA value). */
  advertised: number;
  /** The highest offset the peer has sent (end of the highest byte). */
  received = 0;
  /** Bytes the application has consumed. */
  consumed = 0;
  private window: number;
  private readonly maxWindow: number;
  private lastUpdateAt: number | undefined;

  constructor(initialWindow: number, maxWindow = initialWindow) {
    this.window = initialWindow;
    this.maxWindow = Math.max(initialWindow, maxWindow);
    this.advertised = initialWindow;
  }

  /** The current window size. */
  get windowSize(): number {
    return this.window;
  }

  /**
   * Records that the peer sent data up to `end`. Returns the number of new bytes counted against the
   * limit, or -1 when `end` exceeds what we advertised (a FLOW_CONTROL_ERROR).
   */
  onReceived(end: number): number {
    if (end > this.advertised) return -1;
    if (end <= this.received) return 0;
    const added = end - this.received;
    this.received = end;
    return added;
  }

  /** Records that the application consumed `bytes`. */
  onConsumed(bytes: number): void {
    this.consumed += bytes;
  }

  /**
   * The new limit to advertise, or `undefined` when an update is not yet worth a frame: we send one when
   * less than half of the window remains available to the peer.
   *
   * @param now - the current time (ms), for auto-tuning.
   * @param rtt - the path's minimum round-trip time (ms): growth follows the bandwidth-delay product,
   *   not queueing delay.
   */
  pollUpdate(now: number, rtt: number): number | undefined {
    const target = this.consumed + this.window;
    if (target - this.advertised < this.window / 2) return undefined;
    if (
      this.lastUpdateAt !== undefined &&
      now - this.lastUpdateAt < 2 * rtt &&
      this.window < this.maxWindow
    ) {
      this.window = Math.min(this.window * 2, this.maxWindow);
    }
    this.lastUpdateAt = now;
    this.advertised = this.consumed + this.window;
    return this.advertised;
  }
}

/** The peer's limit on what we send. */
export class SendWindow {
  /** The peer's limit. */
  limit: number;
  /** Bytes (or the highest offset) we have sent. */
  sent = 0;
  private blockedReportedAt = -1;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes we may still send. */
  get available(): number {
    return Math.max(0, this.limit - this.sent);
  }

  /** Applies a MAX_DATA / MAX_STREAM_DATA from the peer; limits never decrease. Returns true if it grew. */
  raise(limit: number): boolean {
    if (limit <= this.limit) return false;
    this.limit = limit;
    return true;
  }

  /** Counts `bytes` as sent. */
  onSent(bytes: number): void {
    this.sent += bytes;
  }

  /**
   * When we are blocked by the limit, the limit to report in a DATA_BLOCKED / STREAM_DATA_BLOCKED frame;
   * reported once per limit value.
   */
  pollBlocked(): number | undefined {
    if (this.available > 0 || this.blockedReportedAt === this.limit) return undefined;
    this.blockedReportedAt = this.limit;
    return this.limit;
  }
}
