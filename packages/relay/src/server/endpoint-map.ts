/**
 * A hash map keyed by 32-byte endpoint ids that looks keys up straight from a frame buffer at an
 * offset, without building a string or copying, so the forwarding path does not allocate.
 *
 * The hash is keyed with a random per-map seed, so clients cannot pick ids that pile into one bucket.
 *
 * @module
 */

interface Entry<V> {
  readonly key: Uint8Array;
  value: V;
  next: Entry<V> | undefined;
}

function sameKey(key: Uint8Array, bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (key[i] !== bytes[offset + i]) return false;
  return true;
}

/** Map from endpoint id bytes to `V`. */
export class EndpointMap<V> {
  readonly #buckets = new Map<number, Entry<V>>();
  readonly #seed: number;
  #size = 0;

  /** @param seed - Hash seed; pass a random 32-bit value. */
  constructor(seed: number) {
    this.#seed = seed | 0;
  }

  #hash(b: Uint8Array, o: number): number {
    let h = this.#seed;
    for (let i = 0; i < 16; i += 4) {
      const w = b[o + i]! | (b[o + i + 1]! << 8) | (b[o + i + 2]! << 16) | (b[o + i + 3]! << 24);
      h = Math.imul(h ^ w, 0x9e3779b1);
      h ^= h >>> 15;
    }
    // 30 bits keep the key a small integer in V8.
    return h & 0x3fffffff;
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Looks up the id stored at `bytes[offset..offset + 32]`. */
  get(bytes: Uint8Array, offset = 0): V | undefined {
    let e = this.#buckets.get(this.#hash(bytes, offset));
    while (e !== undefined) {
      if (sameKey(e.key, bytes, offset)) return e.value;
      e = e.next;
    }
    return undefined;
  }

  /** Inserts or replaces the value for `key` (32 bytes; the map keeps its own copy). */
  set(key: Uint8Array, value: V): void {
    const h = this.#hash(key, 0);
    const head = this.#buckets.get(h);
    for (let e = head; e !== undefined; e = e.next) {
      if (sameKey(e.key, key, 0)) {
        e.value = value;
        return;
      }
    }
    this.#buckets.set(h, { key: key.slice(0, 32), value, next: head });
    this.#size++;
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: Uint8Array): boolean {
    const h = this.#hash(key, 0);
    let prev: Entry<V> | undefined;
    for (let e = this.#buckets.get(h); e !== undefined; prev = e, e = e.next) {
      if (!sameKey(e.key, key, 0)) continue;
      if (prev !== undefined) prev.next = e.next;
      else if (e.next !== undefined) this.#buckets.set(h, e.next);
      else this.#buckets.delete(h);
      this.#size--;
      return true;
    }
    return false;
  }

  /** Every value, in no particular order. */
  *values(): IterableIterator<V> {
    for (const head of this.#buckets.values()) {
      for (let e: Entry<V> | undefined = head; e !== undefined; e = e.next) yield e.value;
    }
  }
}
