/**
 * The expensive primitives of the TLS 1.3 handshake, behind one interface so that Node can use
 * node:crypto (OpenSSL) and browsers a pure-JS implementation: hashes and HMAC for the transcript and
 * key schedule, ephemeral ECDHE, and the X.509 work (signature verification by certificate keys,
 * PKCS#8 signing, chain and name validation). `#tls-backend` resolves to one implementation through
 * the package's `imports`, like `#crypto-backend` does for packet protection.
 *
 * Backends know nothing about TLS alerts: they report failure with `undefined`, `false` or a
 * {@link X509Failure}; the handshake turns those into the alerts RFC 8446 prescribes. Ed25519 for iroh's
 * raw public keys does not come through here: it uses `@iroh-ts/base` (strict verification).
 */
import type { AlertName } from './constants.js';
import type { HashAlg } from './key-schedule.js';

/** A source of random bytes (the session's `TlsConfig.random`). */
export type RandomBytes = (length: number) => Uint8Array;

/** One side of an ephemeral (EC)DHE exchange. */
export interface EphemeralKeyPair {
  /** The `NamedGroup` code point. */
  readonly group: number;
  /** Our key_share `key_exchange` bytes (32-byte u-coordinate, or an uncompressed SEC1 point). */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret with the peer's `key_exchange` bytes, or `undefined` when they are not a valid
   * public value of the group or the result is degenerate (all-zero X25519 output, point at infinity).
   */
  agree(peerPublicKey: Uint8Array): Uint8Array | undefined;
}

/** A private key loaded from PKCS#8 that can sign CertificateVerify messages. */
export interface Pkcs8Signer {
  /** The TLS 1.3 signature schemes this key can produce, in our preference order. */
  readonly schemes: readonly number[];
  /** Signs `message` with `scheme` (one of {@link schemes}). */
  sign(scheme: number, message: Uint8Array): Uint8Array;
}

/** What the name check of a server certificate compares against. */
export type ServerIdentity =
  | { readonly kind: 'dns'; readonly name: string }
  | { readonly kind: 'ip'; readonly address: string };

/** A failed X.509 check, with the alert rustls/webpki would send for it. */
export interface X509Failure {
  readonly ok: false;
  readonly alert: AlertName;
  readonly reason: string;
}

/** A server certificate chain that validated; `leafSpki` is the end-entity's SubjectPublicKeyInfo (DER). */
export interface X509Success {
  readonly ok: true;
  readonly leafSpki: Uint8Array;
}

/** X.509 path validation for server certificates. */
export interface X509Verifier {
  /**
   * Builds a path from `chain[0]` (the end entity) through any of `chain[1..]` to one of `roots`, checking
   * signatures, CA flags, validity dates at `nowMs` (milliseconds since the Unix epoch; the roots
   * themselves are trust anchors and are not date-checked), the serverAuth purpose and the name.
   */
  verifyServerChain(
    chain: readonly Uint8Array[],
    roots: readonly Uint8Array[],
    identity: ServerIdentity,
    nowMs: number,
  ): X509Success | X509Failure;
}

/** The handshake's provider of primitives. */
export interface TlsBackend {
  /** Human-readable name, for benchmarks and logs. */
  readonly name: string;
  /** SHA-256 / SHA-384 with HMAC, for transcripts and the key schedule. */
  hash(name: 'sha256' | 'sha384'): HashAlg;
  /** The `NamedGroup`s {@link keyPair} supports. */
  readonly groups: readonly number[];
  /** A fresh key pair on `group` whose private key comes from `random`; `undefined` for an unsupported group. */
  keyPair(group: number, random: RandomBytes): EphemeralKeyPair | undefined;
  /**
   * Verifies a TLS signature by the key in a DER SubjectPublicKeyInfo: `true`/`false`, or `undefined`
   * when the backend cannot verify this scheme with this kind of key (including a key of the wrong type
   * or curve for the scheme, and RSA PKCS#1 v1.5 is allowed here because certificates use it).
   */
  verifySignature(
    spki: Uint8Array,
    scheme: number,
    message: Uint8Array,
    signature: Uint8Array,
  ): boolean | undefined;
  /** Loads a PKCS#8 private key for signing; `undefined` when unsupported (for example in browsers). */
  pkcs8Signer(pkcs8: Uint8Array, random: RandomBytes): Pkcs8Signer | undefined;
  /** X.509 chain validation; absent where no implementation exists (browsers, for now). */
  readonly x509: X509Verifier | undefined;
}
