/**
 * QUIC packet headers (RFC 9000 §17): parsing the parts that are not header-protected, building headers,
 * and packet-number truncation and expansion (Appendix A). Header protection and AEAD live in
 * `../crypto/packet-protection.ts`.
 *
 * Parsing is two-step, as in quinn: {@link parseHeader} reads the invariant fields and locates the
 * packet-number field and the end of the packet (so coalesced packets can be split) without any keys;
 * after header protection is removed, the packet number is read and the payload decrypted.
 */
import { CodecError, Reader, type Writer } from './coding.js';

/** QUIC version 1. */
export const QUIC_V1 = 0x00000001;
/** Largest connection ID length in QUIC v1. */
export const MAX_CID_LENGTH = 20;

/** Packet types. */
export type PacketType = 'initial' | '0rtt' | 'handshake' | 'retry' | 'short' | 'version-negotiation';
const LONG_TYPES = ['initial', '0rtt', 'handshake', 'retry'] as const;

/** What {@link parseHeader} learns about one packet before decryption. */
export interface PartialHeader {
  readonly type: PacketType;
  /** Offset of the packet's first byte in the datagram. */
  readonly start: number;
  /** Offset just past this packet (the next coalesced packet starts here). */
  readonly end: number;
  /** The version field (long headers only; 0 for version negotiation). */
  readonly version: number;
  readonly dcid: Uint8Array;
  /** Long headers only. */
  readonly scid: Uint8Array | undefined;
  /** Initial: the token (possibly empty). Retry: the retry token. */
  readonly token: Uint8Array | undefined;
  /** Offset of the (protected) packet-number field; -1 for Retry and version negotiation. */
  readonly pnOffset: number;
  /** Version negotiation: the versions offered. */
  readonly versions: readonly number[] | undefined;
}

/**
 * Parses the unprotected parts of the packet at `start` in `datagram`.
 *
 * @param localCidLength - the length of our connection IDs, needed to find the end of a short header's DCID.
 * @throws {@link CodecError} for anything malformed: the caller drops the rest of the datagram.
 */
export function parseHeader(datagram: Uint8Array, start: number, localCidLength: number): PartialHeader {
  const r = new Reader(datagram, start);
  const first = r.u8();
  if ((first & 0x80) === 0) {
    if ((first & 0x40) === 0) throw new CodecError('InvalidValue', 'fixed bit is zero');
    const dcid = r.bytes(localCidLength);
    // The packet number is 1..4 bytes; a sample needs 4 bytes past its start plus 16.
    if (datagram.length - r.pos < 4 + 16) throw new CodecError('UnexpectedEnd', 'short packet too small');
    return {
      type: 'short',
      start,
      end: datagram.length,
      version: 0,
      dcid,
      scid: undefined,
      token: undefined,
      pnOffset: r.pos,
      versions: undefined,
    };
  }
  const version = r.u32();
  const dcidLen = r.u8();
  if (version !== 0 && dcidLen > MAX_CID_LENGTH)
    throw new CodecError('InvalidValue', `DCID length ${dcidLen} exceeds 20`);
  const dcid = r.bytes(dcidLen);
  const scidLen = r.u8();
  if (version !== 0 && scidLen > MAX_CID_LENGTH)
    throw new CodecError('InvalidValue', `SCID length ${scidLen} exceeds 20`);
  const scid = r.bytes(scidLen);
  if (version === 0) {
    const versions: number[] = [];
    if (r.remaining === 0 || r.remaining % 4 !== 0)
      throw new CodecError('InvalidValue', 'malformed version negotiation');
    while (!r.eof) versions.push(r.u32());
    return {
      type: 'version-negotiation',
      start,
      end: datagram.length,
      version,
      dcid,
      scid,
      token: undefined,
      pnOffset: -1,
      versions,
    };
  }
  if ((first & 0x40) === 0) throw new CodecError('InvalidValue', 'fixed bit is zero');
  if (version !== QUIC_V1) {
    // Unknown version: the caller answers with version negotiation using dcid/scid.
    return {
      type: 'initial',
      start,
      end: datagram.length,
      version,
      dcid,
      scid,
      token: undefined,
      pnOffset: -1,
      versions: undefined,
    };
  }
  const type = LONG_TYPES[(first >> 4) & 0x03]!;
  if (type === 'retry') {
    if (r.remaining < 16) throw new CodecError('UnexpectedEnd', 'retry packet without integrity tag');
    const token = r.bytes(r.remaining - 16);
    return {
      type,
      start,
      end: datagram.length,
      version,
      dcid,
      scid,
      token,
      pnOffset: -1,
      versions: undefined,
    };
  }
  let token: Uint8Array | undefined;
  if (type === 'initial') token = r.bytes(r.varint());
  const length = r.varint();
  const pnOffset = r.pos;
  if (length < 4 + 16 - 3)
    throw new CodecError('InvalidValue', `packet length ${length} too small to sample`);
  r.need(length, 'packet payload');
  if (pnOffset + 4 + 16 > datagram.length)
    throw new CodecError('UnexpectedEnd', 'packet too small to sample');
  return { type, start, end: pnOffset + length, version, dcid, scid, token, pnOffset, versions: undefined };
}

