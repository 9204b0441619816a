/**
 * Frame encoding and sizing for the packet builder (RFC 9000 §19, RFC 9221, draft-ietf-quic-ack-frequency;
 * the multipath variants of ACK, NEW_CONNECTION_ID and RETIRE_CONNECTION_ID here, the other extension frames
 * in `frame-encode-ext.ts`). Encoding a frame that breaks an invariant (e.g. a 21-byte connection id, an
 * empty ACK, a path id above 2^32 − 1) is a programming error and throws `RangeError`. Sans-IO, no Node
 * imports.
 */
import { VARINT_MAX, type Writer } from './coding.js';
import { checkPathId, extFrameSize, extFrameTypeOf, validateExt, writeExtBody } from './frame-encode-ext.js';
import {
  type AckFrame,
  type Frame,
  FrameType,
  MAX_CID_LENGTH,
  MAX_STREAM_COUNT,
  RESET_TOKEN_LENGTH,
  STREAM_BIT_FIN,
  STREAM_BIT_LEN,
  STREAM_BIT_OFF,
} from './frame-types.js';
import { ExtFrameType } from './frame-types-ext.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const STREAM_COUNT_MAX_BIG = BigInt(MAX_STREAM_COUNT);

/** Bytes the QUIC varint encoding of the non-negative safe integer `v` takes (1, 2, 4 or 8). */
export function varintSize(v: number): 1 | 2 | 4 | 8 {
  if (!(v >= 0) || !Number.isSafeInteger(v)) throw new RangeError(`varint out of range: ${v}`);
  return v < 0x40 ? 1 : v < 0x4000 ? 2 : v < 0x40000000 ? 4 : 8;
}

function bigSize(v: bigint): 1 | 2 | 4 | 8 {
  if (v < 0n || v > VARINT_MAX) throw new RangeError(`varint out of range: ${v}`);
  return v < 0x40n ? 1 : v < 0x4000n ? 2 : v < 0x40000000n ? 4 : 8;
}

/** Writes a saturating field: `Number.MAX_SAFE_INTEGER` stands for the protocol maximum `max`. */
function writeSat(w: Writer, v: number, max: bigint = VARINT_MAX): void {
  if (v === MAX_SAFE) w.varint(max);
  else w.varint(v);
}

function checkStreamCount(v: number): void {
  if (v > MAX_STREAM_COUNT) throw new RangeError(`stream count ${v} exceeds 2^60`);
}

function checkLength(what: string, data: Uint8Array, min: number, max: number): void {
  if (data.length < min || data.length > max) throw new RangeError(`${what} has ${data.length} bytes`);
}

/** The wire type code `f` is encoded with (e.g. 0x0e for a STREAM frame with offset and length). */
export function frameTypeOf(f: Frame): number {
  switch (f.type) {
    case 'padding':
      return FrameType.PADDING;
    case 'ping':
      return FrameType.PING;
    case 'ack':
      if (f.pathId !== undefined) return f.ecn ? ExtFrameType.PATH_ACK_ECN : ExtFrameType.PATH_ACK;
      return f.ecn ? FrameType.ACK_ECN : FrameType.ACK;
    case 'resetStream':
      return FrameType.RESET_STREAM;
    case 'stopSending':
      return FrameType.STOP_SENDING;
    case 'crypto':
      return FrameType.CRYPTO;
    case 'newToken':
      return FrameType.NEW_TOKEN;
    case 'stream':
      return (
        FrameType.STREAM |
        (f.offset !== 0 ? STREAM_BIT_OFF : 0) |
        (f.explicitLength !== false ? STREAM_BIT_LEN : 0) |
        (f.fin ? STREAM_BIT_FIN : 0)
      );
    case 'maxData':
      return FrameType.MAX_DATA;
    case 'maxStreamData':
      return FrameType.MAX_STREAM_DATA;
    case 'maxStreams':
      return f.bidi ? FrameType.MAX_STREAMS_BIDI : FrameType.MAX_STREAMS_UNI;
    case 'dataBlocked':
      return FrameType.DATA_BLOCKED;
    case 'streamDataBlocked':
      return FrameType.STREAM_DATA_BLOCKED;
    case 'streamsBlocked':
      return f.bidi ? FrameType.STREAMS_BLOCKED_BIDI : FrameType.STREAMS_BLOCKED_UNI;
    case 'newConnectionId':
      return f.pathId !== undefined ? ExtFrameType.PATH_NEW_CONNECTION_ID : FrameType.NEW_CONNECTION_ID;
    case 'retireConnectionId':
      return f.pathId !== undefined ? ExtFrameType.PATH_RETIRE_CONNECTION_ID : FrameType.RETIRE_CONNECTION_ID;
    case 'pathChallenge':
      return FrameType.PATH_CHALLENGE;
    case 'pathResponse':
      return FrameType.PATH_RESPONSE;
    case 'connectionClose':
      return FrameType.CONNECTION_CLOSE;
    case 'applicationClose':
      return FrameType.APPLICATION_CLOSE;
    case 'handshakeDone':
      return FrameType.HANDSHAKE_DONE;
    case 'datagram':
      return f.explicitLength !== false ? FrameType.DATAGRAM_LEN : FrameType.DATAGRAM;
    case 'ackFrequency':
      return FrameType.ACK_FREQUENCY;
    case 'immediateAck':
      return FrameType.IMMEDIATE_ACK;
    default:
      return extFrameTypeOf(f);
  }
}

