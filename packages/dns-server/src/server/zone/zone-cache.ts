import type { CachedZone } from './cached-zone.js';

/** Default capacity: about a million zones, as iroh-dns-server. */
export const DEFAULT_ZONE_CACHE_CAPACITY = 1024 * 1024;

/** A least-recently-used cache of parsed zones by z-base-32 key (a `Map` kept in use order). */
export class ZoneCache {
  readonly #capacity: number;
  readonly #zones = new Map<string, CachedZone>();

  /** @param capacity - most zones kept; the least recently used is dropped beyond it. */
  constructor(capacity = DEFAULT_ZONE_CACHE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('zone cache capacity must be >= 1');
    this.#capacity = capacity;
  }

  /** Number of cached zones. */
  get size(): number {
    return this.#zones.size;
  }

  /** The zone for `key`, marking it recently used. */
  get(key: string): CachedZone | undefined {
    const zone = this.#zones.get(key);
    if (zone !== undefined) {
      this.#zones.delete(key);
      this.#zones.set(key, zone);
    }
    return zone;
  }

  /** Caches `zone`, evicting the least recently used zone when full. */
  set(key: string, zone: CachedZone): void {
    this.#zones.delete(key);
    this.#zones.set(key, zone);
    if (this.#zones.size > this.#capacity) {
      const oldest = this.#zones.keys().next().value;
      if (oldest !== undefined) this.#zones.delete(oldest);
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    this.#zones.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#zones.clear();
  }
}