/** The first-byte type bits of a long-header packet type. */
export function longTypeBits(type: 'initial' | '0rtt' | 'handshake' | 'retry'): number {
  return LONG_TYPES.indexOf(type) << 4;
}

/** Fields for {@link writeLongHeader}. */
export interface LongHeaderFields {
  readonly type: 'initial' | '0rtt' | 'handshake';
  readonly version: number;
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
  readonly token?: Uint8Array;
  readonly pn: number;
  readonly pnLength: 1 | 2 | 3 | 4;
  /** Bytes that will follow the packet number: the payload plus the AEAD tag. */
  readonly payloadLength: number;
}

/**
 * Writes a long header up to and including the (unprotected) packet number; returns the offset of the
 * packet-number field within `w`. The length field is always written as a 2-byte varint so that the
 * header size does not depend on the payload (payloads fit in 16383 bytes).
 */
export function writeLongHeader(w: Writer, h: LongHeaderFields): number {
  w.u8(0xc0 | longTypeBits(h.type) | (h.pnLength - 1));
  w.u32(h.version);
  w.u8(h.dcid.length).bytes(h.dcid);
  w.u8(h.scid.length).bytes(h.scid);
  if (h.type === 'initial') {
    const token = h.token ?? new Uint8Array(0);
    w.varint(token.length).bytes(token);
  }
  w.varint(h.pnLength + h.payloadLength, 2);
  const pnOffset = w.len;
  writePacketNumber(w, h.pn, h.pnLength);
  return pnOffset;
}

/** Writes a short (1-RTT) header; returns the offset of the packet-number field within `w`. */
export function writeShortHeader(
  w: Writer,
  dcid: Uint8Array,
  pn: number,
  pnLength: 1 | 2 | 3 | 4,
  keyPhase: boolean,
  spin = false,
): number {
  w.u8(0x40 | (spin ? 0x20 : 0) | (keyPhase ? 0x04 : 0) | (pnLength - 1));
  w.bytes(dcid);
  const pnOffset = w.len;
  writePacketNumber(w, pn, pnLength);
  return pnOffset;
}

function writePacketNumber(w: Writer, pn: number, len: number): void {
  for (let i = len - 1; i >= 0; i--) w.u8(Math.floor(pn / 2 ** (8 * i)) & 0xff);
}

/**
 * How many bytes to send packet number `pn` in, given the largest packet number the peer has
 * acknowledged (RFC 9000 §17.1 and Appendix A.2): enough to cover twice the unacknowledged range.
 */
export function packetNumberLength(pn: number, largestAcked: number | undefined): 1 | 2 | 3 | 4 {
  const unacked = largestAcked === undefined ? pn + 1 : pn - largestAcked;
  // RFC 9000 A.2: min_bits = log2(unacked) + 1, i.e. unacked <= 2^(8n - 1).
  if (unacked <= 2 ** 7) return 1;
  if (unacked <= 2 ** 15) return 2;
  if (unacked <= 2 ** 23) return 3;
  return 4;
}

/**
 * Recovers a full packet number from its truncated form (RFC 9000 Appendix A.3).
 *
 * @param largest - the largest packet number received so far in this space (-1 if none).
 * @param truncated - the value read from the packet.
 * @param bits - 8 × the packet-number length.
 */
export function decodePacketNumber(largest: number, truncated: number, bits: number): number {
  const expected = largest + 1;
  const win = 2 ** bits;
  const hwin = win / 2;
  const mask = win - 1;
  // candidate = (expected & ~mask) | truncated, computed without 32-bit bitwise limits.
  const candidate = expected - (expected % win) + (truncated & mask);
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}
