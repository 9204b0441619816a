import type { SignedPacket } from '../../pkarr/signed-packet.js';

/**
 * A second source of packets, asked by {@link ZoneStore} when the store has none for a key (iroh-dns-server
 * asks the Mainline DHT: {@link MainlineFallback}). Implementations cache as they see fit; the zone store
 * does not put their answers in its own cache or in the store.
 */
export interface PacketFallback {
  /** The most recent packet known for `key` (z-base-32), or `undefined`. Must not reject. */
  resolve(key: string): Promise<SignedPacket | undefined>;
  /** Releases resources. */
  close?(): Promise<void>;
}
