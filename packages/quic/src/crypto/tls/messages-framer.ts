/**
 * Reassembles TLS handshake messages from CRYPTO-stream bytes (RFC 9001 §4.1.3): feed the in-order
 * bytes of one encryption level as they arrive, get back each complete message with the exact bytes
 * the transcript must hash. A message longer than the configured bound is refused as soon as its
 * header is seen, so a peer cannot make us buffer an arbitrary amount.
 */
import { TlsAlert } from './alerts.js';
import { handshakeTypeName } from './constants.js';

/** A complete handshake message as received. */
export interface RawHandshakeMessage {
  /** msg_type. */
  readonly type: number;
  /** The body, a view of `raw`. */
  readonly body: Uint8Array;
  /** Header + body: the bytes to add to the transcript hash. A fresh copy. */
  readonly raw: Uint8Array;
}

/** Default bound on a handshake message body: 64 KiB (ample for iroh's 44-byte certificates and X.509 chains). */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 65_536;

/** Options of {@link HandshakeFramer}. */
export interface HandshakeFramerOptions {
  /** Largest accepted body length in bytes; default {@link DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE}. */
  readonly maxMessageSize?: number;
}

/** Splits a byte stream into handshake messages. One framer per encryption level. */
export class HandshakeFramer {
  /** Largest accepted body length. */
  readonly maxMessageSize: number;
  private buf = new Uint8Array(64);
  private len = 0;
  private failed: TlsAlert | undefined;

  constructor(options: HandshakeFramerOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE;
    if (!Number.isSafeInteger(max) || max < 0 || max >= 1 << 24)
      throw new RangeError(`bad maxMessageSize ${max}`);
    this.maxMessageSize = max;
  }

  /** Bytes held that do not yet form a complete message. */
  get buffered(): number {
    return this.len;
  }

  /**
   * Appends stream bytes and returns the messages they complete, in order. Throws a `decode_error`
   * {@link TlsAlert} when a message announces a body longer than {@link maxMessageSize}; after that the
   * framer keeps throwing the same alert.
   */
  push(data: Uint8Array): RawHandshakeMessage[] {
    if (this.failed) throw this.failed;
    if (this.len + data.length > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.len + data.length) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(data, this.len);
    this.len += data.length;

    const out: RawHandshakeMessage[] = [];
    let pos = 0;
    while (this.len - pos >= 4) {
      const b = this.buf;
      const type = b[pos]!;
      const length = (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!;
      if (length > this.maxMessageSize) {
        this.failed = new TlsAlert(
          'decode_error',
          `${handshakeTypeName(type)} message of ${length} bytes exceeds the ${this.maxMessageSize}-byte limit`,
        );
        throw this.failed;
      }
      if (this.len - pos < 4 + length) break;
      const raw = b.slice(pos, pos + 4 + length);
      out.push({ type, body: raw.subarray(4), raw });
      pos += 4 + length;
    }
    if (pos > 0) {
      this.buf.copyWithin(0, pos, this.len);
      this.len -= pos;
    }
    return out;
  }

  /**
   * Throws `unexpected_message` if part of a message is buffered. Call it when the peer's keys change:
   * a handshake message must not span an encryption-level change (RFC 8446 §5.1, RFC 9001 §4.1.3).
   */
  assertEmpty(when: string): void {
    if (this.len > 0) {
      throw new TlsAlert(
        'unexpected_message',
        `${this.len} bytes of an unfinished handshake message at ${when}`,
      );
    }
  }
}
