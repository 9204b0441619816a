/**
 * The Ed25519 primitives the key types need. Two implementations exist: node:crypto (fast, Node only) and
 * @noble/curves (pure JS, everywhere). `#ed25519-backend` resolves to one of them through the package's
 * `imports` conditions. Both give byte-identical public keys and signatures (RFC 8032 is deterministic).
 */
export interface Ed25519Backend {
  /** Human-readable name, reported by benchmarks. */
  readonly name: string;
  /** Makes a signer for a 32-byte seed; it returns the public key and signs messages. */
  signer(seed: Uint8Array): Ed25519Signer;
  /**
   * Checks the cofactorless RFC 8032 equation `[s]B == R + [k]A` by comparing encodings, for a public
   * key that has a canonical encoding and a signature whose `s` is already known to be below the group
   * order. Small-order and canonicality checks happen in the caller.
   */
  verifier(publicKey: Uint8Array): (message: Uint8Array, signature: Uint8Array) => boolean;
}

/** A signing handle for one secret key. */
export interface Ed25519Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}
