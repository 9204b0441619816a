/**
 * CUBIC congestion control (RFC 9438) with the choices quinn and noq (iroh's default controller)
 * make: windows in bytes, the cubic curve in units of the maximum datagram size with time in
 * seconds, K from `W_max`, the closed-form Reno-friendly estimate, and at most one datagram of
 * growth per ACK with the excess kept as credit.
 */
import type { RttView } from '../rtt.js';
import {
  BASE_DATAGRAM_SIZE,
  type CongestionController,
  type CongestionControllerFactory,
  initialWindowFor,
  minimumWindowFor,
} from './controller.js';

/** CUBIC's multiplicative decrease factor (RFC 9438 §4.6 `beta_cubic`). */
export const CUBIC_BETA = 0.7;

/** CUBIC's scaling constant (RFC 9438 §5 `C`), in datagrams per second cubed. */
export const CUBIC_C = 0.4;

/** Configuration of {@link Cubic}. */
export interface CubicConfig {
  /** Initial window in bytes (default `min(10 * mtu, max(14720, 2 * mtu))` for the initial MTU). */
  readonly initialWindow?: number;
}

/**
 * `K` (RFC 9438 Eq. 2 in the form quinn uses): the seconds the cubic curve takes to climb back to
 * `wMax` after a reduction, `cbrt(W_max * (1 - beta) / C)` with `W_max` in datagrams.
 */
export function cubicK(wMax: number, mtu: number): number {
  return Math.cbrt(((wMax / mtu) * (1 - CUBIC_BETA)) / CUBIC_C);
}

/** `W_cubic(t) = C * (t - K)^3 + W_max` (RFC 9438 Eq. 1), in bytes, for `t` and `k` in seconds. */
export function wCubic(t: number, k: number, wMax: number, mtu: number): number {
  return (CUBIC_C * (t - k) ** 3 + wMax / mtu) * mtu;
}

/**
 * The Reno-friendly estimate `W_est(t) = W_max * beta + 3 * (1 - beta) / (1 + beta) * t / RTT`
 * (RFC 8312 Eq. 4, the closed form of RFC 9438 §4.3), in bytes, for `t` and `rtt` in seconds.
 */
export function wEst(t: number, rtt: number, wMax: number, mtu: number): number {
  const alpha = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);
  return ((wMax / mtu) * CUBIC_BETA + (alpha * t) / rtt) * mtu;
}

/** The CUBIC congestion controller. */
export class Cubic implements CongestionController {
  readonly initialWindow: number;
  #mtu: number;
  #window: number;
  #ssthresh = Number.POSITIVE_INFINITY;
  /** Window at the last congestion event, bytes (RFC 9438 `W_max`). */
  #wMax = 0;
  /** Seconds from the start of congestion avoidance for the curve to reach `W_max`. */
  #k = 0;
  /** Growth credit in bytes, spent one datagram per ACK. */
  #cwndInc = 0;
  /**
   * Start of the current recovery period, which is also the epoch of the cubic curve; undefined
   * until the first congestion event or the first ACK in congestion avoidance.
   */
  #recoveryStart: number | undefined;

  /** @param mtu the path's maximum datagram size in bytes (default 1200). */
  constructor(config: CubicConfig = {}, mtu: number = BASE_DATAGRAM_SIZE) {
    this.#mtu = mtu;
    this.initialWindow = config.initialWindow ?? initialWindowFor(mtu);
    this.#window = Math.max(this.initialWindow, minimumWindowFor(mtu));
  }

  get window(): number {
    return this.#window;
  }

  get ssthresh(): number {
    return this.#ssthresh;
  }

  /** `W_max` in bytes (0 before the first congestion event or congestion avoidance). */
  get wMax(): number {
    return this.#wMax;
  }

  /** `K` in seconds. */
  get k(): number {
    return this.#k;
  }

  /** Epoch of the cubic curve and start of the current recovery period, ms. */
  get recoveryStartTime(): number | undefined {
    return this.#recoveryStart;
  }

  /** The current maximum datagram size. */
  get mtu(): number {
    return this.#mtu;
  }

  onPacketSent(_now: number, _bytes: number): void {}

