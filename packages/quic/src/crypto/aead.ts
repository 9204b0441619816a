/**
 * The symmetric primitives QUIC packet protection needs (RFC 9001 §5): an AEAD per packet and a header
 * protection mask per packet. Two backends implement them: node:crypto (fast, Node only) and
 * @noble/ciphers (pure JS, browsers); `#crypto-backend` picks one through the package's `imports`.
 */

/** The AEADs of TLS 1.3's QUIC-capable cipher suites. */
export type AeadAlgorithm = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

/** Length of every QUIC AEAD tag. */
export const AEAD_TAG_LENGTH = 16;

/** An AEAD bound to one key. Nonces are built by the caller (IV XOR packet number). */
export interface AeadKey {
  /** Returns ciphertext || 16-byte tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Writes ciphertext || tag into `dst` at `at`; returns the number of bytes written. */
  sealInto(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, dst: Uint8Array, at: number): number;
  /**
   * Returns the plaintext in a new buffer that the caller owns (received stream data keeps views
   * into it), or `undefined` when authentication fails.
   */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | undefined;
}

/** A header-protection key: turns a 16-byte ciphertext sample into a mask (at least 5 bytes). */
export interface HeaderProtectionKey {
  mask(sample: Uint8Array): Uint8Array;
}

/** A provider of the primitives above. */
export interface CryptoBackend {
  readonly name: string;
  aead(alg: AeadAlgorithm, key: Uint8Array): AeadKey;
  headerProtection(alg: AeadAlgorithm, key: Uint8Array): HeaderProtectionKey;
}
