/** The short-lived cache of resolved items used by {@link ConcurrentAddressLookup} (internal). */
import type { AddressLookupItem } from './types.js';

interface Entry {
  readonly items: AddressLookupItem[];
  readonly expiresAt: number;
}

/**
 * Items per (service, endpoint id), each entry valid for `ttlMs` after the first item of the resolve that
 * produced it. At most `maxEntries` entries are kept; the oldest go first.
 */
export class ResolveCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(ttlMs: number, maxEntries: number, now: () => number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  /** False when the TTL is 0 (caching disabled). */
  get enabled(): boolean {
    return this.#ttlMs > 0 && this.#maxEntries > 0;
  }

  /** Number of entries, fresh or not yet pruned. */
  get size(): number {
    return this.#entries.size;
  }

  /** The fresh items cached under `key`, if any; an expired entry is dropped. */
  get(key: string): readonly AddressLookupItem[] | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#now() >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.items;
  }

  /**
   * A recorder for one resolve: its first item replaces whatever `key` held, later items are appended to
   * the same entry.
   */
  recorder(key: string): (item: AddressLookupItem) => void {
    let entry: Entry | undefined;
    return (item) => {
      if (!this.enabled) return;
      if (!entry) {
        entry = { items: [], expiresAt: this.#now() + this.#ttlMs };
        this.#entries.delete(key);
        this.#entries.set(key, entry);
        this.#prune();
      }
      entry.items.push(item);
    };
  }

  /** Drops the entries whose key ends with `suffix`, or all entries. */
  clear(suffix?: string): void {
    if (suffix === undefined) {
      this.#entries.clear();
      return;
    }
    for (const key of [...this.#entries.keys()]) if (key.endsWith(suffix)) this.#entries.delete(key);
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (now >= entry.expiresAt) this.#entries.delete(key);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}
