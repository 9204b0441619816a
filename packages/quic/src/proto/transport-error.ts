/**
 * QUIC transport error codes (RFC 9000 §20.1) and the {@link TransportError} every QUIC decoder and
 * the connection state machine throw. Sans-IO, no Node imports.
 */
import { IrohError } from '@iroh-ts/base';

/**
 * The transport error codes of RFC 9000 §20.1, by name. The range 0x0100–0x01ff is `CRYPTO_ERROR`:
 * the low byte is a TLS alert (RFC 9001 §4.8); use {@link cryptoErrorCode}.
 */
export const TransportErrorCode = {
  NO_ERROR: 0x00,
  INTERNAL_ERROR: 0x01,
  CONNECTION_REFUSED: 0x02,
  FLOW_CONTROL_ERROR: 0x03,
  STREAM_LIMIT_ERROR: 0x04,
  STREAM_STATE_ERROR: 0x05,
  FINAL_SIZE_ERROR: 0x06,
  FRAME_ENCODING_ERROR: 0x07,
  TRANSPORT_PARAMETER_ERROR: 0x08,
  CONNECTION_ID_LIMIT_ERROR: 0x09,
  PROTOCOL_VIOLATION: 0x0a,
  INVALID_TOKEN: 0x0b,
  APPLICATION_ERROR: 0x0c,
  CRYPTO_BUFFER_EXCEEDED: 0x0d,
  KEY_UPDATE_ERROR: 0x0e,
  AEAD_LIMIT_REACHED: 0x0f,
  NO_VIABLE_PATH: 0x10,
} as const;

/** First code of the `CRYPTO_ERROR` range (0x0100 + TLS alert). */
export const CRYPTO_ERROR_BASE = 0x0100;

/** Name of a transport error code; `CRYPTO_ERROR` covers 0x0100–0x01ff, `UNKNOWN` anything unassigned. */
export type TransportErrorName = keyof typeof TransportErrorCode | 'CRYPTO_ERROR' | 'UNKNOWN';

const NAMES: readonly (keyof typeof TransportErrorCode)[] = Object.keys(
  TransportErrorCode,
) as (keyof typeof TransportErrorCode)[];

/** The RFC 9000 name of a transport error code (as carried in a CONNECTION_CLOSE frame of type 0x1c). */
export function transportErrorName(errorCode: number | bigint): TransportErrorName {
  const n = typeof errorCode === 'bigint' ? (errorCode <= 0x1ffn ? Number(errorCode) : -1) : errorCode;
  if (n >= 0 && n <= 0x10) return NAMES[n]!;
  if (n >= CRYPTO_ERROR_BASE && n <= 0x1ff) return 'CRYPTO_ERROR';
  return 'UNKNOWN';
}

/** The transport error code carrying TLS alert `alert` (0–255): 0x0100 + alert (RFC 9001 §4.8). */
export function cryptoErrorCode(alert: number): number {
  if (!Number.isInteger(alert) || alert < 0 || alert > 0xff)
    throw new RangeError(`invalid TLS alert ${alert}`);
  return CRYPTO_ERROR_BASE + alert;
}

/**
 * A QUIC connection error (RFC 9000 §11, §20.1).
 *
 * - `code` (inherited from {@link IrohError}) is the RFC name, e.g. `'FRAME_ENCODING_ERROR'`;
 * - `errorCode` is the numeric value sent in a CONNECTION_CLOSE frame (type 0x1c);
 * - `frameType` is the type of the frame that triggered the error, when known (0 = unknown/none, as on
 *   the wire). Frame types above 2^53 − 1 are reported as `Number.MAX_SAFE_INTEGER`;
 * - `reason` is the human-readable text (sent as the reason phrase).
 */
export class TransportError extends IrohError {
  declare readonly code: TransportErrorName;
  readonly errorCode: number;
  readonly frameType: number | undefined;
  readonly reason: string;

  constructor(errorCode: number, reason: string, frameType?: number) {
    const name = transportErrorName(errorCode);
    const where = frameType === undefined ? '' : ` (frame type 0x${frameType.toString(16)})`;
    super(name, `${name}: ${reason}${where}`);
    this.errorCode = errorCode;
    this.reason = reason;
    this.frameType = frameType;
  }

