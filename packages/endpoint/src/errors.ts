/**
 * Typed errors of `@iroh-ts/endpoint`. The `code` says what went wrong in a stable, machine-readable
 * form; the message says it for humans.
 */
import { IrohError } from '@iroh-ts/base';

/** Codes of {@link ConnectError}. */
export type ConnectErrorCode =
  /** No address of the remote is known, and address lookup found none. */
  | 'NoAddress'
  /** A `beforeConnect` hook rejected the connection. */
  | 'LocallyRejected'
  /** The remote is this endpoint. */
  | 'SelfConnect'
  /** The ALPN was empty. */
  | 'EmptyAlpn'
  /** The endpoint is closed. */
  | 'EndpointClosed'
  /** The QUIC/TLS handshake failed (wrong EndpointId, refused ALPN, timeout, closed by the peer). */
  | 'Connection'
  /** The remote refused the connection. */
  | 'Refused'
  /** The attempt did not complete in time. */
  | 'Timeout';

/** Connecting to a remote endpoint failed. */
export class ConnectError extends IrohError {
  declare readonly code: ConnectErrorCode;
  constructor(code: ConnectErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Codes of {@link EndpointError}. */
export type EndpointErrorCode =
  /** The endpoint is closed. */
  | 'Closed'
  /** Binding a socket failed. */
  | 'Bind'
  /** A configuration value is invalid. */
  | 'InvalidConfig'
  /** An operation did not complete in time. */
  | 'Timeout';

/** An endpoint operation failed. */
export class EndpointError extends IrohError {
  declare readonly code: EndpointErrorCode;
  constructor(code: EndpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
