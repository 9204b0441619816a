import type { SignedPacket } from '../../pkarr/signed-packet.js';

/** What {@link PacketStore.upsert} did. */
export type UpsertResult =
  /** No packet was stored for the key before. */
  | 'inserted'
  /** A packet was replaced by a more recent one. */
  | 'updated'
  /** The stored packet is the same or more recent; nothing changed. */
  | 'unchanged';

/**
 * Storage of the newest signed packet per key. Keys are the signer's z-base-32 public key (lowercase,
 * 52 characters). Every method is async so that the in-memory {@link MemoryStore}, the persistent
 * {@link LmdbStore} and the shared {@link RedisStore} fit behind the same interface.
 *
 * Implementations must apply iroh's rule atomically per key: a packet is stored only when it is more
 * recent than the stored one ({@link SignedPacket.moreRecentThan}).
 */
export interface PacketStore {
  /** The stored packet for `key`, if any. */
  get(key: string): Promise<SignedPacket | undefined>;
  /** Stores `packet` unless the stored packet for its key is the same or more recent. */
  upsert(packet: SignedPacket): Promise<UpsertResult>;
  /** Removes the packet for `key`; true when one was stored. */
  delete(key: string): Promise<boolean>;
  /** Removes every packet whose timestamp (µs) is below `timestamp`; returns the removed keys. */
  evictOlderThan(timestamp: bigint): Promise<string[]>;
  /** Every stored packet, in no particular order. */
  entries(): AsyncIterable<SignedPacket>;
  /** Number of stored packets. */
  size(): Promise<number>;
  /**
   * Registers a listener called with the key of every packet changed or removed (also by other
   * processes, for a shared store). Returns a function that unregisters it. Optional: stores only written
   * through one {@link ZoneStore} need not implement it.
   *
   * @param listener - called with the z-base-32 key of each changed or removed packet.
   * @param onReset - called when notifications may have been lost (for example after a shared store's
   *   connection was re-established); the subscriber should then drop everything it derived from the store.
   */
  subscribe?(listener: (key: string) => void, onReset?: () => void): () => void;
  /** Releases resources. */
  close?(): Promise<void>;
}
