/**
 * QUIC frame types (RFC 9000 §19, RFC 9221 DATAGRAM, draft-ietf-quic-ack-frequency ACK_FREQUENCY and
 * IMMEDIATE_ACK): the {@link Frame} union, the wire type codes, and which frames may appear in which
 * packet types (RFC 9000 Table 3). Sans-IO, no Node imports.
 *
 * Numeric conventions (all QUIC integers are varints up to 2^62 − 1):
 * - **strict** fields (stream ids, offsets, lengths, packet numbers, CID sequence numbers, ACK_FREQUENCY
 *   sequence numbers) are `number`s; the decoder rejects values above 2^53 − 1 with FRAME_ENCODING_ERROR.
 *   No correct peer reaches them: a stream would need 8 PiB of data, a peer 2^53 packets.
 * - **saturating** fields are `number`s clamped to `Number.MAX_SAFE_INTEGER` on decode; they are limits or
 *   advisory values where "2^53 − 1" and "more than that" mean the same thing in practice. On encode,
 *   `Number.MAX_SAFE_INTEGER` in such a field is written as the field's protocol maximum (2^62 − 1, or 2^60
 *   for stream counts), so "unlimited" survives a round trip. They are marked *saturating* below.
 * - **codes** (application and transport error codes) are `bigint`s and exact: applications may use the
 *   full 62-bit space.
 */
import { type ExtFrame, ExtFrameType } from './frame-types-ext.js';
import type { RangeSet } from './range-set.js';

/** Wire type codes. STREAM is 0x08–0x0f (bits {@link STREAM_BIT_OFF}, {@link STREAM_BIT_LEN}, {@link STREAM_BIT_FIN}). */
export const FrameType = {
  PADDING: 0x00,
  PING: 0x01,
  ACK: 0x02,
  ACK_ECN: 0x03,
  RESET_STREAM: 0x04,
  STOP_SENDING: 0x05,
  CRYPTO: 0x06,
  NEW_TOKEN: 0x07,
  STREAM: 0x08,
  MAX_DATA: 0x10,
  MAX_STREAM_DATA: 0x11,
  MAX_STREAMS_BIDI: 0x12,
  MAX_STREAMS_UNI: 0x13,
  DATA_BLOCKED: 0x14,
  STREAM_DATA_BLOCKED: 0x15,
  STREAMS_BLOCKED_BIDI: 0x16,
  STREAMS_BLOCKED_UNI: 0x17,
  NEW_CONNECTION_ID: 0x18,
  RETIRE_CONNECTION_ID: 0x19,
  PATH_CHALLENGE: 0x1a,
  PATH_RESPONSE: 0x1b,
  CONNECTION_CLOSE: 0x1c,
  APPLICATION_CLOSE: 0x1d,
  HANDSHAKE_DONE: 0x1e,
  IMMEDIATE_ACK: 0x1f,
  DATAGRAM: 0x30,
  DATAGRAM_LEN: 0x31,
  ACK_FREQUENCY: 0xaf,
} as const;

/** STREAM type bit: an Offset field is present. */
export const STREAM_BIT_OFF = 0x04;
/** STREAM type bit: a Length field is present (otherwise the data runs to the end of the packet). */
export const STREAM_BIT_LEN = 0x02;
/** STREAM type bit: this frame carries the final byte of the stream. */
export const STREAM_BIT_FIN = 0x01;

/** Largest stream count (MAX_STREAMS, STREAMS_BLOCKED, initial_max_streams_*): 2^60. */
export const MAX_STREAM_COUNT = 2 ** 60;
/** Maximum length of a connection ID in QUIC v1. */
export const MAX_CID_LENGTH = 20;
/** Length of a stateless reset token. */
export const RESET_TOKEN_LENGTH = 16;

/** One or more consecutive PADDING bytes (0x00), coalesced by the decoder. */
export interface PaddingFrame {
  readonly type: 'padding';
  /** Number of 0x00 bytes (≥ 1). */
  length: number;
}

/** PING (0x01). */
export interface PingFrame {
  readonly type: 'ping';
}

/** ECN counts of an ACK_ECN frame (saturating). */
export interface EcnCounts {
  ect0: number;
  ect1: number;
  ce: number;
}

/** ACK (0x02) or, when `ecn` is set, ACK_ECN (0x03). */
export interface AckFrame {
  readonly type: 'ack';
  /** The raw ACK Delay field (saturating); scale it by 2^ack_delay_exponent µs. */
  ackDelay: number;
  /** Acknowledged packet numbers (non-empty); the largest one is `ranges.max()`. */
  ranges: RangeSet;
  /** ECN counts (ACK_ECN) or `undefined` (ACK). */
  ecn?: EcnCounts | undefined;
  /** Multipath: the path whose packet number space this acknowledges (PATH_ACK 0x3e / PATH_ACK_ECN 0x3f). */
  pathId?: number | undefined;
}

