/**
 * Tracks one outstanding keep-alive ping and its deadline (sans-IO: time is always an argument).
 *
 * The pong wait is three times the last measured RTT, clamped to 0.5 s … `maxTimeoutMs` (5 s by
 * default); before any RTT is known it is `maxTimeoutMs`. A pong with other data is ignored.
 *
 * @module
 */
import { MIN_PING_TIMEOUT_MS, PING_TIMEOUT_MS } from './constants.js';

/** State of the keep-alive ping of one connection. */
export class PingTracker {
  readonly #maxTimeoutMs: number;
  #data: Uint8Array | undefined;
  #sentAt = 0;
  #deadline = 0;
  #lastRtt: number | undefined;

  /** @param maxTimeoutMs - Longest pong wait. Default 5000. */
  constructor(maxTimeoutMs: number = PING_TIMEOUT_MS) {
    this.#maxTimeoutMs = maxTimeoutMs;
  }

  /** The current pong wait in milliseconds. */
  get timeoutMs(): number {
    if (this.#lastRtt === undefined) return this.#maxTimeoutMs;
    return Math.min(this.#maxTimeoutMs, Math.max(MIN_PING_TIMEOUT_MS, 3 * this.#lastRtt));
  }

  /** The last measured round-trip time in milliseconds, if any. */
  get lastRttMs(): number | undefined {
    return this.#lastRtt;
  }

  /** When the outstanding ping times out, or `undefined` if none is outstanding. */
  get deadline(): number | undefined {
    return this.#data === undefined ? undefined : this.#deadline;
  }

  /** True while a ping awaits its pong. */
  get outstanding(): boolean {
    return this.#data !== undefined;
  }

  /** Records that a ping carrying `data` (8 bytes) was sent at `now`; replaces any outstanding ping. */
  pingSent(data: Uint8Array, now: number): void {
    this.#data = data;
    this.#sentAt = now;
    this.#deadline = now + this.timeoutMs;
  }

  /**
   * Handles a pong. If it matches the outstanding ping, clears it and returns the RTT in milliseconds.
   */
  pongReceived(data: Uint8Array, now: number): number | undefined {
    const expected = this.#data;
    if (expected === undefined || data.length !== expected.length) return undefined;
    for (let i = 0; i < expected.length; i++) if (data[i] !== expected[i]) return undefined;
    const rtt = Math.max(0, now - this.#sentAt);
    this.#lastRtt = rtt;
    this.#data = undefined;
    return rtt;
  }

  /** True (once) when the outstanding ping's deadline has passed at `now`; the ping is then cleared. */
  checkTimeout(now: number): boolean {
    if (this.#data === undefined || now < this.#deadline) return false;
    this.#data = undefined;
    return true;
  }
}
