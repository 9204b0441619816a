/**
 * Frame decoding (RFC 9000 §19, RFC 9221, draft-ietf-quic-ack-frequency; the multipath variants of ACK,
 * NEW_CONNECTION_ID and RETIRE_CONNECTION_ID here, the other extension frames in `frame-decode-ext.ts`).
 * Every malformed input is a {@link TransportError} (FRAME_ENCODING_ERROR with the frame type, RFC 9000
 * §12.4); nothing else is thrown. Payload fields are views into the packet, never copies. Sans-IO, no Node
 * imports.
 */
import { Reader } from './coding.js';
import { readExtBody } from './frame-decode-ext.js';
import { bytes, lengthPrefixed, pathId, truncated, varint, varintBig } from './frame-read.js';
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
import { RangeSet } from './range-set.js';
import { TransportError } from './transport-error.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Reads a stream count (MAX_STREAMS, STREAMS_BLOCKED): ≤ 2^60, saturating at 2^53 − 1. */
function streamCount(r: Reader, type: number): number {
  const v = varintBig(r, type, 'stream count');
  if (v > BigInt(MAX_STREAM_COUNT)) throw TransportError.frameEncoding('stream count exceeds 2^60', type);
  return v > BigInt(MAX_SAFE) ? MAX_SAFE : Number(v);
}

function checkEnd(offset: number, length: number, type: number): void {
  if (offset + length > MAX_SAFE)
    throw TransportError.frameEncoding('offset + length exceeds 2^53 - 1', type);
}

/** The ACK body (shared by ACK, ACK_ECN, PATH_ACK and PATH_ACK_ECN); ECN counts follow when `withEcn`. */
function readAck(r: Reader, type: number, withEcn: boolean): AckFrame {
  const largest = varint(r, type, 'largest acknowledged');
  const ackDelay = varint(r, type, 'ACK delay', true);
  const count = varint(r, type, 'ACK range count');
  const first = varint(r, type, 'first ACK range');
  // Every further range takes at least two bytes (gap, length): bounds the loop before allocating.
  if (count > (r.end - r.pos) / 2) throw truncated(type, 'ACK ranges');
  if (first > largest) throw TransportError.frameEncoding('first ACK range below packet number 0', type);
  let smallest = largest - first;
  const flat: number[] = [smallest, largest + 1];
  for (let i = 0; i < count; i++) {
    const gap = varint(r, type, 'ACK gap');
    const len = varint(r, type, 'ACK range length');
    const hi = smallest - gap - 2;
    if (hi < 0 || hi - len < 0) throw TransportError.frameEncoding('ACK range below packet number 0', type);
    smallest = hi - len;
    flat.push(smallest, hi + 1);
  }
  const ecn = withEcn
    ? {
        ect0: varint(r, type, 'ECT0 count', true),
        ect1: varint(r, type, 'ECT1 count', true),
        ce: varint(r, type, 'ECN-CE count', true),
      }
    : undefined;
  return { type: 'ack', ackDelay, ranges: RangeSet.fromDescending(flat), ecn };
}

function readStream(r: Reader, type: number): Frame {
  const streamId = varint(r, type, 'stream id');
  const offset = type & STREAM_BIT_OFF ? varint(r, type, 'offset') : 0;
  const explicitLength = (type & STREAM_BIT_LEN) !== 0;
  const len = explicitLength ? varint(r, type, 'length') : r.end - r.pos;
  const data = bytes(r, len, type, 'stream data');
  checkEnd(offset, len, type);
  return { type: 'stream', streamId, offset, fin: (type & STREAM_BIT_FIN) !== 0, data, explicitLength };
}

