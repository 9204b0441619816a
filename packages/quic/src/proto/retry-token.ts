/**
 * Address-validation tokens for Retry (RFC 9000 §8.1.2): opaque to the client, sealed with a key only
 * this endpoint knows. A token binds the client's address, the DCID of its first Initial and the time
 * it was issued, so that it cannot be replayed from another address or long after.
 */
import { backend } from '#crypto-backend';
import type { AeadKey } from '../crypto/aead.js';
import { Reader, Writer } from './coding.js';

const enc = new TextEncoder();

/** What a valid token tells the server. */
export interface RetryTokenContents {
  readonly originalDcid: Uint8Array;
  readonly issuedAt: number;
}

/** Issues and checks Retry tokens. */
export class RetryTokens {
  private readonly aead: AeadKey;
  private readonly random: (n: number) => Uint8Array;
  /** How long a token is accepted, ms. */
  readonly lifetime: number;

  constructor(random: (n: number) => Uint8Array, lifetime = 10_000) {
    this.random = random;
    this.aead = backend.aead('aes-256-gcm', random(32));
    this.lifetime = lifetime;
  }

  /** A token for a client at `address` whose first Initial had DCID `originalDcid`. */
  issue(address: string, originalDcid: Uint8Array, now: number): Uint8Array {
    const body = new Writer(64)
      .u8(originalDcid.length)
      .bytes(originalDcid)
      .u64(BigInt(Math.floor(now)))
      .finish();
    const nonce = this.random(12);
    const sealed = this.aead.seal(nonce, enc.encode(address), body);
    const out = new Uint8Array(12 + sealed.length);
    out.set(nonce, 0);
    out.set(sealed, 12);
    return out;
  }

  /** The token's contents if it was issued by us for `address` and has not expired, else `undefined`. */
  check(token: Uint8Array, address: string, now: number): RetryTokenContents | undefined {
    if (token.length < 12 + 16 + 1 + 8) return undefined;
    const body = this.aead.open(token.subarray(0, 12), enc.encode(address), token.subarray(12));
    if (!body) return undefined;
    try {
      const r = new Reader(body);
      const originalDcid = r.bytes(r.u8()).slice();
      const issuedAt = Number(r.u64());
      r.finish();
      if (now < issuedAt - 1000 || now - issuedAt > this.lifetime) return undefined;
      return { originalDcid, issuedAt };
    } catch {
      return undefined;
    }
  }
}
