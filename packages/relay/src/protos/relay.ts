/**
 * Codec of the relay frames exchanged after the handshake (types 4–13).
 *
 * Each frame is one binary WebSocket message: a QUIC-varint frame type, then the content, which must
 * not exceed {@link MAX_PACKET_SIZE} bytes. Decoding never reads past the input and reports every
 * problem as a {@link RelayProtocolError}; unknown frame types are errors, as in iroh-relay.
 *
 * The `classify*` functions validate a frame without allocating, for hot paths that then read the
 * fields in place; the `decode*` functions build message objects.
 *
 * @module
 */
import type { EndpointId } from '@iroh-ts/base';
import { MAX_PACKET_SIZE } from './constants.js';
import { type Datagrams, ecnFromByte } from './datagrams.js';
import { RelayProtocolError } from './errors.js';
import { FrameType, frameTypeName, isKnownFrameType, readFrameType, varintLength } from './frame-type.js';
import { type KeyCache, parseEndpointId } from './key-cache.js';
import type { Status } from './status.js';
import { PROTOCOL_V1, type ProtocolVersion } from './version.js';

/** Length of an endpoint id on the wire. */
const KEY_LEN = 32;
/** Ping and pong payload length. */
export const PING_DATA_LENGTH = 8;

/** A message from a client to the relay. */
export type ClientToRelayMsg =
  | { readonly type: 'datagrams'; readonly dst: EndpointId; readonly datagrams: Datagrams }
  | { readonly type: 'ping'; readonly data: Uint8Array }
  | { readonly type: 'pong'; readonly data: Uint8Array };

/** A message from the relay to a client. */
export type RelayToClientMsg =
  | { readonly type: 'datagrams'; readonly src: EndpointId; readonly datagrams: Datagrams }
  | { readonly type: 'endpointGone'; readonly endpointId: EndpointId }
  | { readonly type: 'ping'; readonly data: Uint8Array }
  | { readonly type: 'pong'; readonly data: Uint8Array }
  | { readonly type: 'health'; readonly problem: string }
  | { readonly type: 'restarting'; readonly reconnectInMs: number; readonly tryForMs: number }
  | { readonly type: 'status'; readonly status: Status };

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function invalid(type: number, what: string): RelayProtocolError {
  return new RelayProtocolError('InvalidFrame', `invalid ${frameTypeName(type)} frame: ${what}`);
}

function wrongType(type: number, direction: string): RelayProtocolError {
  return isKnownFrameType(type)
    ? new RelayProtocolError(
        'InvalidFrameType',
        `frame type ${frameTypeName(type)} is not allowed ${direction}`,
      )
    : new RelayProtocolError('UnknownFrameType', `unknown frame type ${type}`);
}

/** Reads the type, rejects unknown types and oversized content; returns the content length. */
function header(frame: Uint8Array, direction: string): [type: number, contentLength: number] {
  const type = readFrameType(frame);
  if (!isKnownFrameType(type)) throw wrongType(type, direction);
  const contentLength = frame.length - varintLength(frame[0]!);
  if (contentLength > MAX_PACKET_SIZE) {
    throw new RelayProtocolError(
      'FrameTooLarge',
      `frame content of ${contentLength} bytes exceeds ${MAX_PACKET_SIZE}`,
    );
  }
  return [type, contentLength];
}

function checkDatagramLength(type: number, contentLength: number, batch: boolean): void {
  // endpoint id, ECN byte, and for batches the 2-byte segment size.
  const min = KEY_LEN + 1 + (batch ? 2 : 0);
  if (contentLength < min) throw invalid(type, `needs at least ${min} content bytes, got ${contentLength}`);
}

function checkExact(type: number, contentLength: number, expected: number): void {
  if (contentLength !== expected) {
    throw invalid(type, `content must be exactly ${expected} bytes, got ${contentLength}`);
  }
}

/**
 * Validates a client→relay frame without allocating and returns its type: 4 (datagram), 5 (batch),
 * 9 (ping) or 10 (pong). Endpoint ids are not checked for being valid curve points.
 *
 * @throws {@link RelayProtocolError} `UnexpectedEnd`, `UnknownFrameType`, `InvalidFrameType`,
 *   `FrameTooLarge` or `InvalidFrame`.
 */
export function classifyClientFrame(frame: Uint8Array): 4 | 5 | 9 | 10 {
  const [type, len] = header(frame, 'from a client');
  switch (type) {
    case FrameType.ClientToRelayDatagram:
      checkDatagramLength(type, len, false);
      return type;
    case FrameType.ClientToRelayDatagramBatch:
      checkDatagramLength(type, len, true);
      return type;
    case FrameType.Ping:
    case FrameType.Pong:
      checkExact(type, len, PING_DATA_LENGTH);
      return type;
    default:
      throw wrongType(type, 'from a client');
  }
}

/**
 * Validates a relay→client frame for the negotiated `version` without allocating and returns its type.
 * Endpoint ids are not checked for being valid curve points, nor `Health` text for UTF-8.
 *
 * @throws {@link RelayProtocolError} as {@link classifyClientFrame}, and `FrameNotAllowedInVersion`
 *   for `Health` on v2 or `Status` on v1.
 */