/** NEW_CONNECTION_ID, or PATH_NEW_CONNECTION_ID when `path` (the path id) is given. */
function readNewConnectionId(r: Reader, type: number, path?: number): Frame {
  const sequence = varint(r, type, 'sequence number');
  const retirePriorTo = varint(r, type, 'retire prior to');
  if (retirePriorTo > sequence)
    throw TransportError.frameEncoding('retire prior to exceeds sequence number', type);
  const len = bytes(r, 1, type, 'connection id length')[0]!;
  if (len < 1 || len > MAX_CID_LENGTH)
    throw TransportError.frameEncoding(`connection id length ${len}`, type);
  const connectionId = bytes(r, len, type, 'connection id');
  const resetToken = bytes(r, RESET_TOKEN_LENGTH, type, 'stateless reset token');
  return path === undefined
    ? { type: 'newConnectionId', sequence, retirePriorTo, connectionId, resetToken }
    : { type: 'newConnectionId', sequence, retirePriorTo, connectionId, resetToken, pathId: path };
}

/** Decodes the body of a frame whose type `type` has been read. */
function readBody(r: Reader, type: number): Frame {
  switch (type) {
    case FrameType.PING:
      return { type: 'ping' };
    case FrameType.ACK:
    case FrameType.ACK_ECN:
      return readAck(r, type, type === FrameType.ACK_ECN);
    case ExtFrameType.PATH_ACK:
    case ExtFrameType.PATH_ACK_ECN: {
      const path = pathId(r, type);
      const ack = readAck(r, type, type === ExtFrameType.PATH_ACK_ECN);
      ack.pathId = path;
      return ack;
    }
    case FrameType.RESET_STREAM: {
      const streamId = varint(r, type, 'stream id');
      const errorCode = varintBig(r, type, 'error code');
      return { type: 'resetStream', streamId, errorCode, finalSize: varint(r, type, 'final size') };
    }
    case FrameType.STOP_SENDING: {
      const streamId = varint(r, type, 'stream id');
      return { type: 'stopSending', streamId, errorCode: varintBig(r, type, 'error code') };
    }
    case FrameType.CRYPTO: {
      const offset = varint(r, type, 'offset');
      const data = lengthPrefixed(r, type, 'crypto data');
      checkEnd(offset, data.length, type);
      return { type: 'crypto', offset, data };
    }
    case FrameType.NEW_TOKEN: {
      const token = lengthPrefixed(r, type, 'token');
      if (token.length === 0) throw TransportError.frameEncoding('empty token', type);
      return { type: 'newToken', token };
    }
    case FrameType.MAX_DATA:
      return { type: 'maxData', maximum: varint(r, type, 'maximum data', true) };
    case FrameType.MAX_STREAM_DATA: {
      const streamId = varint(r, type, 'stream id');
      return { type: 'maxStreamData', streamId, maximum: varint(r, type, 'maximum stream data', true) };
    }
    case FrameType.MAX_STREAMS_BIDI:
    case FrameType.MAX_STREAMS_UNI:
      return { type: 'maxStreams', bidi: type === FrameType.MAX_STREAMS_BIDI, maximum: streamCount(r, type) };
    case FrameType.DATA_BLOCKED:
      return { type: 'dataBlocked', limit: varint(r, type, 'limit', true) };
    case FrameType.STREAM_DATA_BLOCKED: {
      const streamId = varint(r, type, 'stream id');
      return { type: 'streamDataBlocked', streamId, limit: varint(r, type, 'limit', true) };
    }
    case FrameType.STREAMS_BLOCKED_BIDI:
    case FrameType.STREAMS_BLOCKED_UNI:
      return {
        type: 'streamsBlocked',
        bidi: type === FrameType.STREAMS_BLOCKED_BIDI,
        limit: streamCount(r, type),
      };
    case FrameType.NEW_CONNECTION_ID:
      return readNewConnectionId(r, type);
    case FrameType.RETIRE_CONNECTION_ID:
      return { type: 'retireConnectionId', sequence: varint(r, type, 'sequence number') };
    case ExtFrameType.PATH_NEW_CONNECTION_ID:
      return readNewConnectionId(r, type, pathId(r, type));
    case ExtFrameType.PATH_RETIRE_CONNECTION_ID: {
      const path = pathId(r, type);
      return { type: 'retireConnectionId', sequence: varint(r, type, 'sequence number'), pathId: path };
    }
    case FrameType.PATH_CHALLENGE:
      return { type: 'pathChallenge', data: bytes(r, 8, type, 'challenge data') };
    case FrameType.PATH_RESPONSE:
      return { type: 'pathResponse', data: bytes(r, 8, type, 'response data') };
    case FrameType.CONNECTION_CLOSE: {
      const errorCode = varintBig(r, type, 'error code');
      const frameType = varint(r, type, 'frame type', true);
      return {
        type: 'connectionClose',
        errorCode,
        frameType,
        reason: lengthPrefixed(r, type, 'reason phrase'),
      };
    }
    case FrameType.APPLICATION_CLOSE: {
      const errorCode = varintBig(r, type, 'error code');
      return { type: 'applicationClose', errorCode, reason: lengthPrefixed(r, type, 'reason phrase') };
    }
    case FrameType.HANDSHAKE_DONE:
      return { type: 'handshakeDone' };
    case FrameType.IMMEDIATE_ACK:
      return { type: 'immediateAck' };
    case FrameType.DATAGRAM:
      return {
        type: 'datagram',
        data: bytes(r, r.end - r.pos, type, 'datagram data'),
        explicitLength: false,
      };
    case FrameType.DATAGRAM_LEN:
      return { type: 'datagram', data: lengthPrefixed(r, type, 'datagram data'), explicitLength: true };
    case FrameType.ACK_FREQUENCY: {
      const sequence = varint(r, type, 'sequence number');
      const ackElicitingThreshold = varint(r, type, 'ack-eliciting threshold', true);
      const requestMaxAckDelay = varint(r, type, 'request max ack delay', true);
      const reorderingThreshold = varint(r, type, 'reordering threshold', true);
      return {
        type: 'ackFrequency',
        sequence,
        ackElicitingThreshold,
        requestMaxAckDelay,
        reorderingThreshold,
      };
    }
    default:
      if (type >= 0x08 && type <= 0x0f) return readStream(r, type);
      return readExtBody(r, type);
  }
}

