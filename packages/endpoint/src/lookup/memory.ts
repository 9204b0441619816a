/**
 * An in-memory address lookup (iroh `MemoryLookup`): the application adds and removes addressing
 * information it learned out of band (from a ticket, say), and resolving an id yields what is stored.
 */
import type { EndpointAddr, PublicKey } from '@iroh-ts/base';
import { EndpointInfo } from '@iroh-ts/dns-server';
import type { AddressLookup, AddressLookupItem } from './types.js';
import { itemFromEndpointInfo } from './types.js';

/** Options of {@link MemoryLookup}. */
export interface MemoryLookupOptions {
  /** The provenance of the items it yields. @defaultValue {@link MemoryLookup.PROVENANCE} */
  readonly provenance?: string;
  /** Clock for `lastUpdated`, in ms since the Unix epoch. @defaultValue `Date.now` */
  readonly now?: () => number;
}

interface Stored {
  readonly info: EndpointInfo;
  readonly lastUpdated: number;
}

/** Either form of addressing information {@link MemoryLookup} accepts. */
export type EndpointInfoLike = EndpointAddr | EndpointInfo;

function toInfo(value: EndpointInfoLike): EndpointInfo {
  return value instanceof EndpointInfo ? value : EndpointInfo.fromEndpointAddr(value);
}

/**
 * An {@link AddressLookup} backed by a map the application fills. It never publishes. Resolving an id
 * yields the stored addresses once, or nothing if none are stored.
 *
 * ```ts
 * const memory = new MemoryLookup();
 * memory.addEndpointInfo(EndpointTicket.fromString(ticket).endpointAddr());
 * ```
 */
export class MemoryLookup implements AddressLookup {
  /** The default provenance of its items. */
  static readonly PROVENANCE = 'memory';
  /** The provenance of the items it yields. */
  readonly provenance: string;
  readonly #now: () => number;
  readonly #entries = new Map<string, Stored>();

  constructor(options: MemoryLookupOptions = {}) {
    this.provenance = options.provenance ?? MemoryLookup.PROVENANCE;
    this.#now = options.now ?? Date.now;
  }

  /** A lookup pre-filled with `infos` (merged per id as by {@link addEndpointInfo}). */
  static from(infos: Iterable<EndpointInfoLike>, options: MemoryLookupOptions = {}): MemoryLookup {
    const lookup = new MemoryLookup(options);
    for (const info of infos) lookup.addEndpointInfo(info);
    return lookup;
  }

  /** How many endpoints have stored information. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Replaces everything stored for the endpoint with `info`.
   *
   * @returns what was stored before, if anything.
   */
  setEndpointInfo(info: EndpointInfoLike): EndpointInfo | undefined {
    const next = toInfo(info);
    const key = next.endpointId.toString();
    const previous = this.#entries.get(key)?.info;
    this.#entries.set(key, { info: next, lastUpdated: this.#now() });
    return previous;
  }

  /**
   * Adds addressing information: new addresses are appended to those already stored (duplicates
   * dropped). User data is replaced when `info` carries some and kept otherwise.
   */
  addEndpointInfo(info: EndpointInfoLike): void {
    const next = toInfo(info);
    const key = next.endpointId.toString();
    const existing = this.#entries.get(key)?.info;
    const merged = existing
      ? existing.withAddrs(next.addrs).withUserData(next.userData ?? existing.userData)
      : next;
    this.#entries.set(key, { info: merged, lastUpdated: this.#now() });
  }

  /** What is stored for `endpointId`, if anything. */
  getEndpointInfo(endpointId: PublicKey): EndpointInfo | undefined {
    return this.#entries.get(endpointId.toString())?.info;
  }

  /**
   * Forgets everything stored for `endpointId`.
   *
   * @returns what was removed, if anything.
   */
  removeEndpointInfo(endpointId: PublicKey): EndpointInfo | undefined {
    const key = endpointId.toString();
    const previous = this.#entries.get(key)?.info;
    this.#entries.delete(key);
    return previous;
  }

  /** Yields the stored information for `endpointId` once, or nothing. */
  async *resolve(endpointId: PublicKey, signal?: AbortSignal): AsyncGenerator<AddressLookupItem> {
    if (signal?.aborted) return;
    const stored = this.#entries.get(endpointId.toString());
    if (stored) yield itemFromEndpointInfo(stored.info, this.provenance, stored.lastUpdated);
  }
}
