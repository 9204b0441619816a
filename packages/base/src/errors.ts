/**
 * Typed errors shared by every iroh-ts package.
 *
 * Every decoder in iroh-ts rejects bad input with a subclass of {@link IrohError}. The `code` field is a
 * stable, machine-readable string; the message says what was wrong, for humans.
 */

/** Base class of all typed iroh-ts errors. */
export class IrohError extends Error {
  /** A stable, machine-readable error code, e.g. `'InvalidLength'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Codes of {@link DecodeError}. */
export type DecodeErrorCode = 'InvalidCharacter' | 'InvalidLength' | 'NonCanonical' | 'InvalidPadding';

/** A text encoding (hex, base32, z-base-32) could not be decoded. */
export class DecodeError extends IrohError {
  declare readonly code: DecodeErrorCode;
  constructor(code: DecodeErrorCode, message: string) {
    super(code, message);
  }
}

/** Codes of {@link KeyParsingError}. */
export type KeyParsingErrorCode =
  | 'InvalidLength'
  | 'FailedToDecodeHex'
  | 'FailedToDecodeBase32'
  | 'InvalidKeyData';

/** A public or secret key could not be parsed (mirrors iroh-base's `KeyParsingError`). */
export class KeyParsingError extends IrohError {
  declare readonly code: KeyParsingErrorCode;
  constructor(code: KeyParsingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Codes of {@link SignatureError}. */
export type SignatureErrorCode = 'InvalidLength' | 'InvalidSignature';

/** A signature was malformed or did not verify. */
export class SignatureError extends IrohError {
  declare readonly code: SignatureErrorCode;
  constructor(code: SignatureErrorCode, message: string) {
    super(code, message);
  }
}

/** Codes of {@link PostcardError}. */
export type PostcardErrorCode =
  | 'UnexpectedEnd'
  | 'VarintOverflow'
  | 'InvalidBool'
  | 'InvalidOption'
  | 'InvalidUtf8'
  | 'UnknownVariant'
  | 'TrailingBytes'
  | 'LengthLimit'
  | 'ValueOutOfRange';

/** A postcard-encoded value was malformed. */
export class PostcardError extends IrohError {
  declare readonly code: PostcardErrorCode;
  /** Byte offset in the input where the problem was found. */
  readonly offset: number;
  constructor(code: PostcardErrorCode, message: string, offset: number) {
    super(code, `${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/** Codes of {@link AddrParseError}. */
export type AddrParseErrorCode =
  | 'InvalidRelayUrl'
  | 'InvalidSocketAddr'
  | 'InvalidIpAddr'
  | 'InvalidPort'
  | 'InvalidCustomAddr';

/** A relay URL, socket address or custom transport address could not be parsed. */
export class AddrParseError extends IrohError {
  declare readonly code: AddrParseErrorCode;
  constructor(code: AddrParseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
