import { IrohError } from '@iroh-ts/base';

/** Codes of {@link StoreError}. */
export type StoreErrorCode =
  /** The store was used after {@link PacketStore.close}. */
  | 'Closed'
  /** A stored value is not a valid signed packet for its key. */
  | 'CorruptPacket'
  /** The storage backend (lmdb, Redis) failed; `cause` holds its error. */
  | 'Backend';

/** A {@link PacketStore} operation failed. */
export class StoreError extends IrohError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
