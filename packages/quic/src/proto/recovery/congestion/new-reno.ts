/**
 * NewReno congestion control as specified by RFC 9002 §7 and Appendix B: slow start, congestion
 * avoidance growing one datagram per window acknowledged, one halving per recovery period, and the
 * minimum window on persistent congestion.
 */
import type { RttView } from '../rtt.js';
import {
  BASE_DATAGRAM_SIZE,
  type CongestionController,
  type CongestionControllerFactory,
  initialWindowFor,
  minimumWindowFor,
} from './controller.js';

/** Window reduction on loss (RFC 9002 §7.3.2 `kLossReductionFactor`). */
export const NEW_RENO_LOSS_REDUCTION_FACTOR = 0.5;

/** Configuration of {@link NewReno}. */
export interface NewRenoConfig {
  /** Initial window in bytes (default `min(10 * mtu, max(14720, 2 * mtu))` for the initial MTU). */
  readonly initialWindow?: number;
  /** Factor the window is multiplied by on a congestion event (default 0.5). */
  readonly lossReductionFactor?: number;
}

/** The RFC 9002 NewReno congestion controller. */
export class NewReno implements CongestionController {
  readonly initialWindow: number;
  readonly lossReductionFactor: number;
  #mtu: number;
  #window: number;
  #ssthresh = Number.POSITIVE_INFINITY;
  /** Start of the current recovery period (RFC 9002 `congestion_recovery_start_time`). */
  #recoveryStart: number | undefined;
  /** Bytes acknowledged towards the next one-datagram increase in congestion avoidance. */
  #bytesAcked = 0;

  /** @param mtu the path's maximum datagram size in bytes (default 1200). */
  constructor(config: NewRenoConfig = {}, mtu: number = BASE_DATAGRAM_SIZE) {
    this.#mtu = mtu;
    this.initialWindow = config.initialWindow ?? initialWindowFor(mtu);
    this.lossReductionFactor = config.lossReductionFactor ?? NEW_RENO_LOSS_REDUCTION_FACTOR;
    this.#window = Math.max(this.initialWindow, minimumWindowFor(mtu));
  }

  get window(): number {
    return this.#window;
  }

  get ssthresh(): number {
    return this.#ssthresh;
  }

  /** Start of the current recovery period, undefined when not in (or never in) recovery. */
  get recoveryStartTime(): number | undefined {
    return this.#recoveryStart;
  }

  /** The current maximum datagram size. */
  get mtu(): number {
    return this.#mtu;
  }

  onPacketSent(_now: number, _bytes: number): void {}

  onAck(_now: number, sentTime: number, bytes: number, appLimited: boolean, _rtt: RttView): void {
    if (appLimited || this.#inRecovery(sentTime)) return;
    if (this.#window < this.#ssthresh) {
      this.#window += bytes;
      // Bytes beyond ssthresh already count towards congestion avoidance.
      if (this.#window >= this.#ssthresh) this.#bytesAcked = this.#window - this.#ssthresh;
      return;
    }
    // Appropriate byte counting (RFC 3465): one datagram per window's worth of acknowledged bytes,
    // the integer form of RFC 9002's `window += mtu * bytes / window`.
    this.#bytesAcked += bytes;
    if (this.#bytesAcked >= this.#window) {
      this.#bytesAcked -= this.#window;
      this.#window += this.#mtu;
    }
  }

  onCongestionEvent(
    now: number,
    sentTime: number,
    isPersistentCongestion: boolean,
    _lostBytes: number,
  ): void {
    if (!this.#inRecovery(sentTime)) {
      this.#recoveryStart = now;
      this.#window = Math.max(
        Math.floor(this.#window * this.lossReductionFactor),
        minimumWindowFor(this.#mtu),
      );
      this.#ssthresh = this.#window;
      this.#bytesAcked = 0;
    }
    if (isPersistentCongestion) {
      this.#window = minimumWindowFor(this.#mtu);
      this.#recoveryStart = undefined;
      this.#bytesAcked = 0;
    }
  }

  onMtuChange(mtu: number): void {
    this.#mtu = mtu;
    this.#window = Math.max(this.#window, minimumWindowFor(mtu));
  }

  clone(): NewReno {
    const c = new NewReno(
      { initialWindow: this.initialWindow, lossReductionFactor: this.lossReductionFactor },
      this.#mtu,
    );
    c.#window = this.#window;
    c.#ssthresh = this.#ssthresh;
    c.#recoveryStart = this.#recoveryStart;
    c.#bytesAcked = this.#bytesAcked;
    return c;
  }

  reset(): void {
    this.#window = Math.max(this.initialWindow, minimumWindowFor(this.#mtu));
    this.#ssthresh = Number.POSITIVE_INFINITY;
    this.#recoveryStart = undefined;
    this.#bytesAcked = 0;
  }

  /** RFC 9002 `InCongestionRecovery`: the packet was sent before the current recovery period began. */
  #inRecovery(sentTime: number): boolean {
    return this.#recoveryStart !== undefined && sentTime <= this.#recoveryStart;
  }
}

/** A factory of {@link NewReno} controllers with the given configuration. */
export function newRenoFactory(config: NewRenoConfig = {}): CongestionControllerFactory {
  return (_now, mtu) => new NewReno(config, mtu);
}
