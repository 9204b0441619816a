/**
 * Publishing our addressing information to a pkarr relay (iroh `address_lookup::PkarrPublisher`). The
 * signing, PUT, republish and retry logic is {@link PkarrPublisher} from `@iroh-ts/dns-server`; this adapts
 * it to the {@link AddressLookup} contract.
 */
import type { PublicKey, SecretKey } from '@iroh-ts/base';
import {
  type AddrFilter,
  EndpointInfo,
  type FetchFn,
  N0_DNS_PKARR_RELAY_PROD,
  N0_DNS_PKARR_RELAY_STAGING,
  PkarrPublisher,
  type PkarrPublisherOptions,
  type Timers,
} from '@iroh-ts/dns-server';
import type { AddressLookup, AddressLookupBuilder, AddressLookupItem, EndpointData } from './types.js';

/** Options of {@link PkarrPublisherLookup}. */
export interface PkarrPublisherLookupOptions {
  /** The pkarr relay. @defaultValue {@link N0_DNS_PKARR_RELAY_PROD} (`https://dns.iroh.link/pkarr`) */
  readonly relayUrl?: string | URL;
  /** Which addresses to publish. @defaultValue `AddrFilter.relayOnly()`, as iroh */
  readonly addrFilter?: AddrFilter;
  /** TTL of the published records, in seconds. @defaultValue 30 */
  readonly ttl?: number;
  /** Republish interval after a success, in ms. @defaultValue 300,000 (5 min) */
  readonly republishIntervalMs?: number;
  /** The fetch to use. @defaultValue the global `fetch` */
  readonly fetch?: FetchFn;
  /** Timers. @defaultValue the global ones */
  readonly timers?: Timers;
  /** Called after each publish attempt with the error, or `undefined` on success. */
  readonly onResult?: PkarrPublisherOptions['onResult'];
}

/**
 * A publish-only {@link AddressLookup}: every {@link publish} signs the (filtered) data with the
 * endpoint's key and PUTs it to a pkarr relay, at once when it changed and again every 5 minutes.
 * `resolve` yields nothing; pair it with {@link PkarrResolverLookup} or {@link DnsLookup}.
 *
 * By default only relay URLs are published (`AddrFilter.relayOnly()`); pass `AddrFilter.unfiltered()` to
 * publish direct addresses too.
 */
export class PkarrPublisherLookup implements AddressLookup {
  /** The provenance iroh uses for pkarr. */
  static readonly PROVENANCE = 'pkarr';
  /** The pkarr relay URL this publishes to. */
  readonly relayUrl: string;
  readonly #publisher: PkarrPublisher;
  readonly #id: PublicKey;

  /**
   * @param secretKey - the endpoint's key; packets are published under its public key.
   * @throws {@link PkarrClientError} `InvalidRelayUrl` for a relay URL that is not http(s).
   */
  constructor(secretKey: SecretKey, options: PkarrPublisherLookupOptions = {}) {
    this.#id = secretKey.public();
    this.#publisher = new PkarrPublisher({
      relayUrl: options.relayUrl ?? N0_DNS_PKARR_RELAY_PROD,
      secretKey,
      ttl: options.ttl,
      republishIntervalMs: options.republishIntervalMs,
      addrFilter: options.addrFilter,
      fetch: options.fetch,
      timers: options.timers,
      onResult: options.onResult,
    });
    this.relayUrl = String(options.relayUrl ?? N0_DNS_PKARR_RELAY_PROD);
  }

  /** A builder that creates the lookup with the endpoint's key. */
  static builder(options: PkarrPublisherLookupOptions = {}): AddressLookupBuilder {
    return ({ secretKey, fetch }) => new PkarrPublisherLookup(secretKey, { fetch, ...options });
  }

  /** A builder publishing to n0's production pkarr relay, `https://dns.iroh.link/pkarr`. */
  static n0(options: Omit<PkarrPublisherLookupOptions, 'relayUrl'> = {}): AddressLookupBuilder {
    return PkarrPublisherLookup.builder({ ...options, relayUrl: N0_DNS_PKARR_RELAY_PROD });
  }

  /** A builder publishing to n0's staging pkarr relay, `https://staging-dns.iroh.link/pkarr`. */
  static n0Staging(options: Omit<PkarrPublisherLookupOptions, 'relayUrl'> = {}): AddressLookupBuilder {
    return PkarrPublisherLookup.builder({ ...options, relayUrl: N0_DNS_PKARR_RELAY_STAGING });
  }

  /** The information being published (after the filter), if any. */
  get published(): EndpointInfo | undefined {
    return this.#publisher.info;
  }

  /** Consecutive failed publish attempts. */
  get failures(): number {
    return this.#publisher.failures;
  }

  /** Publishes `data` (filtered) in the background if it differs from what is published. */
  publish(data: EndpointData): void {
    this.#publisher.update(new EndpointInfo(this.#id, data.addrs, data.userData));
  }

  /**
   * Resolves when no publish is in flight; if nothing was in flight, publishes the current data first.
   * Never rejects: failures go to `onResult` and are retried.
   */
  flush(): Promise<void> {
    return this.#publisher.flush();
  }

  /** Publishing only: yields nothing. */
  async *resolve(_endpointId: PublicKey, _signal?: AbortSignal): AsyncGenerator<AddressLookupItem> {}

  /** Stops republishing; a publish in flight completes. */
  close(): void {
    this.#publisher.close();
  }
}
