import { IrohError } from '@iroh-ts/base';

/** Codes of {@link TicketParseError}. */
export type TicketParseErrorCode =
  | 'WrongKind'
  | 'InvalidBase32'
  | 'Truncated'
  | 'TrailingBytes'
  | 'UnknownVariant'
  | 'InvalidData';

/** A ticket string or its bytes could not be parsed. */
export class TicketParseError extends IrohError {
  declare readonly code: TicketParseErrorCode;
  constructor(code: TicketParseErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