/** RESET_STREAM (0x04). */
export interface ResetStreamFrame {
  readonly type: 'resetStream';
  streamId: number;
  errorCode: bigint;
  finalSize: number;
}

/** STOP_SENDING (0x05). */
export interface StopSendingFrame {
  readonly type: 'stopSending';
  streamId: number;
  errorCode: bigint;
}

/** CRYPTO (0x06). `data` is a view into the packet. */
export interface CryptoFrame {
  readonly type: 'crypto';
  offset: number;
  data: Uint8Array;
}

/** NEW_TOKEN (0x07). `token` is a non-empty view into the packet. */
export interface NewTokenFrame {
  readonly type: 'newToken';
  token: Uint8Array;
}

/** STREAM (0x08–0x0f). `data` is a view into the packet. */
export interface StreamFrame {
  readonly type: 'stream';
  streamId: number;
  offset: number;
  fin: boolean;
  data: Uint8Array;
  /**
   * Whether the Length field is present. The encoder writes it unless this is `false` (then the frame must
   * be the last one in the packet); the decoder sets it from the LEN bit.
   */
  explicitLength?: boolean | undefined;
}

/** MAX_DATA (0x10). `maximum` is saturating. */
export interface MaxDataFrame {
  readonly type: 'maxData';
  maximum: number;
}

/** MAX_STREAM_DATA (0x11). `maximum` is saturating. */
export interface MaxStreamDataFrame {
  readonly type: 'maxStreamData';
  streamId: number;
  maximum: number;
}

/** MAX_STREAMS (0x12 bidi, 0x13 uni). `maximum` ≤ 2^60, saturating. */
export interface MaxStreamsFrame {
  readonly type: 'maxStreams';
  bidi: boolean;
  maximum: number;
}

/** DATA_BLOCKED (0x14). `limit` is saturating. */
export interface DataBlockedFrame {
  readonly type: 'dataBlocked';
  limit: number;
}

/** STREAM_DATA_BLOCKED (0x15). `limit` is saturating. */
export interface StreamDataBlockedFrame {
  readonly type: 'streamDataBlocked';
  streamId: number;
  limit: number;
}

/** STREAMS_BLOCKED (0x16 bidi, 0x17 uni). `limit` ≤ 2^60, saturating. */
export interface StreamsBlockedFrame {
  readonly type: 'streamsBlocked';
  bidi: boolean;
  limit: number;
}

/** NEW_CONNECTION_ID (0x18). `connectionId` (1–20 bytes) and `resetToken` (16 bytes) are views. */
export interface NewConnectionIdFrame {
  readonly type: 'newConnectionId';
  sequence: number;
  retirePriorTo: number;
  connectionId: Uint8Array;
  resetToken: Uint8Array;
  /** Multipath: PATH_NEW_CONNECTION_ID (0x3e78) for this path id. */
  pathId?: number | undefined;
}

/** RETIRE_CONNECTION_ID (0x19). */
export interface RetireConnectionIdFrame {
  readonly type: 'retireConnectionId';
  sequence: number;
  /** Multipath: PATH_RETIRE_CONNECTION_ID (0x3e79) for this path id. */
  pathId?: number | undefined;
}

/** PATH_CHALLENGE (0x1a): 8 bytes of data (a view). */
export interface PathChallengeFrame {
  readonly type: 'pathChallenge';
  data: Uint8Array;
}

/** PATH_RESPONSE (0x1b): 8 bytes of data (a view). */
export interface PathResponseFrame {
  readonly type: 'pathResponse';
  data: Uint8Array;
}

/** CONNECTION_CLOSE with a transport error code (0x1c). */
export interface ConnectionCloseFrame {
  readonly type: 'connectionClose';
  /** Transport error code (see `TransportErrorCode`). */
  errorCode: bigint;
  /** Type of the frame that triggered the error, 0 if unknown (saturating). */
  frameType: number;
  /** Reason phrase bytes (UTF-8 is not enforced), a view. */
  reason: Uint8Array;
}

/** CONNECTION_CLOSE with an application error code (0x1d). */
export interface ApplicationCloseFrame {
  readonly type: 'applicationClose';
  errorCode: bigint;
  reason: Uint8Array;
}

/** HANDSHAKE_DONE (0x1e). */
export interface HandshakeDoneFrame {
  readonly type: 'handshakeDone';
}

/** DATAGRAM (0x30 without length, 0x31 with length; RFC 9221). `data` is a view. */
export interface DatagramFrame {
  readonly type: 'datagram';
  data: Uint8Array;
  /** Whether the Length field is present; the encoder writes it unless this is `false`. */
  explicitLength?: boolean | undefined;
}