  /** For `CRYPTO_ERROR`, the TLS alert (errorCode − 0x0100); otherwise `undefined`. */
  get tlsAlert(): number | undefined {
    return this.code === 'CRYPTO_ERROR' ? this.errorCode - CRYPTO_ERROR_BASE : undefined;
  }

  /** NO_ERROR (0x00): graceful close without error. */
  static noError(reason = ''): TransportError {
    return new TransportError(TransportErrorCode.NO_ERROR, reason);
  }
  /** INTERNAL_ERROR (0x01). */
  static internal(reason: string): TransportError {
    return new TransportError(TransportErrorCode.INTERNAL_ERROR, reason);
  }
  /** CONNECTION_REFUSED (0x02). */
  static connectionRefused(reason: string): TransportError {
    return new TransportError(TransportErrorCode.CONNECTION_REFUSED, reason);
  }
  /** FLOW_CONTROL_ERROR (0x03). */
  static flowControl(reason: string, frameType?: number): TransportError {
    return new TransportError(TransportErrorCode.FLOW_CONTROL_ERROR, reason, frameType);
  }
  /** STREAM_LIMIT_ERROR (0x04). */
  static streamLimit(reason: string, frameType?: number): TransportError {
    return new TransportError(TransportErrorCode.STREAM_LIMIT_ERROR, reason, frameType);
  }
  /** STREAM_STATE_ERROR (0x05). */
  static streamState(reason: string, frameType?: number): TransportError {
    return new TransportError(TransportErrorCode.STREAM_STATE_ERROR, reason, frameType);
  }
  /** FINAL_SIZE_ERROR (0x06). */
  static finalSize(reason: string, frameType?: number): TransportError {
    return new TransportError(TransportErrorCode.FINAL_SIZE_ERROR, reason, frameType);
  }
  /** FRAME_ENCODING_ERROR (0x07): a badly formatted frame. */
  static frameEncoding(reason: string, frameType?: number): TransportError {
    return new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, reason, frameType);
  }
  /** TRANSPORT_PARAMETER_ERROR (0x08). */
  static transportParameter(reason: string): TransportError {
    return new TransportError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, reason);
  }
  /** CONNECTION_ID_LIMIT_ERROR (0x09). */
  static connectionIdLimit(reason: string, frameType?: number): TransportError {
    return new TransportError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, reason, frameType);
  }
  /** PROTOCOL_VIOLATION (0x0a). */
  static protocolViolation(reason: string, frameType?: number): TransportError {
    return new TransportError(TransportErrorCode.PROTOCOL_VIOLATION, reason, frameType);
  }
  /** INVALID_TOKEN (0x0b). */
  static invalidToken(reason: string): TransportError {
    return new TransportError(TransportErrorCode.INVALID_TOKEN, reason);
  }
  /** APPLICATION_ERROR (0x0c): an application close that had to be sent as a transport close. */
  static application(reason = ''): TransportError {
    return new TransportError(TransportErrorCode.APPLICATION_ERROR, reason);
  }
  /** CRYPTO_BUFFER_EXCEEDED (0x0d). */
  static cryptoBufferExceeded(reason: string): TransportError {
    return new TransportError(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, reason);
  }
  /** KEY_UPDATE_ERROR (0x0e). */
  static keyUpdate(reason: string): TransportError {
    return new TransportError(TransportErrorCode.KEY_UPDATE_ERROR, reason);
  }
  /** AEAD_LIMIT_REACHED (0x0f). */
  static aeadLimitReached(reason: string): TransportError {
    return new TransportError(TransportErrorCode.AEAD_LIMIT_REACHED, reason);
  }
  /** NO_VIABLE_PATH (0x10). */
  static noViablePath(reason: string): TransportError {
    return new TransportError(TransportErrorCode.NO_VIABLE_PATH, reason);
  }
  /** CRYPTO_ERROR (0x0100 + `alert`): the TLS handshake failed with alert `alert`. */
  static crypto(alert: number, reason: string): TransportError {
    return new TransportError(cryptoErrorCode(alert), reason);
  }
}
