import { IrohError } from '@iroh-ts/base';

/** Codes of {@link ServerConfigError}. */
export type ServerConfigErrorCode =
  | 'InvalidOrigin'
  | 'InvalidSoa'
  | 'InvalidAddress'
  | 'InvalidName'
  | 'InvalidOption';

/** A server option could not be used. */
export class ServerConfigError extends IrohError {
  declare readonly code: ServerConfigErrorCode;
  constructor(code: ServerConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