/**
 * Decodes the frame at `r.pos` and advances past it. Consecutive PADDING bytes form one `padding` frame.
 * Frame types may use a non-minimal varint encoding (accepted, as noq does). Throws {@link TransportError}
 * (FRAME_ENCODING_ERROR carrying the frame type) on any malformed or unknown frame.
 */
export function readFrame(r: Reader): Frame {
  // The type is itself a varint; types above 2^53 − 1 are unknown anyway (reported saturated).
  const start = r.pos;
  const type = varint(r, 0, 'frame type', true);
  if (type === FrameType.PADDING) {
    const d = r.data;
    let p = r.pos;
    while (p < r.end && d[p] === 0) p++;
    r.pos = p;
    return { type: 'padding', length: p - start };
  }
  return readBody(r, type);
}

/**
 * Decodes every frame of a packet payload, calling `onFrame` for each in order; returns the number of
 * frames. An empty payload is a PROTOCOL_VIOLATION (RFC 9000 §12.4). Decoding stops at the first
 * malformed frame with a {@link TransportError}; frames before it have already been delivered.
 */
export function decodeFrames(payload: Uint8Array, onFrame: (frame: Frame) => void): number {
  if (payload.length === 0) throw TransportError.protocolViolation('packet payload has no frames');
  const r = new Reader(payload);
  let n = 0;
  while (r.pos < r.end) {
    onFrame(readFrame(r));
    n++;
  }
  return n;
}

/** Decodes every frame of a packet payload into an array (see {@link decodeFrames}). */
export function parseFrames(payload: Uint8Array): Frame[] {
  const out: Frame[] = [];
  decodeFrames(payload, (f) => out.push(f));
  return out;
}
