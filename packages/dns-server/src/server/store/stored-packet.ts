import { equalBytes } from '@iroh-ts/base';
import { SignedPacket } from '../../pkarr/signed-packet.js';
import { StoreError } from './errors.js';

/**
 * Parses packet bytes read back from a persistent or shared store. The signature is not checked again (it
 * was verified before the bytes were written); sizes, the key and the DNS message are, and the packet must
 * belong to `key`.
 *
 * @throws {@link StoreError} `CorruptPacket` otherwise.
 */
export function decodeStored(key: string, bytes: Uint8Array): SignedPacket {
  let packet: SignedPacket;
  try {
    packet = SignedPacket.fromBytesUnchecked(bytes);
  } catch (cause) {
    throw new StoreError('CorruptPacket', `stored value of ${key} is not a signed packet`, { cause });
  }
  if (packet.z32 !== key) throw new StoreError('CorruptPacket', `stored value of ${key} has another key`);
  return packet;
}

/** Default number of decoded packets {@link DecodedPackets} keeps. */
export const DEFAULT_DECODED_CAPACITY = 4096;

/**
 * A small LRU of packets decoded from stored bytes, so that reading an unchanged packet again costs a byte
 * comparison instead of a parse (decoding validates the Ed25519 key, which dominates a read). An entry is
 * used only when the stored bytes are still identical, so writes by other processes are always seen.
 */
export class DecodedPackets {
  readonly #capacity: number;
  readonly #packets = new Map<string, SignedPacket>();

  constructor(capacity = DEFAULT_DECODED_CAPACITY) {
    this.#capacity = capacity;
  }

  /** The packet of `bytes` stored under `key`. @throws {@link StoreError} `CorruptPacket` */
  decode(key: string, bytes: Uint8Array): SignedPacket {
    const hit = this.#packets.get(key);
    if (hit !== undefined && equalBytes(hit.bytes, bytes)) {
      this.#packets.delete(key);
      this.#packets.set(key, hit);
      return hit;
    }
    const packet = decodeStored(key, bytes);
    this.remember(packet);
    return packet;
  }

  /** Keeps `packet` (just written) for later reads. */
  remember(packet: SignedPacket): void {
    if (this.#capacity === 0) return;
    const key = packet.z32;
    this.#packets.delete(key);
    this.#packets.set(key, packet);
    if (this.#packets.size > this.#capacity) {
      const oldest = this.#packets.keys().next().value;
      if (oldest !== undefined) this.#packets.delete(oldest);
    }
  }

  /** Forgets `key` (removed from the store). */
  forget(key: string): void {
    this.#packets.delete(key);
  }
}