export function classifyRelayFrame(
  frame: Uint8Array,
  version: ProtocolVersion,
): 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 {
  const [type, len] = header(frame, 'from the relay');
  switch (type) {
    case FrameType.RelayToClientDatagram:
      checkDatagramLength(type, len, false);
      return type;
    case FrameType.RelayToClientDatagramBatch:
      checkDatagramLength(type, len, true);
      return type;
    case FrameType.EndpointGone:
      checkExact(type, len, KEY_LEN);
      return type;
    case FrameType.Ping:
    case FrameType.Pong:
      checkExact(type, len, PING_DATA_LENGTH);
      return type;
    case FrameType.Health:
      if (version !== PROTOCOL_V1) {
        throw new RelayProtocolError('FrameNotAllowedInVersion', `Health frame is not allowed in ${version}`);
      }
      return type;
    case FrameType.Restarting:
      checkExact(type, len, 8);
      return type;
    case FrameType.Status:
      if (version === PROTOCOL_V1) {
        throw new RelayProtocolError('FrameNotAllowedInVersion', `Status frame is not allowed in ${version}`);
      }
      if (len < 1) throw invalid(type, 'missing status byte');
      return type;
    default:
      throw wrongType(type, 'from the relay');
  }
}

function readKey(frame: Uint8Array, at: number, keys: KeyCache | undefined): EndpointId {
  const bytes = frame.subarray(at, at + KEY_LEN);
  return keys === undefined ? parseEndpointId(bytes) : keys.get(bytes);
}

function readDatagrams(frame: Uint8Array, at: number, batch: boolean): Datagrams {
  const ecn = ecnFromByte(frame[at]!);
  if (!batch) return { ecn, contents: frame.subarray(at + 1) };
  const segmentSize = (frame[at + 1]! << 8) | frame[at + 2]!;
  // A zero segment size means "no segmentation" (iroh's NonZeroU16::new).
  return { ecn, segmentSize: segmentSize === 0 ? undefined : segmentSize, contents: frame.subarray(at + 3) };
}

function readU32(frame: Uint8Array, at: number): number {
  return frame[at]! * 0x1000000 + ((frame[at + 1]! << 16) | (frame[at + 2]! << 8) | frame[at + 3]!);
}

/**
 * Decodes a client→relay frame. Byte fields are views into `frame`.
 *
 * @param keys - Optional cache for parsing endpoint ids.
 * @throws {@link RelayProtocolError} (see {@link classifyClientFrame}), and `InvalidPublicKey`.
 */
export function decodeClientToRelay(frame: Uint8Array, keys?: KeyCache): ClientToRelayMsg {
  const type = classifyClientFrame(frame);
  const at = varintLength(frame[0]!);
  switch (type) {
    case FrameType.ClientToRelayDatagram:
    case FrameType.ClientToRelayDatagramBatch:
      return {
        type: 'datagrams',
        dst: readKey(frame, at, keys),
        datagrams: readDatagrams(frame, at + KEY_LEN, type === FrameType.ClientToRelayDatagramBatch),
      };
    case FrameType.Ping:
      return { type: 'ping', data: frame.subarray(at) };
    case FrameType.Pong:
      return { type: 'pong', data: frame.subarray(at) };
  }
}

/**
 * Decodes a relay→client frame for the negotiated `version`. Byte fields are views into `frame`.
 *
 * @throws {@link RelayProtocolError} (see {@link classifyRelayFrame}), `InvalidPublicKey` and `InvalidUtf8`.
 */
export function decodeRelayToClient(
  frame: Uint8Array,
  version: ProtocolVersion,
  keys?: KeyCache,
): RelayToClientMsg {
  const type = classifyRelayFrame(frame, version);
  const at = varintLength(frame[0]!);
  switch (type) {
    case FrameType.RelayToClientDatagram:
    case FrameType.RelayToClientDatagramBatch:
      return {
        type: 'datagrams',
        src: readKey(frame, at, keys),
        datagrams: readDatagrams(frame, at + KEY_LEN, type === FrameType.RelayToClientDatagramBatch),
      };
    case FrameType.EndpointGone:
      return { type: 'endpointGone', endpointId: readKey(frame, at, keys) };
    case FrameType.Ping:
      return { type: 'ping', data: frame.subarray(at) };
    case FrameType.Pong:
      return { type: 'pong', data: frame.subarray(at) };
    case FrameType.Health: {
      let problem: string;
      try {
        problem = utf8Decoder.decode(frame.subarray(at));
      } catch (cause) {
        throw new RelayProtocolError('InvalidUtf8', 'Health text is not valid UTF-8', { cause });
      }
      return { type: 'health', problem };
    }
    case FrameType.Restarting:
      return { type: 'restarting', reconnectInMs: readU32(frame, at), tryForMs: readU32(frame, at + 4) };
    case FrameType.Status:
      return { type: 'status', status: frame[at]! };
  }
}

