import { backend } from '#ed25519-backend';
import type { Ed25519Signer } from '../ed25519/backend.js';
import { KeyParsingError } from '../errors.js';
import { decodeKeyString, PublicKey } from './public-key.js';
import { describeLength, Signature } from './signature.js';

/** A source of cryptographically secure random bytes; injectable for deterministic tests. */
export type RandomSource = (length: number) => Uint8Array;

/** Random bytes from the platform's CSPRNG (`crypto.getRandomValues`, in Node and browsers). */
export const secureRandom: RandomSource = (length) =>
  globalThis.crypto.getRandomValues(new Uint8Array(length));

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
