/**
 * Several address lookups used as one (iroh `ConcurrentAddressLookup`): publish to all, resolve with all
 * at once and merge what they find, plus a short cache of resolved items.
 */
import type { PublicKey } from '@iroh-ts/base';
import { DEFAULT_PKARR_TTL } from '@iroh-ts/dns-server';
import { linkedController } from './abort.js';
import { ResolveCache } from './cache.js';
import { AddressLookupError } from './errors.js';
import { MemoryLookup } from './memory.js';
import {
  type AddressLookup,
  type AddressLookupBuilder,
  type AddressLookupItem,
  type EndpointData,
  intoAddressLookup,
} from './types.js';

/** Default lifetime of cached resolve results: 30 s, the TTL iroh publishes pkarr records with. */
export const DEFAULT_LOOKUP_CACHE_TTL_MS = DEFAULT_PKARR_TTL * 1000;
/** Default number of (service, endpoint) entries the cache keeps. */
export const DEFAULT_LOOKUP_CACHE_MAX_ENTRIES = 1024;

/** Options of {@link ConcurrentAddressLookup}. */
export interface ConcurrentAddressLookupOptions {
  /** How long resolved items are reused, in ms; 0 turns the cache off. @defaultValue 30,000 */
  readonly cacheTtlMs?: number;
  /** Most cache entries kept (one per service and endpoint id). @defaultValue 1024 */
  readonly cacheMaxEntries?: number;
  /**
   * Which services' results are cached. Services answering from local state should always be asked.
   * @defaultValue every service except {@link MemoryLookup}s
   */
  readonly cacheable?: (lookup: AddressLookup) => boolean;
  /** Clock for the cache, in ms. @defaultValue `Date.now` */
  readonly now?: () => number;
  /** Told about each service failure (publish or resolve); the other services carry on. */
  readonly onError?: (error: AddressLookupError) => void;
}

interface Service {
  readonly lookup: AddressLookup;
  readonly index: number;
  readonly cacheable: boolean;
}

const defaultCacheable = (lookup: AddressLookup): boolean => !(lookup instanceof MemoryLookup);

function nameOf(lookup: AddressLookup): string {
  const provenance = (lookup as { provenance?: unknown }).provenance;
  if (typeof provenance === 'string') return provenance;
  const stat = (lookup.constructor as { PROVENANCE?: unknown } | undefined)?.PROVENANCE;
  if (typeof stat === 'string') return stat;
  return lookup.constructor?.name || 'unknown';
}

/**
 * An {@link AddressLookup} made of several. {@link publish} goes to every service. {@link resolve} asks
 * all services at once and yields their items as they arrive, in arrival order; it ends when every
 * service has finished, or at once when `signal` aborts (or the consumer stops iterating), telling the
 * services to stop. A failing service does not stop the others: its error goes to `onError`, and only if
 * no service yielded anything and at least one failed does the iterable throw an
 * {@link AddressLookupError} `'noResults'` carrying those errors.
 *
 * Results of network services are cached per service and endpoint for `cacheTtlMs` (30 s): a second
 * resolve within that time replays them (same provenance, same `lastUpdated`) without asking the network.
 */
export class ConcurrentAddressLookup implements AddressLookup {
  readonly #services: Service[] = [];
  readonly #cache: ResolveCache;
  readonly #cacheable: (lookup: AddressLookup) => boolean;
  readonly #onError: ((error: AddressLookupError) => void) | undefined;
  #nextIndex = 0;

  constructor(lookups: Iterable<AddressLookup> = [], options: ConcurrentAddressLookupOptions = {}) {
    this.#cache = new ResolveCache(
      options.cacheTtlMs ?? DEFAULT_LOOKUP_CACHE_TTL_MS,
      options.cacheMaxEntries ?? DEFAULT_LOOKUP_CACHE_MAX_ENTRIES,
      options.now ?? Date.now,
    );
    this.#cacheable = options.cacheable ?? defaultCacheable;
    this.#onError = options.onError;
    for (const lookup of lookups) this.add(lookup);
  }

  /** A builder that builds each of `lookups` with the endpoint's context and combines them. */
  static builder(
    lookups: Iterable<AddressLookup | AddressLookupBuilder>,
    options: ConcurrentAddressLookupOptions = {},
  ): AddressLookupBuilder {
    const items = [...lookups];
    return (ctx) =>
      new ConcurrentAddressLookup(
        items.map((l) => intoAddressLookup(l, ctx)),
        options,
      );
  }

  /** The services, in the order they were added. */
  get lookups(): readonly AddressLookup[] {
    return this.#services.map((s) => s.lookup);
  }

  /** Adds a service. */
  add(lookup: AddressLookup): void {
    this.#services.push({ lookup, index: this.#nextIndex++, cacheable: this.#cacheable(lookup) });
  }

  /** Forgets cached results for `endpointId`, or all of them. */
  clearCache(endpointId?: PublicKey): void {
    this.#cache.clear(endpointId === undefined ? undefined : ` ${endpointId.toString()}`);
  }

  /** Passes `data` to every service that publishes; one throwing does not stop the rest. */
  publish(data: EndpointData): void {
    for (const { lookup } of this.#services) {
      try {
        lookup.publish?.(data);
      } catch (cause) {
        this.#report(AddressLookupError.service(nameOf(lookup), cause));
      }
    }
  }

  /** Resolves with every service at once; see the class documentation. */
  async *resolve(endpointId: PublicKey, signal?: AbortSignal): AsyncGenerator<AddressLookupItem> {
    if (signal?.aborted) return;
    const { controller, dispose } = linkedController(signal);
    const inner = controller.signal;
    const queue: AddressLookupItem[] = [];
    const errors: AddressLookupError[] = [];
    const services = [...this.#services];
    let running = services.length;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    inner.addEventListener('abort', notify, { once: true });

    const pump = async (service: Service): Promise<void> => {
      try {
        const key = `${service.index} ${endpointId.toString()}`;
        const useCache = service.cacheable && this.#cache.enabled;
        const cached = useCache ? this.#cache.get(key) : undefined;
        if (cached) {
          queue.push(...cached);
          return;
        }
        const record = useCache ? this.#cache.recorder(key) : undefined;
        for await (const item of service.lookup.resolve(endpointId, inner)) {
          if (inner.aborted) break;
          record?.(item);
          queue.push(item);
          notify();
        }
      } catch (cause) {
        if (inner.aborted) return;
        const error = AddressLookupError.service(nameOf(service.lookup), cause);
        errors.push(error);
        this.#report(error);
      } finally {
        running--;
        notify();
      }
    };

    let yielded = false;
    try {
      for (const service of services) void pump(service);
      while (!inner.aborted) {
        const item = queue.shift();
        if (item !== undefined) {
          yielded = true;
          yield item;
          continue;
        }
        if (running === 0) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (!inner.aborted && !yielded && errors.length > 0) {
        throw new AddressLookupError(
          'noResults',
          `no address found for ${endpointId.fmtShort()}: ${errors.map((e) => e.message).join('; ')}`,
          { errors },
        );
      }
    } finally {
      controller.abort();
      dispose();
    }
  }

  /** Closes every service (waiting for all, ignoring their failures) and clears the cache. */
  async close(): Promise<void> {
    this.#cache.clear();
    await Promise.allSettled(this.#services.map(async ({ lookup }) => lookup.close?.()));
  }

  #report(error: AddressLookupError): void {
    try {
      this.#onError?.(error);
    } catch {
      // a throwing observer must not break the lookups
    }
  }
}
