/**
 * Encoding and sizing of the extension frames iroh negotiates (see `frame-types-ext.ts`), and the path id
 * check shared with the multipath variants of ACK, NEW_CONNECTION_ID and RETIRE_CONNECTION_ID (which
 * `frame-encode.ts` encodes with their RFC 9000 counterparts). A frame that breaks an invariant the decoder
 * enforces (path id above 2^32 − 1, a 5-byte IP address, port 65536, a sequence number above 2^53 − 1)
 * throws `RangeError` before anything is written. Sans-IO, no Node imports.
 */
import { VARINT_MAX, varintLength, type Writer } from './coding.js';
import type { Frame } from './frame-types.js';
import { type ExtFrame, ExtFrameType, MAX_PATH_ID_VALUE } from './frame-types-ext.js';

/** Throws `RangeError` unless `v` is a valid path id (an integer in 0..2^32 − 1). */
export function checkPathId(v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_PATH_ID_VALUE)
    throw new RangeError(`path id out of range: ${v}`);
}

/** A strict field: a safe non-negative integer (the decoder rejects anything above 2^53 − 1). */
function checkStrict(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} out of range: ${v}`);
}

function checkCode(v: bigint): void {
  if (v < 0n || v > VARINT_MAX) throw new RangeError(`error code out of range: ${v}`);
}

function checkAddress(ip: Uint8Array, port: number): void {
  if (ip.length !== 4 && ip.length !== 16) throw new RangeError(`IP address has ${ip.length} bytes`);
  if (!Number.isInteger(port) || port < 0 || port > 0xffff)
    throw new RangeError(`port out of range: ${port}`);
}

/** The wire type code of an extension frame (the `_V6` variant for a 16-byte IP address). */
export function extFrameTypeOf(f: ExtFrame): number {
  switch (f.type) {
    case 'pathAbandon':
      return ExtFrameType.PATH_ABANDON;
    case 'pathStatus':
      return f.available ? ExtFrameType.PATH_STATUS_AVAILABLE : ExtFrameType.PATH_STATUS_BACKUP;
    case 'maxPathId':
      return ExtFrameType.MAX_PATH_ID;
    case 'pathsBlocked':
      return ExtFrameType.PATHS_BLOCKED;
    case 'pathCidsBlocked':
      return ExtFrameType.PATH_CIDS_BLOCKED;
    case 'addAddress':
      return f.ip.length === 16 ? ExtFrameType.ADD_ADDRESS_V6 : ExtFrameType.ADD_ADDRESS_V4;
    case 'reachOut':
      return f.ip.length === 16 ? ExtFrameType.REACH_OUT_V6 : ExtFrameType.REACH_OUT_V4;
    case 'removeAddress':
      return ExtFrameType.REMOVE_ADDRESS;
    case 'observedAddress':
      return f.ip.length === 16 ? ExtFrameType.OBSERVED_ADDRESS_V6 : ExtFrameType.OBSERVED_ADDRESS_V4;
  }
}

/** Invariants the decoder enforces on extension frames; other frames pass unchecked. */
export function validateExt(f: Frame): void {
  switch (f.type) {
    case 'pathAbandon':
      checkPathId(f.pathId);
      checkCode(f.errorCode);
      return;
    case 'pathStatus':
      checkPathId(f.pathId);
      checkStrict('path status sequence number', f.sequence);
      return;
    case 'maxPathId':
    case 'pathsBlocked':
      checkPathId(f.pathId);
      return;
    case 'pathCidsBlocked':
      checkPathId(f.pathId);
      checkStrict('next sequence number', f.nextSequence);
      return;
    case 'addAddress':
    case 'observedAddress':
      checkStrict('sequence number', f.sequence);
      checkAddress(f.ip, f.port);
      return;
    case 'reachOut':
      checkStrict('round', f.round);
      checkAddress(f.ip, f.port);
      return;
    case 'removeAddress':
      checkStrict('sequence number', f.sequence);
      return;
    default:
      return;
  }
}

/** Appends the body of `f` (everything after the frame type) to `w`. Call {@link validateExt} first. */
export function writeExtBody(w: Writer, f: ExtFrame): void {
  switch (f.type) {
    case 'pathAbandon':
      w.varint(f.pathId).varint(f.errorCode);
      return;
    case 'pathStatus':
      w.varint(f.pathId).varint(f.sequence);
      return;
    case 'maxPathId':
    case 'pathsBlocked':
      w.varint(f.pathId);
      return;
    case 'pathCidsBlocked':
      w.varint(f.pathId).varint(f.nextSequence);
      return;
    case 'addAddress':
    case 'observedAddress':
      w.varint(f.sequence).bytes(f.ip).u16(f.port);
      return;
    case 'reachOut':
      w.varint(f.round).bytes(f.ip).u16(f.port);
      return;
    case 'removeAddress':
      w.varint(f.sequence);
      return;
  }
}

/** Exact number of bytes the encoding of `f` takes, frame type included. */
export function extFrameSize(f: ExtFrame): number {
  const typeSize = varintLength(extFrameTypeOf(f));
  switch (f.type) {
    case 'pathAbandon':
      return typeSize + varintLength(f.pathId) + varintLength(f.errorCode);
    case 'pathStatus':
      return typeSize + varintLength(f.pathId) + varintLength(f.sequence);
    case 'maxPathId':
    case 'pathsBlocked':
      return typeSize + varintLength(f.pathId);
    case 'pathCidsBlocked':
      return typeSize + varintLength(f.pathId) + varintLength(f.nextSequence);
    case 'addAddress':
    case 'observedAddress':
      return typeSize + varintLength(f.sequence) + f.ip.length + 2;
    case 'reachOut':
      return typeSize + varintLength(f.round) + f.ip.length + 2;
    case 'removeAddress':
      return typeSize + varintLength(f.sequence);
  }
}
