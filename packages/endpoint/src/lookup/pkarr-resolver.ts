/**
 * Resolving addressing information from a pkarr relay over HTTP (iroh `address_lookup::PkarrResolver`):
 * `GET <relay>/<z32>`, verify the signed packet, read its `_iroh` TXT records. Browser-safe.
 */
import type { PublicKey } from '@iroh-ts/base';
import {
  EndpointInfo,
  type FetchFn,
  N0_DNS_PKARR_RELAY_PROD,
  N0_DNS_PKARR_RELAY_STAGING,
  PkarrClientError,
  PkarrResolver,
} from '@iroh-ts/dns-server';
import { type Raced, raceAbort } from './abort.js';
import { AddressLookupError } from './errors.js';
import {
  type AddressLookup,
  type AddressLookupBuilder,
  type AddressLookupItem,
  itemFromEndpointInfo,
} from './types.js';

/** Options of {@link PkarrResolverLookup}. */
export interface PkarrResolverLookupOptions {
  /** The fetch to use. @defaultValue the global `fetch` */
  readonly fetch?: FetchFn;
}

/**
 * A resolve-only {@link AddressLookup} asking one pkarr relay. It yields at most one item, with
 * provenance `"pkarr"` and `lastUpdated` taken from the packet's timestamp. A failure (unknown id: HTTP
 * 404, network error, bad signature or records) is thrown as an {@link AddressLookupError} `'service'`
 * whose `cause` is the {@link PkarrClientError}.
 */
export class PkarrResolverLookup implements AddressLookup {
  /** The provenance of its items, as iroh's. */
  static readonly PROVENANCE = 'pkarr';
  readonly #resolver: PkarrResolver;

  /**
   * @param relayUrl - the pkarr relay, e.g. `https://dns.iroh.link/pkarr`.
   * @throws {@link PkarrClientError} `InvalidRelayUrl` for a URL that is not http(s).
   */
  constructor(relayUrl: string | URL, options: PkarrResolverLookupOptions = {}) {
    this.#resolver = new PkarrResolver(relayUrl, { fetch: options.fetch });
  }

  /** A builder that uses the endpoint's HTTPS fetch (and so its CA roots) unless `options` has one. */
  static builder(relayUrl: string | URL, options: PkarrResolverLookupOptions = {}): AddressLookupBuilder {
    return ({ fetch }) => new PkarrResolverLookup(relayUrl, { fetch, ...options });
  }

  /** Resolves from n0's production pkarr relay, `https://dns.iroh.link/pkarr`. */
  static n0(options: PkarrResolverLookupOptions = {}): PkarrResolverLookup {
    return new PkarrResolverLookup(N0_DNS_PKARR_RELAY_PROD, options);
  }

  /** Resolves from n0's staging pkarr relay, `https://staging-dns.iroh.link/pkarr`. */
  static n0Staging(options: PkarrResolverLookupOptions = {}): PkarrResolverLookup {
    return new PkarrResolverLookup(N0_DNS_PKARR_RELAY_STAGING, options);
  }

  /** The relay URL asked, normalised (no trailing slash). */
  get relayUrl(): string {
    return this.#resolver.client.relayUrl;
  }

  /** Yields what `endpointId` published on the relay. @throws {@link AddressLookupError} `'service'` */
  async *resolve(endpointId: PublicKey, signal?: AbortSignal): AsyncGenerator<AddressLookupItem> {
    if (signal?.aborted) return;
    let raced: Raced<AddressLookupItem>;
    try {
      raced = await raceAbort(this.#lookup(endpointId, signal), signal);
    } catch (cause) {
      throw AddressLookupError.service(PkarrResolverLookup.PROVENANCE, cause);
    }
    if (!raced.aborted) yield raced.value;
  }

  async #lookup(endpointId: PublicKey, signal?: AbortSignal): Promise<AddressLookupItem> {
    const packet = await this.#resolver.client.resolve(endpointId, signal);
    let info: EndpointInfo;
    try {
      info = EndpointInfo.fromSignedPacket(packet);
    } catch (cause) {
      throw new PkarrClientError('Decoding', `invalid endpoint records: ${(cause as Error).message}`, {
        cause,
      });
    }
    // The packet timestamp is in microseconds since the epoch.
    return itemFromEndpointInfo(info, PkarrResolverLookup.PROVENANCE, Number(packet.timestamp / 1000n));
  }
}
