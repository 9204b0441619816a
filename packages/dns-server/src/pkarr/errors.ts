import { IrohError } from '@iroh-ts/base';

/** Codes of {@link SignedPacketError}. */
export type SignedPacketErrorCode =
  /** Fewer than 104 bytes (key, signature, timestamp). */
  | 'TooShort'
  /** More than 1104 bytes in total, or more than 1000 bytes of DNS. */
  | 'TooLarge'
  /** The 32 key bytes are not an Ed25519 point. */
  | 'InvalidKey'
  /** The signature does not verify (strictly) over the signable bytes. */
  | 'InvalidSignature'
  /** The DNS message inside does not parse, or could not be built. */
  | 'InvalidDns';

/** A pkarr signed packet could not be parsed, verified or built (iroh's `SignedPacketVerifyError`). */
export class SignedPacketError extends IrohError {
  declare readonly code: SignedPacketErrorCode;
  constructor(code: SignedPacketErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