/** Invariants the decoder enforces, checked before anything is written. */
function validate(f: Frame): void {
  switch (f.type) {
    case 'ack':
      if (f.ranges.isEmpty) throw new RangeError('ACK frame without ranges');
      if (f.pathId !== undefined) checkPathId(f.pathId);
      return;
    case 'newToken':
      checkLength('token', f.token, 1, Number.POSITIVE_INFINITY);
      return;
    case 'maxStreams':
      checkStreamCount(f.maximum);
      return;
    case 'streamsBlocked':
      checkStreamCount(f.limit);
      return;
    case 'newConnectionId':
      if (f.pathId !== undefined) checkPathId(f.pathId);
      if (f.retirePriorTo > f.sequence) throw new RangeError('retirePriorTo exceeds sequence');
      checkLength('connection id', f.connectionId, 1, MAX_CID_LENGTH);
      checkLength('reset token', f.resetToken, RESET_TOKEN_LENGTH, RESET_TOKEN_LENGTH);
      return;
    case 'retireConnectionId':
      if (f.pathId !== undefined) checkPathId(f.pathId);
      return;
    case 'pathChallenge':
    case 'pathResponse':
      checkLength('path data', f.data, 8, 8);
      return;
    case 'stream':
    case 'crypto':
      if (f.offset + f.data.length > MAX_SAFE) throw new RangeError('offset + length exceeds 2^53 - 1');
      return;
    default:
      validateExt(f);
      return;
  }
}

function writeAck(w: Writer, f: AckFrame): void {
  const rs = f.ranges;
  const n = rs.size;
  if (n === 0) throw new RangeError('ACK frame without ranges');
  let lo = rs.start(n - 1);
  const largest = rs.end(n - 1) - 1;
  if (f.pathId !== undefined) w.varint(f.pathId);
  w.varint(largest);
  writeSat(w, f.ackDelay);
  w.varint(n - 1);
  w.varint(largest - lo);
  for (let i = n - 2; i >= 0; i--) {
    const hi = rs.end(i) - 1;
    w.varint(lo - hi - 2);
    lo = rs.start(i);
    w.varint(hi - lo);
  }
  if (f.ecn) {
    writeSat(w, f.ecn.ect0);
    writeSat(w, f.ecn.ect1);
    writeSat(w, f.ecn.ce);
  }
}

function ackSize(f: AckFrame): number {
  const rs = f.ranges;
  const n = rs.size;
  if (n === 0) throw new RangeError('ACK frame without ranges');
  let lo = rs.start(n - 1);
  const largest = rs.end(n - 1) - 1;
  // The type (0x02, 0x03, 0x3e or 0x3f) takes one byte.
  let size = 1 + varintSize(largest) + varintSize(f.ackDelay) + varintSize(n - 1) + varintSize(largest - lo);
  if (f.pathId !== undefined) size += varintSize(f.pathId);
  for (let i = n - 2; i >= 0; i--) {
    const hi = rs.end(i) - 1;
    size += varintSize(lo - hi - 2);
    lo = rs.start(i);
    size += varintSize(hi - lo);
  }
  if (f.ecn) size += varintSize(f.ecn.ect0) + varintSize(f.ecn.ect1) + varintSize(f.ecn.ce);
  return size;
}

/**
 * Writes a STREAM frame with an explicit length, without building a {@link Frame} object (the bulk
 * send path writes one per packet). Same bytes as `encodeFrame` with `{ type: 'stream', ... }`.
 */
