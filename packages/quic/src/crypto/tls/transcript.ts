/**
 * The running handshake transcript hash (RFC 8446 §4.4.1). A client sends its ClientHello before it
 * knows the cipher suite (and so the hash), so messages added before {@link Transcript.selectHash} are
 * buffered and replayed. After a HelloRetryRequest, ClientHello1 is replaced by the synthetic
 * `message_hash` message carrying Hash(ClientHello1).
 */
import { TlsAlert } from './alerts.js';
import { HandshakeType } from './constants.js';
import type { HashAlg, HashState } from './key-schedule.js';

/** The synthetic handshake message `message_hash` (type 254, length Hash.length, body Hash(ClientHello1)). */
export function messageHash(alg: HashAlg, clientHello1: Uint8Array): Uint8Array {
  return syntheticMessageHash(alg.hash(clientHello1));
}

function syntheticMessageHash(digest: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + digest.length);
  out[0] = HandshakeType.MessageHash;
  out[3] = digest.length;
  out.set(digest, 4);
  return out;
}

/** Transcript-Hash over the complete handshake messages (headers included) in the order sent and received. */
export class Transcript {
  private alg: HashAlg | undefined;
  private state: HashState | undefined;
  private pending: Uint8Array[] = [];
  private count = 0;

  /** With `alg`, hashing starts at once; without, messages are kept until {@link selectHash}. */
  constructor(alg?: HashAlg) {
    if (alg !== undefined) this.selectHash(alg);
  }

  /** The hash in use, once selected. */
  get hashAlg(): HashAlg | undefined {
    return this.alg;
  }

  /** Number of messages added (the `message_hash` rewrite counts as one). */
  get messageCount(): number {
    return this.count;
  }

  /** Fixes the hash (from the negotiated cipher suite) and hashes the messages buffered so far. */
  selectHash(alg: HashAlg): void {
    if (this.alg !== undefined) {
      if (this.alg.name !== alg.name) {
        throw new TlsAlert(
          'internal_error',
          `transcript hash is ${this.alg.name}, cannot switch to ${alg.name}`,
        );
      }
      return;
    }
    this.alg = alg;
    this.state = alg.create();
    for (const m of this.pending) this.state.update(m);
    this.pending = [];
  }

  /** Adds a complete handshake message (4-byte header + body), exactly as on the wire. */
  add(message: Uint8Array): void {
    if (this.state === undefined) this.pending.push(message.slice());
    else this.state.update(message);
    this.count++;
  }

  /** Transcript-Hash of the messages so far. */
  hash(): Uint8Array {
    return this.need('transcript hash').digest();
  }

  /**
   * Transcript-Hash of the messages so far followed by `extra`, leaving the transcript unchanged. With
   * a truncated ClientHello as `extra` this is the hash a PSK binder covers (RFC 8446 §4.2.11.2).
   */
  hashWith(extra: Uint8Array): Uint8Array {
    const s = this.need('transcript hash').clone();
    s.update(extra);
    return s.digest();
  }

  /**
   * Replaces ClientHello1 with `message_hash` (RFC 8446 §4.4.1). Call it on receiving a
   * HelloRetryRequest, after ClientHello1 and before adding the HelloRetryRequest itself.
   */
  rewriteForHelloRetryRequest(): void {
    const alg = this.alg;
    if (alg === undefined || this.state === undefined) {
      throw new TlsAlert('internal_error', 'the transcript hash must be selected before a HelloRetryRequest');
    }
    if (this.count !== 1) {
      throw new TlsAlert(
        'internal_error',
        `HelloRetryRequest rewrite needs exactly ClientHello1, have ${this.count}`,
      );
    }
    const synthetic = syntheticMessageHash(this.state.digest());
    this.state = alg.create();
    this.state.update(synthetic);
  }

  /** An independent copy (for example to try a PSK's hash without committing to it). */
  clone(): Transcript {
    const t = new Transcript();
    t.alg = this.alg;
    t.state = this.state?.clone();
    t.pending = this.pending.slice();
    t.count = this.count;
    return t;
  }

  private need(what: string): HashState {
    if (this.state === undefined)
      throw new TlsAlert('internal_error', `${what} before the hash was selected`);
    return this.state;
  }
}
