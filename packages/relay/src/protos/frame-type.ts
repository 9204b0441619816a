/**
 * Relay frame types. On the wire the type is a QUIC variable-length integer (RFC 9000 §16); every
 * defined value fits in one byte, but a longer (non-minimal) encoding is still accepted, as iroh does.
 *
 * @module
 */
import { RelayProtocolError } from './errors.js';

/** The frame types of iroh-relay (handshake 0–3, relay 4–13). */
export const FrameType = {
  ServerChallenge: 0,
  ClientAuth: 1,
  ServerConfirmsAuth: 2,
  ServerDeniesAuth: 3,
  ClientToRelayDatagram: 4,
  ClientToRelayDatagramBatch: 5,
  RelayToClientDatagram: 6,
  RelayToClientDatagramBatch: 7,
  EndpointGone: 8,
  Ping: 9,
  Pong: 10,
  /** v1 only. */
  Health: 11,
  Restarting: 12,
  /** v2 only. */
  Status: 13,
} as const;

/** One of the {@link FrameType} values. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const NAMES: readonly string[] = Object.keys(FrameType);

/** The name of a frame type, e.g. `Ping`, or `Unknown(99)`. */
export function frameTypeName(type: number): string {
  return NAMES[type] ?? `Unknown(${type})`;
}

/** Number of bytes of a QUIC varint whose first byte is `firstByte` (1, 2, 4 or 8). */
export function varintLength(firstByte: number): number {
  return 1 << (firstByte >> 6);
}

/**
 * Reads the frame type at the start of `frame`.
 *
 * @returns The type value (may be any number; unknown types are the caller's concern). Types beyond
 *   2^53 lose precision, which does not matter since no such type exists.
 * @throws {@link RelayProtocolError} `UnexpectedEnd` if the varint is truncated.
 */
export function readFrameType(frame: Uint8Array): number {
  if (frame.length === 0) throw new RelayProtocolError('UnexpectedEnd', 'empty frame: no frame type');
  const first = frame[0]!;
  const len = varintLength(first);
  if (len === 1) return first;
  if (frame.length < len) {
    throw new RelayProtocolError(
      'UnexpectedEnd',
      `frame type varint needs ${len} bytes, got ${frame.length}`,
    );
  }
  let value = first & 0x3f;
  for (let i = 1; i < len; i++) value = value * 256 + frame[i]!;
  return value;
}

/** True for the types iroh-relay defines (0–13). */
export function isKnownFrameType(type: number): type is FrameType {
  return Number.isInteger(type) && type >= 0 && type <= 13;
}
