/**
 * Fatal TLS alerts as errors. Every problem the handshake codec finds in a peer's bytes is a
 * {@link TlsAlert} carrying the alert description RFC 8446 prescribes; QUIC turns it into a
 * CONNECTION_CLOSE with CRYPTO_ERROR `0x100 + description` (RFC 9001 §4.8).
 */
import { IrohError } from '@iroh-ts/base';
import { CodecError } from '../../proto/coding.js';
import { AlertDescription, type AlertName, alertName } from './constants.js';

/** The QUIC transport error code range reserved for TLS alerts (RFC 9001 §4.8, §20.1 of RFC 9000). */
export const QUIC_CRYPTO_ERROR_BASE = 0x100;

/** A fatal TLS alert: `code` is the alert's RFC name (e.g. `'decode_error'`), `description` its number. */
export class TlsAlert extends IrohError {
  declare readonly code: AlertName;
  /** The alert description byte (RFC 8446 §6). */
  readonly description: number;

  constructor(code: AlertName, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.description = AlertDescription[code];
  }

  /** The QUIC CRYPTO_ERROR code for this alert: `0x100 + description`. */
  get quicErrorCode(): number {
    return QUIC_CRYPTO_ERROR_BASE + this.description;
  }

  /** An alert from its description byte; a code this module does not know becomes `internal_error`. */
  static fromDescription(description: number, message?: string): TlsAlert {
    const name = alertName(description);
    if (name !== undefined) return new TlsAlert(name, message ?? `TLS alert ${name}`);
    return new TlsAlert('internal_error', message ?? `unknown TLS alert ${description}`);
  }
}

/** Shorthand for `new TlsAlert('decode_error', message)`. */
export function decodeError(message: string, cause?: unknown): TlsAlert {
  return new TlsAlert('decode_error', message, cause === undefined ? undefined : { cause });
}

/** Shorthand for `new TlsAlert('illegal_parameter', message)`. */
export function illegalParameter(message: string): TlsAlert {
  return new TlsAlert('illegal_parameter', message);
}

/**
 * Runs a decoder and turns a {@link CodecError} (truncated or over-long input) into a `decode_error`
 * alert, as RFC 8446 §6.2 prescribes for messages that cannot be parsed. Other errors pass through.
 */
export function asDecodeError<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CodecError) throw decodeError(`malformed ${what}: ${e.message}`, e);
    throw e;
  }
}
