import { IrohError } from '@iroh-ts/base';

/** Codes of {@link DnsError}. */
export type DnsErrorCode =
  | 'UnexpectedEnd'
  | 'BadPointer'
  | 'LabelTooLong'
  | 'NameTooLong'
  | 'InvalidLabelType'
  | 'InvalidName'
  | 'InvalidRdata'
  | 'TrailingBytes'
  | 'TooManyRecords'
  | 'MessageTooLarge'
  | 'CharacterStringTooLong';

/**
 * A DNS message, name or record could not be decoded or encoded.
 *
 * Every decoder in `src/dns` throws only this error on malformed input, with `offset` set to the byte where
 * the problem was found (or -1 when encoding).
 */
export class DnsError extends IrohError {
  declare readonly code: DnsErrorCode;
  /** Byte offset in the input where the problem was found, or -1 for encoding errors. */
  readonly offset: number;

  constructor(code: DnsErrorCode, message: string, offset = -1) {
    super(code, offset >= 0 ? `${message} (at byte ${offset})` : message);
    this.offset = offset;
  }
}
