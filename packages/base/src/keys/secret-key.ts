import { backend } from '#ed25519-backend';
import type { Ed25519Signer } from '../ed25519/backend.js';
import { KeyParsingError } from '../errors.js';
import { decodeKeyString, PublicKey } from './public-key.js';
import { describeLength, Signature } from './signature.js';

/** A source of cryptographically secure random bytes; injectable for deterministic tests. */
export type RandomSource = (length: number) => Uint8Array;

// Small requests are served from a pool filled by one CSPRNG call: a QUIC handshake asks for dozens
// of few-byte values (connection IDs, GREASE, shuffles), and each platform call costs microseconds.
// Every pooled byte is handed out once, then the pool is zeroed as it is consumed.
const POOL_SIZE = 4096;
const POOLED_MAX = 256;
const pool = new Uint8Array(POOL_SIZE);
let poolAt = POOL_SIZE;

/** Random bytes from the platform's CSPRNG (`crypto.getRandomValues`, in Node and browsers). */
export const secureRandom: RandomSource = (length) => {
  if (length > POOLED_MAX) {
    const out = new Uint8Array(length);
    // getRandomValues fills at most 65,536 bytes per call.
    for (let at = 0; at < length; at += 65536)
      globalThis.crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65536)));
    return out;
  }
  if (poolAt + length > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + length);
  pool.fill(0, poolAt, poolAt + length);
  poolAt += length;
  return out;
};

/**
 * An Ed25519 secret key: the 32-byte seed of an endpoint's identity.
 *
 * `toString()` deliberately does not reveal the key.
 */
export class SecretKey {
  /** Length of a secret key in bytes. */
  static readonly LENGTH = 32;
  readonly #seed: Uint8Array;
  #signer: Ed25519Signer | undefined;
  #public: PublicKey | undefined;

  private constructor(seed: Uint8Array) {
    this.#seed = seed;
  }

  /** Generates a new random key. */
  static generate(random: RandomSource = secureRandom): SecretKey {
    const seed = random(SecretKey.LENGTH);
    if (seed.length !== SecretKey.LENGTH) throw new RangeError('random source returned the wrong length');
    return new SecretKey(seed.slice());
  }

  /**
   * Wraps a 32-byte seed. Every 32-byte value is a valid seed.
   *
   * @throws {@link KeyParsingError} `InvalidLength`.
   */
  static fromBytes(bytes: Uint8Array): SecretKey {
    if (!(bytes instanceof Uint8Array) || bytes.length !== SecretKey.LENGTH) {
      throw new KeyParsingError('InvalidLength', `secret key must be 32 bytes, got ${describeLength(bytes)}`);
    }
    return new SecretKey(bytes.slice());
  }

  /** Parses 64 hex characters or 52 base32 characters, as iroh's `SecretKey::from_str`. */
  static fromString(text: string): SecretKey {
    return new SecretKey(decodeKeyString(text));
  }

  private get signer(): Ed25519Signer {
    this.#signer ??= backend.signer(this.#seed);
    return this.#signer;
  }

  /** The raw 32-byte seed (a copy). */
  toBytes(): Uint8Array {
    return this.#seed.slice();
  }

  /** The public key, i.e. the {@link EndpointId}. */
  public(): PublicKey {
    this.#public ??= PublicKey.fromBytes(this.signer.publicKey);
    return this.#public;
  }

  /** Signs `message` (deterministic RFC 8032 Ed25519). */
  sign(message: Uint8Array): Signature {
    return Signature.fromBytes(this.signer.sign(message));
  }

  /** Never prints the key. */
  toString(): string {
    return 'SecretKey(..)';
  }

  /** Keeps the key out of `JSON.stringify` and `console.log`. */
  toJSON(): string {
    return this.toString();
  }
}
