import { IrohError } from '@iroh-ts/base';

/** Codes of {@link EndpointInfoError} (iroh's `attrs::ParseError` and friends). */
export type EndpointInfoErrorCode =
  /** A TXT string without `=`. */
  | 'UnexpectedFormat'
  /** A key other than `relay`, `addr` or `user-data`. */
  | 'UnknownAttr'
  /** A DNS name with fewer than two labels. */
  | 'NumLabels'
  /** A DNS name whose first label is not `_iroh`. */
  | 'NotAnIrohRecord'
  /** The second label is not a z-base-32 endpoint id. */
  | 'InvalidEndpointId'
  /** User data longer than 245 bytes. */
  | 'UserDataTooLong'
  /** The packet could not be built (too large, or a value over 255 bytes). */
  | 'EncodingFailed';

/** Endpoint information could not be parsed from, or encoded into, iroh's TXT records. */
export class EndpointInfoError extends IrohError {
  declare readonly code: EndpointInfoErrorCode;
  constructor(code: EndpointInfoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
