import type { SignedPacket } from '../../pkarr/signed-packet.js';
import { ChangeListeners } from './listeners.js';
import type { PacketStore, UpsertResult } from './store.js';

/** A {@link PacketStore} in a `Map`; contents are lost when the process ends. */
export class MemoryStore implements PacketStore {
  readonly #packets = new Map<string, SignedPacket>();
  readonly #listeners = new ChangeListeners();

  async get(key: string): Promise<SignedPacket | undefined> {
    return this.#packets.get(key);
  }

  /** Synchronous {@link get}, for callers that know the store is in memory. */
  getSync(key: string): SignedPacket | undefined {
    return this.#packets.get(key);
  }

  async upsert(packet: SignedPacket): Promise<UpsertResult> {
    const key = packet.z32;
    const existing = this.#packets.get(key);
    if (existing && (existing.equals(packet) || existing.moreRecentThan(packet))) return 'unchanged';
    this.#packets.set(key, packet);
    this.#notify(key);
    return existing ? 'updated' : 'inserted';
  }

  async delete(key: string): Promise<boolean> {
    const had = this.#packets.delete(key);
    if (had) this.#notify(key);
    return had;
  }

  async evictOlderThan(timestamp: bigint): Promise<string[]> {
    const removed: string[] = [];
    for (const [key, packet] of this.#packets) {
      if (packet.timestamp < timestamp) removed.push(key);
    }
    for (const key of removed) {
      this.#packets.delete(key);
      this.#notify(key);
    }
    return removed;
  }

  async *entries(): AsyncIterable<SignedPacket> {
    for (const packet of [...this.#packets.values()]) yield packet;
  }

  async size(): Promise<number> {
    return this.#packets.size;
  }

  subscribe(listener: (key: string) => void, onReset?: () => void): () => void {
    return this.#listeners.add(listener, onReset);
  }

  #notify(key: string): void {
    this.#listeners.changed(key);
  }
}