function checkSegmentSize(segmentSize: number | undefined): void {
  if (
    segmentSize !== undefined &&
    (!Number.isInteger(segmentSize) || segmentSize < 1 || segmentSize > 0xffff)
  ) {
    throw new RelayProtocolError('InvalidArgument', `segment size must be 1..65535, got ${segmentSize}`);
  }
}

/**
 * Encodes a datagram frame: types 4/5 when `toRelay`, else 6/7; the batch type is used when
 * `datagrams.segmentSize` is set.
 *
 * @param key - The destination (to the relay) or source (from the relay) endpoint id, 32 bytes.
 * @throws {@link RelayProtocolError} `EmptyDatagram`, `InvalidArgument` or `FrameTooLarge`.
 */
export function encodeDatagramsFrame(toRelay: boolean, key: Uint8Array, datagrams: Datagrams): Uint8Array {
  const { contents, segmentSize } = datagrams;
  if (contents.length === 0) throw new RelayProtocolError('EmptyDatagram', 'cannot send an empty datagram');
  if (key.length !== KEY_LEN) throw new RelayProtocolError('InvalidArgument', 'endpoint id must be 32 bytes');
  checkSegmentSize(segmentSize);
  const batch = segmentSize !== undefined;
  const headerLength = 1 + KEY_LEN + 1 + (batch ? 2 : 0);
  const contentLength = headerLength - 1 + contents.length;
  if (contentLength > MAX_PACKET_SIZE) {
    throw new RelayProtocolError(
      'FrameTooLarge',
      `datagram frame content of ${contentLength} bytes exceeds ${MAX_PACKET_SIZE}`,
    );
  }
  const out = new Uint8Array(headerLength + contents.length);
  out[0] = (toRelay ? FrameType.ClientToRelayDatagram : FrameType.RelayToClientDatagram) + (batch ? 1 : 0);
  out.set(key, 1);
  out[1 + KEY_LEN] = datagrams.ecn & 0b11;
  if (segmentSize !== undefined) {
    out[2 + KEY_LEN] = segmentSize >> 8;
    out[3 + KEY_LEN] = segmentSize & 0xff;
  }
  out.set(contents, headerLength);
  return out;
}

function fixed(type: number, payload: Uint8Array, length: number, what: string): Uint8Array {
  if (payload.length !== length) {
    throw new RelayProtocolError('InvalidArgument', `${what} must be ${length} bytes, got ${payload.length}`);
  }
  const out = new Uint8Array(1 + length);
  out[0] = type;
  out.set(payload, 1);
  return out;
}

function u32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RelayProtocolError('InvalidArgument', `${what} must be a u32, got ${value}`);
  }
  return value;
}

/**
 * Encodes a client→relay message.
 *
 * @throws {@link RelayProtocolError} `EmptyDatagram`, `InvalidArgument` or `FrameTooLarge`.
 */
export function encodeClientToRelay(msg: ClientToRelayMsg): Uint8Array {
  switch (msg.type) {
    case 'datagrams':
      return encodeDatagramsFrame(true, msg.dst.bytesView, msg.datagrams);
    case 'ping':
      return fixed(FrameType.Ping, msg.data, PING_DATA_LENGTH, 'ping data');
    case 'pong':
      return fixed(FrameType.Pong, msg.data, PING_DATA_LENGTH, 'pong data');
  }
}

/**
 * Encodes a relay→client message. `Health` and `Status` are encoded regardless of version; callers
 * pick the one the connection's version allows.
 *
 * @throws {@link RelayProtocolError} `EmptyDatagram`, `InvalidArgument` or `FrameTooLarge`.
 */
export function encodeRelayToClient(msg: RelayToClientMsg): Uint8Array {
  switch (msg.type) {
    case 'datagrams':
      return encodeDatagramsFrame(false, msg.src.bytesView, msg.datagrams);
    case 'endpointGone':
      return fixed(FrameType.EndpointGone, msg.endpointId.bytesView, KEY_LEN, 'endpoint id');
    case 'ping':
      return fixed(FrameType.Ping, msg.data, PING_DATA_LENGTH, 'ping data');
    case 'pong':
      return fixed(FrameType.Pong, msg.data, PING_DATA_LENGTH, 'pong data');
    case 'health': {
      const text = utf8Encoder.encode(msg.problem);
      if (text.length > MAX_PACKET_SIZE) {
        throw new RelayProtocolError('FrameTooLarge', `health text of ${text.length} bytes is too long`);
      }
      const out = new Uint8Array(1 + text.length);
      out[0] = FrameType.Health;
      out.set(text, 1);
      return out;
    }
    case 'restarting': {
      const out = new Uint8Array(9);
      const view = new DataView(out.buffer);
      out[0] = FrameType.Restarting;
      view.setUint32(1, u32(msg.reconnectInMs, 'reconnectInMs'));
      view.setUint32(5, u32(msg.tryForMs, 'tryForMs'));
      return out;
    }
    case 'status': {
      if (!Number.isInteger(msg.status) || msg.status < 0 || msg.status > 0xff) {
        throw new RelayProtocolError('InvalidArgument', `status must be a u8, got ${msg.status}`);
      }
      return Uint8Array.of(FrameType.Status, msg.status);
    }
  }
}
