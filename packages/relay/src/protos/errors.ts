/**
 * Typed errors of the relay protocol codec and handshake.
 *
 * @module
 */
import { IrohError } from '@iroh-ts/base';

/** Codes of {@link RelayProtocolError}, mirroring iroh-relay's frame errors. */
export type RelayProtocolErrorCode =
  /** The frame ended before its type or a fixed-size field. */
  | 'UnexpectedEnd'
  /** The frame type is not one iroh-relay defines. */
  | 'UnknownFrameType'
  /** The frame type is defined but not allowed in this direction or phase. */
  | 'InvalidFrameType'
  /** The content after the frame type exceeds {@link MAX_PACKET_SIZE}. */
  | 'FrameTooLarge'
  /** A field has the wrong length or layout. */
  | 'InvalidFrame'
  /** An endpoint id is not a valid Ed25519 point. */
  | 'InvalidPublicKey'
  /** A text field is not UTF-8. */
  | 'InvalidUtf8'
  /** `Health` on a v2 connection, or `Status` on a v1 connection. */
  | 'FrameNotAllowedInVersion'
  /** An attempt to send a datagram with no bytes. */
  | 'EmptyDatagram'
  /** A segment size of 0 or above 65535, or an encoded frame too large to send. */
  | 'InvalidArgument';

/** A relay frame could not be decoded, or a frame to send is invalid. */
export class RelayProtocolError extends IrohError {
  declare readonly code: RelayProtocolErrorCode;
  constructor(code: RelayProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Codes of {@link HandshakeError}. */
export type HandshakeErrorCode =
  /** A frame other than the ones expected at this step arrived. */
  | 'UnexpectedFrameType'
  /** A handshake frame's postcard payload was malformed. */
  | 'DeserializationError'
  /** The server denied authentication; see {@link HandshakeError.reason}. */
  | 'ServerDeniedAuth'
  /** The `x-iroh-relay-client-auth-v1` header could not be decoded. */
  | 'ClientAuthHeaderInvalid'
  /** A signature did not verify. */
  | 'SignatureInvalid'
  /** The TLS keying material of client and server differ. */
  | 'MismatchedSuffix'
  /** No TLS keying material is available (plain HTTP). */
  | 'NoKeyingMaterial';

/** The relay authentication handshake failed. */
export class HandshakeError extends IrohError {
  declare readonly code: HandshakeErrorCode;
  /** For `ServerDeniedAuth`: the reason the server gave. */
  readonly reason: string | undefined;
  constructor(code: HandshakeErrorCode, message: string, options?: { cause?: unknown; reason?: string }) {
    super(code, message, options);
    this.reason = options?.reason;
  }
}