export function encodeStreamFrame(
  w: Writer,
  streamId: number,
  offset: number,
  fin: boolean,
  data: Uint8Array,
): void {
  if (offset + data.length > MAX_SAFE) throw new RangeError('offset + length exceeds 2^53 - 1');
  w.varint(
    FrameType.STREAM | (offset !== 0 ? STREAM_BIT_OFF : 0) | STREAM_BIT_LEN | (fin ? STREAM_BIT_FIN : 0),
  );
  w.varint(streamId);
  if (offset !== 0) w.varint(offset);
  w.varint(data.length).bytes(data);
}

/** Appends the encoding of `f` to `w` (frame types in their minimal varint form). */
export function encodeFrame(w: Writer, f: Frame): void {
  if (f.type === 'padding') {
    if (!Number.isSafeInteger(f.length) || f.length < 1) throw new RangeError(`padding length ${f.length}`);
    for (let i = 0; i < f.length; i++) w.u8(0);
    return;
  }
  validate(f);
  w.varint(frameTypeOf(f));
  switch (f.type) {
    case 'ping':
    case 'handshakeDone':
    case 'immediateAck':
      return;
    case 'ack':
      writeAck(w, f);
      return;
    case 'resetStream':
      w.varint(f.streamId).varint(f.errorCode).varint(f.finalSize);
      return;
    case 'stopSending':
      w.varint(f.streamId).varint(f.errorCode);
      return;
    case 'crypto':
      w.varint(f.offset).varint(f.data.length).bytes(f.data);
      return;
    case 'newToken':
      w.varint(f.token.length).bytes(f.token);
      return;
    case 'stream':
      w.varint(f.streamId);
      if (f.offset !== 0) w.varint(f.offset);
      if (f.explicitLength !== false) w.varint(f.data.length);
      w.bytes(f.data);
      return;
    case 'maxData':
      writeSat(w, f.maximum);
      return;
    case 'maxStreamData':
      w.varint(f.streamId);
      writeSat(w, f.maximum);
      return;
    case 'maxStreams':
      writeSat(w, f.maximum, STREAM_COUNT_MAX_BIG);
      return;
    case 'dataBlocked':
      writeSat(w, f.limit);
      return;
    case 'streamDataBlocked':
      w.varint(f.streamId);
      writeSat(w, f.limit);
      return;
    case 'streamsBlocked':
      writeSat(w, f.limit, STREAM_COUNT_MAX_BIG);
      return;
    case 'newConnectionId':
      if (f.pathId !== undefined) w.varint(f.pathId);
      w.varint(f.sequence).varint(f.retirePriorTo).u8(f.connectionId.length);
      w.bytes(f.connectionId).bytes(f.resetToken);
      return;
    case 'retireConnectionId':
      if (f.pathId !== undefined) w.varint(f.pathId);
      w.varint(f.sequence);
      return;
    case 'pathChallenge':
    case 'pathResponse':
      w.bytes(f.data);
      return;
    case 'connectionClose':
      w.varint(f.errorCode);
      writeSat(w, f.frameType);
      w.varint(f.reason.length).bytes(f.reason);
      return;
    case 'applicationClose':
      w.varint(f.errorCode).varint(f.reason.length).bytes(f.reason);
      return;
    case 'datagram':
      if (f.explicitLength !== false) w.varint(f.data.length);
      w.bytes(f.data);
      return;
    case 'ackFrequency':
      w.varint(f.sequence);
      writeSat(w, f.ackElicitingThreshold);
      writeSat(w, f.requestMaxAckDelay);
      writeSat(w, f.reorderingThreshold);
      return;
    default:
      writeExtBody(w, f);
  }
}

