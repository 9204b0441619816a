/**
 * QUIC packet protection (RFC 9001 §5.3–5.4): AEAD over the payload with the header as associated data
 * and nonce = IV XOR packet number, then header protection over the first byte's low bits and the
 * packet number, keyed by a sample of the ciphertext.
 */
import { backend } from '#crypto-backend';
import { decodePacketNumber, type PartialHeader } from '../proto/packet.js';
import { AEAD_TAG_LENGTH, type AeadAlgorithm, type AeadKey, type HeaderProtectionKey } from './aead.js';

/** The keys protecting packets in one direction of one packet-number space. */
export interface PacketKeys {
  readonly aead: AeadKey;
  readonly iv: Uint8Array;
  readonly hp: HeaderProtectionKey;
}

/** Builds {@link PacketKeys} from raw key material (`quic key`, `quic iv`, `quic hp`). */
export function packetKeys(alg: AeadAlgorithm, key: Uint8Array, iv: Uint8Array, hp: Uint8Array): PacketKeys {
  return { aead: backend.aead(alg, key), iv: iv.slice(), hp: backend.headerProtection(alg, hp) };
}

/**
 * Keys of the next 1-RTT key phase (RFC 9001 §6): new AEAD key and IV from `secret`, the same
 * header-protection key (it never changes).
 */
export function nextPhaseKeys(
  alg: AeadAlgorithm,
  key: Uint8Array,
  iv: Uint8Array,
  current: PacketKeys,
): PacketKeys {
  return { aead: backend.aead(alg, key), iv: iv.slice(), hp: current.hp };
}

/** The name of the crypto backend in use (`node:crypto` or `@noble/ciphers`). */
export const cryptoBackendName: string = backend.name;

// One scratch nonce: the AEAD copies it when a cipher is created, so it is free again at once.
const NONCE_SCRATCH = new Uint8Array(12);

/**
 * nonce = iv XOR (packet number, left-padded to the IV length). With multipath the 4 bytes before the
 * packet number carry the path id (path id as 4-byte big-endian ‖ packet number as 8 bytes), which is
 * RFC 9001's nonce for path 0. The result is only valid until the next call (it is a shared scratch
 * buffer for 12-byte IVs).
 */
export function packetNonce(iv: Uint8Array, pn: number, pathId = 0): Uint8Array {
  const nonce = iv.length === 12 ? NONCE_SCRATCH : new Uint8Array(iv.length);
  nonce.set(iv);
  let v = pn;
  const n = nonce.length;
  for (let i = n - 1; i >= n - 8 && v > 0; i--) {
    nonce[i]! ^= v % 256;
    v = Math.floor(v / 256);
  }
  if (pathId !== 0) {
    nonce[n - 12]! ^= pathId >>> 24;
    nonce[n - 11]! ^= (pathId >>> 16) & 0xff;
    nonce[n - 10]! ^= (pathId >>> 8) & 0xff;
    nonce[n - 9]! ^= pathId & 0xff;
  }
  return nonce;
}

/**
 * Seals one packet. `header` ends with the unprotected packet number (`pnLength` bytes at `pnOffset`);
 * `payload` is the plaintext frames. Returns the packet as it goes on the wire.
 */
export function sealPacket(
  keys: PacketKeys,
  header: Uint8Array,
  pnOffset: number,
  pnLength: number,
  pn: number,
  payload: Uint8Array,
  pathId = 0,
): Uint8Array {
  const out = new Uint8Array(header.length + payload.length + AEAD_TAG_LENGTH);
  sealPacketInto(keys, out, 0, header, pnOffset, pnLength, pn, payload, pathId);
  return out;
}

/**
 * Like {@link sealPacket}, but writes the protected packet into `dst` at `at` (a datagram being
 * assembled) instead of allocating; returns the packet's length. `dst` must have room for
 * `header.length + payload.length + 16` bytes from `at`.
 */
