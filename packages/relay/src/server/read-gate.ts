/**
 * Flow control on the read side of one connection: the receive rate limit and the pause while
 * access control runs. Throttling pauses reading the socket (TCP backpressure then slows the
 * client) instead of dropping anything.
 *
 * @module
 */
import type { RelayServerMetrics } from './metrics.js';
import type { TokenBucket } from './token-bucket.js';

/** Why reading is paused (bit flags). */
export const PauseReason = { Authorizing: 1, RateLimited: 2 } as const;

/** Something that can stop and restart reading (a `ws` WebSocket). */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** Read-side gate of one connection. */
export class ReadGate {
  readonly #target: Pausable;
  readonly #bucket: TokenBucket | undefined;
  readonly #metrics: RelayServerMetrics;
  readonly #onFirstLimit: () => void;
  #paused = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #limited = false;
  #disposed = false;

  /**
   * @param bucket - The receive rate limit, if any.
   * @param onFirstLimit - Called the first time the limit is hit (to tell the client once).
   */
  constructor(
    target: Pausable,
    bucket: TokenBucket | undefined,
    metrics: RelayServerMetrics,
    onFirstLimit: () => void,
  ) {
    this.#target = target;
    this.#bucket = bucket;
    this.#metrics = metrics;
    this.#onFirstLimit = onFirstLimit;
  }

  /** Accounts `bytes` just read at `now`; pauses reading until the bucket has refilled if needed. */
  consumed(bytes: number, now: number): void {
    if (this.#bucket === undefined) return;
    const resumeAt = this.#bucket.consume(bytes, now);
    if (resumeAt === 0) return;
    this.#metrics.bytesRxRatelimited.incBy(bytes);
    if (!this.#limited) {
      this.#limited = true;
      this.#metrics.connsRxRatelimited.inc();
      this.#onFirstLimit();
    }
    if (this.#timer !== undefined) return;
    this.pause(PauseReason.RateLimited);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.resume(PauseReason.RateLimited);
      },
      Math.max(1, resumeAt - now),
    );
  }

  /** Stops reading for `reason`. */
  pause(reason: number): void {
    if (this.#disposed) return;
    if (this.#paused === 0) this.#target.pause();
    this.#paused |= reason;
  }

  /** Lifts `reason`; reading resumes when no reason is left. */
  resume(reason: number): void {
    if (this.#paused === 0 || this.#disposed) return;
    this.#paused &= ~reason;
    if (this.#paused === 0) this.#target.resume();
  }

  /** Cancels the refill timer; the gate does nothing afterwards. */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
