import { IrohError } from '@iroh-ts/base';

/** Codes of {@link StreamError}. */
export type StreamErrorCode =
  | 'UnknownStream'
  | 'ClosedStream'
  | 'Stopped'
  | 'Reset'
  | 'NotWritable'
  | 'NotReadable';

/** A stream operation the application asked for cannot be done. */
export class StreamError extends IrohError {
  declare readonly code: StreamErrorCode;
  /** The peer's error code, for `Stopped` and `Reset`. */
  readonly errorCode: bigint | undefined;
  constructor(code: StreamErrorCode, message: string, errorCode?: bigint) {
    super(code, message);
    this.errorCode = errorCode;
  }
}
