import { backend } from '#ed25519-backend';
import { nobleVerify } from '../ed25519/noble-backend.js';
import { isEd25519Point } from '../ed25519/point-check.js';
import { isCanonicalPointEncoding, isCanonicalScalar, isSmallOrderEncoding } from '../ed25519/strict.js';
import { base32Decode, base32Encode, base32HexEncode, z32Decode, z32Encode } from '../encoding/base32.js';
import { hexDecode, hexEncode } from '../encoding/hex.js';
import { KeyParsingError, SignatureError } from '../errors.js';
import { describeLength, type Signature } from './signature.js';

/**
 * An Ed25519 public key: the identity of an iroh endpoint (see {@link EndpointId}).
 *
 * Parsing requires the 32 bytes to decode to a point on the curve, as iroh's `PublicKey::from_bytes`
 * does. Verification is strict in ed25519-dalek's sense (`verify_strict`).
 */
export class PublicKey {
  /** Length of a public key in bytes. */
  static readonly LENGTH = 32;
  readonly #bytes: Uint8Array;
  #hex: string | undefined;
  #verify: ((message: Uint8Array, signature: Uint8Array) => boolean) | undefined;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /**
   * Parses 32 raw bytes.
   *
   * @throws {@link KeyParsingError} `InvalidLength` or `InvalidKeyData` (not a curve point).
   */
  static fromBytes(bytes: Uint8Array): PublicKey {
    if (!(bytes instanceof Uint8Array) || bytes.length !== PublicKey.LENGTH) {
      throw new KeyParsingError('InvalidLength', `public key must be 32 bytes, got ${describeLength(bytes)}`);
    }
    // Lenient decoding (non-canonical y accepted), like curve25519-dalek's decompress.
    if (!isEd25519Point(bytes)) {
      throw new KeyParsingError('InvalidKeyData', 'public key bytes are not a valid Ed25519 point');
    }
    return new PublicKey(bytes.slice());
  }

  /**
   * Parses the string forms iroh accepts: 64 lowercase hex characters, or RFC 4648 base32 without padding
   * (any case) that decodes to 32 bytes. z-base-32 is not accepted here; use {@link PublicKey.fromZ32}.
   *
   * @throws {@link KeyParsingError}
   */
  static fromString(text: string): PublicKey {
    return PublicKey.fromBytes(decodeKeyString(text));
  }

  /** Parses the z-base-32 form used in pkarr and DNS names. @throws {@link KeyParsingError} */
  static fromZ32(text: string): PublicKey {
    let bytes: Uint8Array;
    try {
      bytes = z32Decode(text);
    } catch (cause) {
      throw new KeyParsingError(
        'FailedToDecodeBase32',
        `invalid z-base-32 key: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    return PublicKey.fromBytes(bytes);
  }

  /** The raw 32 bytes (a copy). */
  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** @internal A view of the bytes, for encoders that copy them anyway. */
  get bytesView(): Uint8Array {
    return this.#bytes;
  }

  /** 64 lowercase hex characters, as iroh 1.x displays an EndpointId. */
  toString(): string {
    this.#hex ??= hexEncode(this.#bytes);
    return this.#hex;
  }

  /** The first 5 bytes as lowercase hex (10 characters), like iroh's `fmt_short()`. */
  fmtShort(): string {
    return this.toString().slice(0, 10);
  }

  /** z-base-32, 52 characters: the pkarr/DNS form. */
  toZ32(): string {
    return z32Encode(this.#bytes);
  }

  /** RFC 4648 base32, lowercase, no padding (52 characters). */
  toBase32(): string {
    return base32Encode(this.#bytes);
  }

  /** The TLS server name iroh uses when dialling this key: `<base32hex>.iroh.invalid`. */
  tlsServerName(): string {
    return `${base32HexEncode(this.#bytes)}.iroh.invalid`;
  }

  /** True when both keys have the same bytes. */
  equals(other: PublicKey): boolean {
    return other instanceof PublicKey && this.toString() === other.toString();
  }

  /**
   * Verifies `signature` over `message`, strictly: `s` must be canonical, neither this key nor the
   * signature's `R` may be a small-order point, and the equation is checked without the cofactor.
   *
   * @throws {@link SignatureError} `InvalidSignature` when the signature does not verify.
   */
  verify(message: Uint8Array, signature: Signature): void {
    if (!this.isValidSignature(message, signature)) {
      throw new SignatureError('InvalidSignature', 'signature verification failed');
    }
  }

  /** Like {@link verify}, but returns a boolean instead of throwing. */
  isValidSignature(message: Uint8Array, signature: Signature): boolean {
    const sig = signature.bytesView;
    if (!isCanonicalScalar(sig.subarray(32))) return false;
    if (isSmallOrderEncoding(this.#bytes) || isSmallOrderEncoding(sig.subarray(0, 32))) return false;
    this.#verify ??= isCanonicalPointEncoding(this.#bytes)
      ? backend.verifier(this.#bytes)
      : (m, s) => nobleVerify(this.#bytes, m, s);
    return this.#verify(message, sig);
  }
}

/** The identity of an iroh endpoint: an Ed25519 {@link PublicKey}. */
export type EndpointId = PublicKey;
/** The identity of an iroh endpoint: an Ed25519 {@link PublicKey}. */
export const EndpointId = PublicKey;

/** @internal Decodes iroh's key string forms (64 hex chars, or 52 base32 chars). */
export function decodeKeyString(text: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new KeyParsingError('InvalidLength', `key string expected, got a ${typeof text}`);
  }
  if (text.length === 64) {
    try {
      return hexDecode(text);
    } catch (cause) {
      throw new KeyParsingError('FailedToDecodeHex', `invalid hex key: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = base32Decode(text);
  } catch (cause) {
    throw new KeyParsingError('FailedToDecodeBase32', `invalid base32 key: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (bytes.length !== 32) {
    throw new KeyParsingError('InvalidLength', `key must decode to 32 bytes, got ${bytes.length}`);
  }
  return bytes;
}
