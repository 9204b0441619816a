/**
 * The store as the servers see it (iroh `ZoneStore`): packets go to a {@link PacketStore}; DNS queries are
 * answered from a cache of parsed zones, filled from the store on a miss and invalidated whenever a
 * packet changes (through this object, or through the store's change notifications). On a store miss an
 * optional {@link PacketFallback} (the Mainline DHT) is asked; its answers are served but neither stored
 * nor kept in the zone cache (the fallback keeps its own, time-limited cache).
 */
import type { SignedPacket } from '../../pkarr/signed-packet.js';
import type { DnsServerMetrics } from '../metrics.js';
import type { PacketStore, UpsertResult } from '../store/store.js';
import { CachedZone } from './cached-zone.js';
import type { PacketFallback } from './fallback.js';
import { DEFAULT_ZONE_CACHE_CAPACITY, ZoneCache } from './zone-cache.js';

/** Options of {@link ZoneStore}. */
export interface ZoneStoreOptions {
  /** Zones kept parsed in memory. @defaultValue 1,048,576 */
  readonly cacheCapacity?: number;
  /** Metrics to update. */
  readonly metrics?: DnsServerMetrics;
  /** Asked for packets the store does not have. */
  readonly fallback?: PacketFallback;
}

/** Packet storage plus a parsed-zone cache. */
export class ZoneStore {
  /** The underlying packet store. */
  readonly store: PacketStore;
  readonly #cache: ZoneCache;
  readonly #metrics: DnsServerMetrics | undefined;
  readonly #unsubscribe: (() => void) | undefined;
  readonly #fallback: PacketFallback | undefined;
  /** Zones built from fallback packets, per packet object (the fallback's cache decides their lifetime). */
  readonly #fallbackZones = new WeakMap<SignedPacket, CachedZone>();
  /** Bumped on every invalidation, so a zone read before an update is not cached after it. */
  #epoch = 0;

  constructor(store: PacketStore, options: ZoneStoreOptions = {}) {
    this.store = store;
    this.#cache = new ZoneCache(options.cacheCapacity ?? DEFAULT_ZONE_CACHE_CAPACITY);
    this.#metrics = options.metrics;
    this.#fallback = options.fallback;
    this.#unsubscribe = store.subscribe?.(
      (key) => this.invalidate(key),
      () => this.invalidateAll(),
    );
  }

  /** Drops the cached zone of `key`. */
  invalidate(key: string): void {
    this.#epoch++;
    this.#cache.delete(key);
    this.#metrics?.cacheZones.set(this.#cache.size);
  }

  /** Drops every cached zone (the store may have changed in ways it could not report). */
  invalidateAll(): void {
    this.#epoch++;
    this.#cache.clear();
    this.#metrics?.cacheZones.set(0);
  }

  /**
   * Stores `packet` if it is more recent than the stored one, and invalidates its cached zone if so.
   * Resolves to what the store did.
   */
  async insert(packet: SignedPacket): Promise<UpsertResult> {
    const result = await this.store.upsert(packet);
    const m = this.#metrics;
    if (result === 'unchanged') {
      m?.pkarrPublishNoop.inc();
    } else {
      this.invalidate(packet.z32);
      m?.pkarrPublishUpdate.inc();
      if (result === 'inserted') m?.storePacketsInserted.inc();
      else m?.storePacketsUpdated.inc();
    }
    return result;
  }

  /** The stored packet of `key` (z-base-32), else the fallback's. */
  async getPacket(key: string): Promise<SignedPacket | undefined> {
    const stored = await this.store.get(key);
    if (stored !== undefined || this.#fallback === undefined) return stored;
    return this.#fallback.resolve(key);
  }

  /** The cached zone of `key` if it is in the cache (no store access). */
  cachedZone(key: string): CachedZone | undefined {
    const zone = this.#cache.get(key);
    if (zone) this.#metrics?.cacheHits.inc();
    return zone;
  }

  /** The zone of `key`, from the cache or else from the store. */
  async zone(key: string): Promise<CachedZone | undefined> {
    const cached = this.cachedZone(key);
    if (cached) return cached;
    this.#metrics?.cacheMisses.inc();
    const epoch = this.#epoch;
    const packet = await this.store.get(key);
    if (!packet) return this.#fallbackZone(key);
    const zone = CachedZone.fromSignedPacket(packet);
    if (epoch === this.#epoch) {
      this.#cache.set(key, zone);
      this.#metrics?.cacheZones.set(this.#cache.size);
    }
    return zone;
  }

  async #fallbackZone(key: string): Promise<CachedZone | undefined> {
    const packet = await this.#fallback?.resolve(key);
    if (packet === undefined) return undefined;
    let zone = this.#fallbackZones.get(packet);
    if (zone === undefined) {
      zone = CachedZone.fromSignedPacket(packet);
      this.#fallbackZones.set(packet, zone);
    }
    return zone;
  }

  /** Removes packets older than `timestamp` (µs) and their cached zones; returns how many. */
  async evictOlderThan(timestamp: bigint): Promise<number> {
    const removed = await this.store.evictOlderThan(timestamp);
    for (const key of removed) this.invalidate(key);
    if (removed.length > 0) this.#metrics?.storePacketsExpired.incBy(removed.length);
    return removed.length;
  }

  /** Stops listening to the store (closes neither the store nor the fallback). */
  close(): void {
    this.#unsubscribe?.();
  }
}
