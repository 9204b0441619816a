/**
 * Stateless resets (RFC 9000 §10.3). An endpoint derives the reset token of every connection ID it
 * issues from a static key (HMAC-SHA256 of the CID, first 16 bytes), so that it can still produce the
 * token after it lost the connection's state, and answers a short-header packet for an unknown
 * connection ID with a datagram that ends in that token. The peer recognises the token and drops
 * the connection at once instead of waiting for its idle timeout.
 *
 * Loop prevention (§10.3.3): a reset is always shorter than the packet that triggered it, and never
 * shorter than 21 bytes, so a reset bouncing between two endpoints shrinks until it stops; the number
 * sent per second is bounded as well.
 */
import { tlsBackend } from '#tls-backend';

/** Length of a stateless reset token. */
export const RESET_TOKEN_LENGTH = 16;
/** The smallest stateless reset: 5 unpredictable bytes (with the two fixed header bits) and the token. */
export const MIN_STATELESS_RESET = 21;
/** Triggers up to this size get a reset one byte shorter (§10.3); larger ones a random size above it. */
const SMALL_TRIGGER = 43;

/** Derives reset tokens and builds stateless resets for one endpoint. */
export class StatelessResets {
  readonly #key: Uint8Array;
  private readonly random: (n: number) => Uint8Array;
  /** Resets sent in the current one-second window. */
  private windowStart = Number.NEGATIVE_INFINITY;
  private sentInWindow = 0;
  /** Most resets sent per second. */
  readonly maxPerSecond: number;

  constructor(random: (n: number) => Uint8Array, maxPerSecond = 100) {
    this.random = random;
    this.#key = random(32);
    this.maxPerSecond = maxPerSecond;
  }

  /** The stateless reset token of connection ID `cid`. */
  token(cid: Uint8Array): Uint8Array {
    return tlsBackend.hash('sha256').hmac(this.#key, cid).slice(0, RESET_TOKEN_LENGTH);
  }

  /**
   * A stateless reset for a short-header packet of `triggerLength` bytes sent to `cid`, or `undefined`
   * when none may be sent: the trigger is too short for a smaller reset, or the rate limit is reached.
   */
  build(now: number, cid: Uint8Array, triggerLength: number): Uint8Array | undefined {
    if (triggerLength <= MIN_STATELESS_RESET) return undefined;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.sentInWindow >= this.maxPerSecond) return undefined;
    this.sentInWindow++;
    const r = this.random(2);
    const size =
      triggerLength <= SMALL_TRIGGER
        ? triggerLength - 1
        : Math.min(triggerLength - 1, SMALL_TRIGGER + (r[1]! & 0x3f));
    const out = new Uint8Array(size);
    out.set(this.random(size - RESET_TOKEN_LENGTH), 0);
    // Short header form with the fixed bit set; the other six bits stay random.
    out[0] = 0x40 | (r[0]! & 0x3f);
    out.set(this.token(cid), size - RESET_TOKEN_LENGTH);
    return out;
  }
}
