/**
 * Typed errors of the relay client.
 *
 * @module
 */
import { IrohError } from '@iroh-ts/base';

/** Codes of {@link RelayClientError}. */
export type RelayClientErrorCode =
  /** The relay URL cannot be parsed. */
  | 'InvalidUrl'
  /** The WebSocket could not be opened (network error, HTTP error status, TLS failure, …). */
  | 'ConnectFailed'
  /** Connecting and the handshake took longer than the connect timeout. */
  | 'ConnectTimeout'
  /** The server chose no subprotocol, or one we do not speak. */
  | 'ProtocolMismatch'
  /** The server denied access; see {@link RelayClientError.reason}. */
  | 'ServerDeniedAuth'
  /** The handshake failed otherwise (unexpected or malformed frames). */
  | 'HandshakeFailed'
  /** The relay sent an invalid frame; the connection was closed. */
  | 'ProtocolError'
  /** No pong arrived in time; the connection was closed. */
  | 'PingTimeout'
  /** The connection closed (by the relay or the network). */
  | 'ConnectionLost'
  /** Not connected (for `ping()`). */
  | 'NotConnected'
  /** The client was closed. */
  | 'Closed';

/** A relay client operation failed or a connection ended. */
export class RelayClientError extends IrohError {
  declare readonly code: RelayClientErrorCode;
  /** For `ServerDeniedAuth`: the server's reason. For `ConnectionLost`: the close reason, if any. */
  readonly reason: string | undefined;
  constructor(code: RelayClientErrorCode, message: string, options?: { cause?: unknown; reason?: string }) {
    super(code, message, options);
    this.reason = options?.reason;
  }
}