export function sealPacketInto(
  keys: PacketKeys,
  dst: Uint8Array,
  at: number,
  header: Uint8Array,
  pnOffset: number,
  pnLength: number,
  pn: number,
  payload: Uint8Array,
  /** Multipath: the path whose packet number space `pn` belongs to. */
  pathId = 0,
): number {
  const length = header.length + payload.length + AEAD_TAG_LENGTH;
  if (at + length > dst.length) throw new RangeError('no room for the packet in the datagram buffer');
  // The sample starts 4 bytes after the start of the packet-number field.
  if (pnOffset + 4 + 16 > length) throw new RangeError('packet too short to sample for header protection');
  dst.set(header, at);
  keys.aead.sealInto(packetNonce(keys.iv, pn, pathId), header, payload, dst, at + header.length);
  const sampleAt = at + pnOffset + 4;
  const mask = keys.hp.mask(dst.subarray(sampleAt, sampleAt + 16));
  dst[at]! ^= mask[0]! & ((dst[at]! & 0x80) !== 0 ? 0x0f : 0x1f);
  for (let i = 0; i < pnLength; i++) dst[at + pnOffset + i]! ^= mask[1 + i]!;
  return length;
}

/** A packet after header protection is removed and the payload authenticated. */
export interface OpenedPacket {
  /** The full packet number. */
  readonly pn: number;
  /** The first byte with header protection removed. */
  readonly firstByte: number;
  /** 1-RTT only: the key phase bit. */
  readonly keyPhase: boolean;
  /** The decrypted frames. */
  readonly payload: Uint8Array;
  /** True when reserved bits are set: a PROTOCOL_VIOLATION once authenticated (RFC 9000 §17.2). */
  readonly reservedBitsSet: boolean;
}

/** The keys of each 1-RTT key phase (the connection's key-update state). */
export interface PhaseKeys {
  keysFor(keyPhase: boolean, pn: number): PacketKeys | undefined;
}

/**
 * Opens the packet described by `h` inside `datagram`. Returns `undefined` when the AEAD rejects it
 * (wrong keys, corruption or forgery): the caller drops the packet silently. `largestPn` is the largest
 * packet number received so far in this space (-1 if none). When `phases` is given (1-RTT), it picks
 * the keys by the key-phase bit after header protection is removed.
 *
 * The header is unprotected in place, inside `datagram` (it is the AEAD's associated data, so this
 * saves a copy per packet); if the packet does not open, the protected bytes are put back.
 */
export function openPacket(
  keys: PacketKeys,
  datagram: Uint8Array,
  h: PartialHeader,
  largestPn: number,
  phases?: PhaseKeys,
  /** Multipath: the path the packet's destination CID belongs to. */
  pathId = 0,
): OpenedPacket | undefined {
  if (h.pnOffset + 4 + 16 > h.end) return undefined;
  const sampleAt = h.pnOffset + 4;
  const mask = keys.hp.mask(datagram.subarray(sampleAt, sampleAt + 16));
  const long = h.type !== 'short';
  const protectedFirst = datagram[h.start]!;
  const firstByte = protectedFirst ^ (mask[0]! & (long ? 0x0f : 0x1f));
  const pnLength = (firstByte & 0x03) + 1;
  const headerEnd = h.pnOffset + pnLength;
  if (h.end - headerEnd < AEAD_TAG_LENGTH) return undefined;
  let truncatedPn = 0;
  for (let i = 0; i < pnLength; i++)
    truncatedPn = truncatedPn * 256 + (datagram[h.pnOffset + i]! ^ mask[1 + i]!);
  const keyPhase = !long && (firstByte & 0x04) !== 0;
  const pn = decodePacketNumber(largestPn, truncatedPn, pnLength * 8);
  const aeadKeys = phases ? phases.keysFor(keyPhase, pn) : keys;
  if (!aeadKeys) return undefined;
  // Unprotect in place: the first byte and the packet number (XOR with the mask again undoes it).
  datagram[h.start] = firstByte;
  for (let i = 0; i < pnLength; i++) datagram[h.pnOffset + i]! ^= mask[1 + i]!;
  const payload = aeadKeys.aead.open(
    packetNonce(aeadKeys.iv, pn, pathId),
    datagram.subarray(h.start, headerEnd),
    datagram.subarray(headerEnd, h.end),
  );
  if (!payload) {
    datagram[h.start] = protectedFirst;
    for (let i = 0; i < pnLength; i++) datagram[h.pnOffset + i]! ^= mask[1 + i]!;
    return undefined;
  }
  const reservedBitsSet = (firstByte & (long ? 0x0c : 0x18)) !== 0;
  return { pn, firstByte, keyPhase, payload, reservedBitsSet };
}