/** ACK_FREQUENCY (0xaf, draft-ietf-quic-ack-frequency). */
export interface AckFrequencyFrame {
  readonly type: 'ackFrequency';
  /** Sequence number (strict). */
  sequence: number;
  /** Ack-eliciting packets to receive before acknowledging (saturating). */
  ackElicitingThreshold: number;
  /** Requested max_ack_delay, in microseconds (saturating). */
  requestMaxAckDelay: number;
  /** Reordering threshold; 0 = do not ack immediately on reordering (saturating). */
  reorderingThreshold: number;
}

/** IMMEDIATE_ACK (0x1f, draft-ietf-quic-ack-frequency). */
export interface ImmediateAckFrame {
  readonly type: 'immediateAck';
}

/** Any frame this codec understands. */
export type Frame =
  | PaddingFrame
  | PingFrame
  | AckFrame
  | ResetStreamFrame
  | StopSendingFrame
  | CryptoFrame
  | NewTokenFrame
  | StreamFrame
  | MaxDataFrame
  | MaxStreamDataFrame
  | MaxStreamsFrame
  | DataBlockedFrame
  | StreamDataBlockedFrame
  | StreamsBlockedFrame
  | NewConnectionIdFrame
  | RetireConnectionIdFrame
  | PathChallengeFrame
  | PathResponseFrame
  | ConnectionCloseFrame
  | ApplicationCloseFrame
  | HandshakeDoneFrame
  | DatagramFrame
  | AckFrequencyFrame
  | ImmediateAckFrame
  | ExtFrame;

/** The `type` tag of a {@link Frame}. */
export type FrameKind = Frame['type'];

/** Packet types, for {@link isFrameAllowed}. */
export type FramePacketType = 'initial' | 'handshake' | 'zeroRtt' | 'oneRtt';

const I = 1;
const H = 2;
const Z = 4;
const O = 8;
const PACKET_BIT: Record<FramePacketType, number> = { initial: I, handshake: H, zeroRtt: Z, oneRtt: O };

/** Per-kind properties: allowed packet types (RFC 9000 Table 3 "Pkts"), ack-eliciting, probing ("P"). */
interface KindInfo {
  packets: number;
  ackEliciting: boolean;
  probing: boolean;
}

const info = (packets: number, ackEliciting = true, probing = false): KindInfo => ({
  packets,
  ackEliciting,
  probing,
});

const KIND_INFO: Record<FrameKind, KindInfo> = {
  padding: info(I | H | Z | O, false, true),
  ping: info(I | H | Z | O),
  ack: info(I | H | O, false),
  resetStream: info(Z | O),
  stopSending: info(Z | O),
  crypto: info(I | H | O),
  newToken: info(O),
  stream: info(Z | O),
  maxData: info(Z | O),
  maxStreamData: info(Z | O),
  maxStreams: info(Z | O),
  dataBlocked: info(Z | O),
  streamDataBlocked: info(Z | O),
  streamsBlocked: info(Z | O),
  newConnectionId: info(Z | O, true, true),
  retireConnectionId: info(Z | O),
  pathChallenge: info(Z | O, true, true),
  pathResponse: info(O, true, true),
  connectionClose: info(I | H | Z | O, false),
  applicationClose: info(Z | O, false),
  handshakeDone: info(O),
  // RFC 9221 §4: DATAGRAM frames are sent in 0-RTT and 1-RTT packets only.
  datagram: info(Z | O),
  // draft-ietf-quic-ack-frequency §3: not in 0-RTT (min_ack_delay is not remembered), so 1-RTT only.
  ackFrequency: info(O),
  immediateAck: info(O),
  // Multipath, NAT traversal and address discovery frames are 1-RTT only. Like NEW_CONNECTION_ID,
  // OBSERVED_ADDRESS is a probing frame (noq treats it so).
  pathAbandon: info(O),
  pathStatus: info(O),
  maxPathId: info(O),
  pathsBlocked: info(O),
  pathCidsBlocked: info(O),
  addAddress: info(O),
  reachOut: info(O),
  removeAddress: info(O),
  observedAddress: info(O, true, true),
};

/**
 * Whether a frame of kind `kind` may appear in a packet of type `packet` (RFC 9000 Table 3; RFC 9221;
 * draft-ietf-quic-ack-frequency). A frame in the wrong packet type is a PROTOCOL_VIOLATION (RFC 9000 §12.4).
 * Note that CONNECTION_CLOSE 0x1c (`connectionClose`) is allowed everywhere, 0x1d (`applicationClose`) only
 * in 0-RTT and 1-RTT packets.
 */
export function isFrameAllowed(kind: FrameKind, packet: FramePacketType): boolean {
  return (KIND_INFO[kind].packets & PACKET_BIT[packet]) !== 0;
}

