/**
 * The server's keep-alive schedule for one client, sans IO: a ping after every
 * `pingIntervalMs + jitter` without received frames (the interval restarts on every frame and after
 * every ping), and a timeout when its pong does not come back in time.
 *
 * @module
 */
import { PingTracker } from '../protos/ping-tracker.js';
import type { RelayServerTiming } from './options.js';

/** What the connection should do at a tick. */
export type KeepAliveAction = 'ping' | 'timeout' | undefined;

/** Keep-alive state of one client. */
export class ServerKeepAlive {
  readonly #timing: RelayServerTiming;
  readonly #jitter: () => number;
  readonly #tracker: PingTracker;
  #lastActivity: number;
  #interval: number;

  /**
   * @param now - When the connection became active.
   * @param jitter - Uniform `[0, 1)` source for the interval jitter.
   */
  constructor(timing: RelayServerTiming, now: number, jitter: () => number = Math.random) {
    this.#timing = timing;
    this.#jitter = jitter;
    this.#tracker = new PingTracker(timing.pongTimeoutMs);
    this.#lastActivity = now;
    this.#interval = this.#nextInterval();
  }

  #nextInterval(): number {
    const [lo, hi] = this.#timing.pingJitterMs;
    return this.#timing.pingIntervalMs + lo + this.#jitter() * (hi - lo);
  }

  /** A frame arrived: the next ping waits a full interval from now. */
  received(now: number): void {
    this.#lastActivity = now;
  }

  /** A pong arrived. */
  pong(data: Uint8Array, now: number): void {
    this.#tracker.pongReceived(data, now);
  }

  /** Decides at `now`: send a ping, give up on the client, or nothing. */
  tick(now: number): KeepAliveAction {
    if (this.#tracker.checkTimeout(now)) return 'timeout';
    if (this.#tracker.outstanding || now - this.#lastActivity < this.#interval) return undefined;
    return 'ping';
  }

  /** Records the ping sent after {@link ServerKeepAlive.tick} returned `'ping'`. */
  pingSent(data: Uint8Array, now: number): void {
    this.#tracker.pingSent(data, now);
    this.#lastActivity = now;
    this.#interval = this.#nextInterval();
  }
}