/** Exact number of bytes {@link encodeFrame} writes for `f`. */
export function frameSize(f: Frame): number {
  switch (f.type) {
    case 'padding':
      return f.length;
    case 'ping':
    case 'handshakeDone':
    case 'immediateAck':
      return 1;
    case 'ack':
      return ackSize(f);
    case 'resetStream':
      return 1 + varintSize(f.streamId) + bigSize(f.errorCode) + varintSize(f.finalSize);
    case 'stopSending':
      return 1 + varintSize(f.streamId) + bigSize(f.errorCode);
    case 'crypto':
      return cryptoFrameHeaderSize(f.offset, f.data.length) + f.data.length;
    case 'newToken':
      return 1 + varintSize(f.token.length) + f.token.length;
    case 'stream':
      return (
        streamFrameHeaderSize(f.streamId, f.offset, f.data.length, f.explicitLength !== false) + f.data.length
      );
    case 'maxData':
      return 1 + varintSize(f.maximum);
    case 'maxStreamData':
      return 1 + varintSize(f.streamId) + varintSize(f.maximum);
    case 'maxStreams':
      return 1 + varintSize(f.maximum);
    case 'dataBlocked':
      return 1 + varintSize(f.limit);
    case 'streamDataBlocked':
      return 1 + varintSize(f.streamId) + varintSize(f.limit);
    case 'streamsBlocked':
      return 1 + varintSize(f.limit);
    case 'newConnectionId':
      return (
        (f.pathId !== undefined ? 2 + varintSize(f.pathId) : 1) +
        varintSize(f.sequence) +
        varintSize(f.retirePriorTo) +
        1 +
        f.connectionId.length +
        f.resetToken.length
      );
    case 'retireConnectionId':
      return (f.pathId !== undefined ? 2 + varintSize(f.pathId) : 1) + varintSize(f.sequence);
    case 'pathChallenge':
    case 'pathResponse':
      return 1 + f.data.length;
    case 'connectionClose':
      return (
        1 + bigSize(f.errorCode) + varintSize(f.frameType) + varintSize(f.reason.length) + f.reason.length
      );
    case 'applicationClose':
      return 1 + bigSize(f.errorCode) + varintSize(f.reason.length) + f.reason.length;
    case 'datagram':
      return datagramFrameHeaderSize(f.data.length, f.explicitLength !== false) + f.data.length;
    case 'ackFrequency':
      return (
        2 +
        varintSize(f.sequence) +
        varintSize(f.ackElicitingThreshold) +
        varintSize(f.requestMaxAckDelay) +
        varintSize(f.reorderingThreshold)
      );
    default:
      return extFrameSize(f);
  }
}

/**
 * Bytes a STREAM frame takes besides its data: type, stream id, offset (omitted when 0) and, when
 * `explicitLength`, the length of `dataLength`.
 */
export function streamFrameHeaderSize(
  streamId: number,
  offset: number,
  dataLength: number,
  explicitLength = true,
): number {
  return (
    1 +
    varintSize(streamId) +
    (offset !== 0 ? varintSize(offset) : 0) +
    (explicitLength ? varintSize(dataLength) : 0)
  );
}

/** Bytes a CRYPTO frame takes besides its data. */
export function cryptoFrameHeaderSize(offset: number, dataLength: number): number {
  return 1 + varintSize(offset) + varintSize(dataLength);
}

/** Bytes a DATAGRAM frame takes besides its data (0x31 with length, 0x30 without). */
export function datagramFrameHeaderSize(dataLength: number, explicitLength = true): number {
  return 1 + (explicitLength ? varintSize(dataLength) : 0);
}

/** Largest data length whose length field fits in `avail` bytes together with the data; -1 if none. */
function fitWithLength(avail: number): number {
  // The best of the four length-field sizes; no allocation (this runs for every STREAM frame).
  return Math.max(
    -1,
    Math.min(avail - 1, 0x3f),
    Math.min(avail - 2, 0x3fff),
    Math.min(avail - 4, 0x3fffffff),
    Math.min(avail - 8, MAX_SAFE),
  );
}

/**
 * How many data bytes a STREAM frame for (`streamId`, `offset`) can carry within `space` bytes, or -1 if
 * not even an empty frame fits. With `explicitLength = false` the frame must end the packet.
 */
export function streamDataCapacity(
  space: number,
  streamId: number,
  offset: number,
  explicitLength = true,
): number {
  const base = 1 + varintSize(streamId) + (offset !== 0 ? varintSize(offset) : 0);
  if (space < base) return -1;
  return explicitLength ? fitWithLength(space - base) : space - base;
}

/** How many data bytes a CRYPTO frame at `offset` can carry within `space` bytes, or -1 if none fits. */
export function cryptoDataCapacity(space: number, offset: number): number {
  const base = 1 + varintSize(offset);
  return space < base ? -1 : fitWithLength(space - base);
}

/** How many data bytes a DATAGRAM frame can carry within `space` bytes, or -1 if none fits. */
export function datagramDataCapacity(space: number, explicitLength = true): number {
  if (space < 1) return -1;
  return explicitLength ? fitWithLength(space - 1) : space - 1;
}
