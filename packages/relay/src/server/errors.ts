/**
 * Typed errors of the relay server.
 *
 * @module
 */
import { IrohError } from '@iroh-ts/base';

/** Codes of {@link RelayServerError}. */
export type RelayServerErrorCode =
  /** An option is invalid (empty token list, bad endpoint id, bad rate limit, …). */
  | 'InvalidConfig'
  /** A listener could not bind. */
  | 'BindFailed'
  /** `start()` was called on a running server. */
  | 'AlreadyStarted'
  /** The server is not running. */
  | 'NotStarted';

/** A relay server could not be configured or started. */
export class RelayServerError extends IrohError {
  declare readonly code: RelayServerErrorCode;
  constructor(code: RelayServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
