import { hexEncode } from '../encoding/hex.js';
import { SignatureError } from '../errors.js';

/** An Ed25519 signature: 64 bytes, `R || s`. */
export class Signature {
  /** Length of a signature in bytes. */
  static readonly LENGTH = 64;
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /**
   * Wraps 64 raw bytes. Any 64 bytes are accepted here, as in iroh; whether they form a valid signature
   * is decided by {@link PublicKey.verify}.
   *
   * @throws {@link SignatureError} with code `InvalidLength` if `bytes` is not 64 bytes long.
   */
  static fromBytes(bytes: Uint8Array): Signature {
    if (!(bytes instanceof Uint8Array) || bytes.length !== Signature.LENGTH) {
      throw new SignatureError('InvalidLength', `signature must be 64 bytes, got ${describeLength(bytes)}`);
    }
    return new Signature(bytes.slice());
  }

  /** The raw 64 bytes (a copy). */
  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** @internal A view of the bytes, for verification without a copy. */
  get bytesView(): Uint8Array {
    return this.#bytes;
  }

  /** Lowercase hex, 128 characters. */
  toString(): string {
    return hexEncode(this.#bytes);
  }

  /** True when both signatures have the same bytes. */
  equals(other: Signature): boolean {
    return this.toString() === other.toString();
  }
}

/** @internal */
export function describeLength(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : `a ${typeof value}`;
}