  onAck(now: number, sentTime: number, bytes: number, appLimited: boolean, rtt: RttView): void {
    if (appLimited || this.#inRecovery(sentTime)) return;
    if (this.#window < this.#ssthresh) {
      this.#window += bytes;
      return;
    }
    const mtu = this.#mtu;
    let epoch = this.#recoveryStart;
    if (epoch === undefined) {
      // Congestion avoidance entered without a loss: the curve starts flat at the current window.
      epoch = now;
      this.#recoveryStart = now;
      this.#wMax = this.#window;
      this.#k = 0;
    }
    const t = Math.max(0, now - epoch) / 1000;
    const srtt = Math.max(rtt.smoothed, 0.001) / 1000;
    const cubicTarget = wCubic(t + srtt, this.#k, this.#wMax, mtu);
    const renoTarget = wEst(t, srtt, this.#wMax, mtu);
    let target = this.#window;
    if (cubicTarget < renoTarget) {
      // Reno-friendly region: grow at least as fast as Reno would.
      target = Math.max(target, Math.floor(renoTarget));
    } else if (target < Math.floor(cubicTarget)) {
      // Concave and convex regions: close the gap to the curve one RTT ahead over one window of ACKs.
      target += Math.floor(((cubicTarget - target) / target) * mtu);
    }
    this.#cwndInc += target - this.#window;
    // RFC 9002 §7.3.3 allows one datagram of growth per ACK; keep the rest as credit.
    if (this.#cwndInc >= mtu) {
      this.#window += mtu;
      this.#cwndInc -= mtu;
    }
  }

  onCongestionEvent(
    now: number,
    sentTime: number,
    isPersistentCongestion: boolean,
    _lostBytes: number,
  ): void {
    const minimum = minimumWindowFor(this.#mtu);
    if (!this.#inRecovery(sentTime)) {
      this.#recoveryStart = now;
      const window = this.#window;
      // Fast convergence (RFC 9438 §4.7): a window below the previous W_max lowers W_max further.
      this.#wMax = window < this.#wMax ? (window * (1 + CUBIC_BETA)) / 2 : window;
      this.#ssthresh = Math.max(Math.floor(window * CUBIC_BETA), minimum);
      this.#window = this.#ssthresh;
      this.#k = cubicK(this.#wMax, this.#mtu);
      this.#cwndInc = Math.floor(this.#cwndInc * CUBIC_BETA);
    }
    if (isPersistentCongestion) {
      // RFC 9438 §4.8 and RFC 9002 §7.6.2: restart from the minimum window in slow start.
      this.#recoveryStart = undefined;
      this.#wMax = this.#window;
      this.#ssthresh = Math.max(Math.floor(this.#window * CUBIC_BETA), minimum);
      this.#cwndInc = 0;
      this.#window = minimum;
    }
  }

  onMtuChange(mtu: number): void {
    this.#mtu = mtu;
    this.#window = Math.max(this.#window, minimumWindowFor(mtu));
  }

  clone(): Cubic {
    const c = new Cubic({ initialWindow: this.initialWindow }, this.#mtu);
    c.#window = this.#window;
    c.#ssthresh = this.#ssthresh;
    c.#wMax = this.#wMax;
    c.#k = this.#k;
    c.#cwndInc = this.#cwndInc;
    c.#recoveryStart = this.#recoveryStart;
    return c;
  }

  reset(): void {
    this.#window = Math.max(this.initialWindow, minimumWindowFor(this.#mtu));
    this.#ssthresh = Number.POSITIVE_INFINITY;
    this.#wMax = 0;
    this.#k = 0;
    this.#cwndInc = 0;
    this.#recoveryStart = undefined;
  }

  /** The packet was sent before the current recovery period (or curve epoch) began. */
  #inRecovery(sentTime: number): boolean {
    return this.#recoveryStart !== undefined && sentTime <= this.#recoveryStart;
  }
}

/** A factory of {@link Cubic} controllers with the given configuration. */
export function cubicFactory(config: CubicConfig = {}): CongestionControllerFactory {
  return (_now, mtu) => new Cubic(config, mtu);
}