/** Whether a frame of kind `kind` is ack-eliciting: all but ACK, PADDING and CONNECTION_CLOSE (RFC 9002 §2). */
export function isAckEliciting(kind: FrameKind): boolean {
  return KIND_INFO[kind].ackEliciting;
}

/**
 * Whether `kind` is a probing frame (RFC 9000 §9.1: PATH_CHALLENGE, PATH_RESPONSE, NEW_CONNECTION_ID,
 * PADDING). A packet with only probing frames does not cause the peer to migrate.
 */
export function isProbingFrame(kind: FrameKind): boolean {
  return KIND_INFO[kind].probing;
}

/**
 * The frame kind for a wire type code, or `undefined` for types this codec does not know. The multipath
 * variants map to their RFC 9000 kinds (PATH_ACK 0x3e / PATH_ACK_ECN 0x3f → `ack`, PATH_NEW_CONNECTION_ID
 * 0x3e78 → `newConnectionId`, PATH_RETIRE_CONNECTION_ID 0x3e79 → `retireConnectionId`); both PATH_STATUS
 * types map to `pathStatus`, and the IPv4 and IPv6 types of ADD_ADDRESS, REACH_OUT and OBSERVED_ADDRESS to
 * one kind each.
 */
export function frameKindOf(type: number): FrameKind | undefined {
  if (type >= 0x08 && type <= 0x0f) return 'stream';
  return KIND_BY_TYPE.get(type);
}

const KIND_BY_TYPE = new Map<number, FrameKind>([
  [FrameType.PADDING, 'padding'],
  [FrameType.PING, 'ping'],
  [FrameType.ACK, 'ack'],
  [FrameType.ACK_ECN, 'ack'],
  [FrameType.RESET_STREAM, 'resetStream'],
  [FrameType.STOP_SENDING, 'stopSending'],
  [FrameType.CRYPTO, 'crypto'],
  [FrameType.NEW_TOKEN, 'newToken'],
  [FrameType.MAX_DATA, 'maxData'],
  [FrameType.MAX_STREAM_DATA, 'maxStreamData'],
  [FrameType.MAX_STREAMS_BIDI, 'maxStreams'],
  [FrameType.MAX_STREAMS_UNI, 'maxStreams'],
  [FrameType.DATA_BLOCKED, 'dataBlocked'],
  [FrameType.STREAM_DATA_BLOCKED, 'streamDataBlocked'],
  [FrameType.STREAMS_BLOCKED_BIDI, 'streamsBlocked'],
  [FrameType.STREAMS_BLOCKED_UNI, 'streamsBlocked'],
  [FrameType.NEW_CONNECTION_ID, 'newConnectionId'],
  [FrameType.RETIRE_CONNECTION_ID, 'retireConnectionId'],
  [FrameType.PATH_CHALLENGE, 'pathChallenge'],
  [FrameType.PATH_RESPONSE, 'pathResponse'],
  [FrameType.CONNECTION_CLOSE, 'connectionClose'],
  [FrameType.APPLICATION_CLOSE, 'applicationClose'],
  [FrameType.HANDSHAKE_DONE, 'handshakeDone'],
  [FrameType.IMMEDIATE_ACK, 'immediateAck'],
  [FrameType.DATAGRAM, 'datagram'],
  [FrameType.DATAGRAM_LEN, 'datagram'],
  [FrameType.ACK_FREQUENCY, 'ackFrequency'],
  [ExtFrameType.PATH_ACK, 'ack'],
  [ExtFrameType.PATH_ACK_ECN, 'ack'],
  [ExtFrameType.PATH_ABANDON, 'pathAbandon'],
  [ExtFrameType.PATH_STATUS_BACKUP, 'pathStatus'],
  [ExtFrameType.PATH_STATUS_AVAILABLE, 'pathStatus'],
  [ExtFrameType.PATH_NEW_CONNECTION_ID, 'newConnectionId'],
  [ExtFrameType.PATH_RETIRE_CONNECTION_ID, 'retireConnectionId'],
  [ExtFrameType.MAX_PATH_ID, 'maxPathId'],
  [ExtFrameType.PATHS_BLOCKED, 'pathsBlocked'],
  [ExtFrameType.PATH_CIDS_BLOCKED, 'pathCidsBlocked'],
  [ExtFrameType.ADD_ADDRESS_V4, 'addAddress'],
  [ExtFrameType.ADD_ADDRESS_V6, 'addAddress'],
  [ExtFrameType.REACH_OUT_V4, 'reachOut'],
  [ExtFrameType.REACH_OUT_V6, 'reachOut'],
  [ExtFrameType.REMOVE_ADDRESS, 'removeAddress'],
  [ExtFrameType.OBSERVED_ADDRESS_V4, 'observedAddress'],
  [ExtFrameType.OBSERVED_ADDRESS_V6, 'observedAddress'],
]);
