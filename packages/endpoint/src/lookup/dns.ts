/**
 * Resolving addressing information over DNS (iroh `address_lookup::DnsAddressLookup`): `TXT
 * _iroh.<z32>.<origin>` with iroh's staggered attempts, via {@link DnsAddressLookup} from
 * `@iroh-ts/dns-server`. The DNS transport is injected: DoH (`DohTransport`, browser-safe) or UDP/TCP
 * from `@iroh-ts/dns-server/node`.
 */
import type { PublicKey } from '@iroh-ts/base';
import {
  DnsAddressLookup,
  type DnsAddressLookupOptions,
  N0_DNS_ENDPOINT_ORIGIN_PROD,
  N0_DNS_ENDPOINT_ORIGIN_STAGING,
} from '@iroh-ts/dns-server';
import { type Raced, raceAbort } from './abort.js';
import { AddressLookupError } from './errors.js';
import { type AddressLookup, type AddressLookupItem, itemFromEndpointInfo } from './types.js';

/**
 * Options of {@link DnsLookup}: those of {@link DnsAddressLookup}. `transport` is required; `origin`
 * defaults to n0's `dns.iroh.link.`.
 */
export type DnsLookupOptions = DnsAddressLookupOptions;

/**
 * A resolve-only {@link AddressLookup} over DNS. It yields at most one item, with provenance `"dns"`. A
 * failure (no records, timeouts, bad records) is thrown as an {@link AddressLookupError} `'service'` whose
 * `cause` is the `DnsLookupError`. An abort ends the iterable at once, even while staggered attempts are
 * still scheduled.
 *
 * ```ts
 * import { UdpTransport } from '@iroh-ts/dns-server/node';
 * const dns = DnsLookup.n0({ transport: new UdpTransport({ host: '1.1.1.1', port: 53 }) });
 * ```
 */
export class DnsLookup implements AddressLookup {
  /** The provenance of its items, as iroh's. */
  static readonly PROVENANCE = 'dns';
  readonly #lookup: DnsAddressLookup;

  constructor(options: DnsLookupOptions) {
    this.#lookup = new DnsAddressLookup(options);
  }

  /** Resolves under n0's production origin, `dns.iroh.link.`. */
  static n0(options: Omit<DnsLookupOptions, 'origin'>): DnsLookup {
    return new DnsLookup({ ...options, origin: N0_DNS_ENDPOINT_ORIGIN_PROD });
  }

  /** Resolves under n0's staging origin, `staging-dns.iroh.link.`. */
  static n0Staging(options: Omit<DnsLookupOptions, 'origin'>): DnsLookup {
    return new DnsLookup({ ...options, origin: N0_DNS_ENDPOINT_ORIGIN_STAGING });
  }

  /** The name looked up for `endpointId`: `_iroh.<z32>.<origin>`. */
  nameFor(endpointId: PublicKey): string {
    return this.#lookup.nameFor(endpointId);
  }

  /** Yields what DNS holds for `endpointId`. @throws {@link AddressLookupError} `'service'` */
  async *resolve(endpointId: PublicKey, signal?: AbortSignal): AsyncGenerator<AddressLookupItem> {
    if (signal?.aborted) return;
    let raced: Raced<AddressLookupItem>;
    try {
      raced = await raceAbort(
        this.#lookup
          .resolve(endpointId, signal)
          .then((info) => itemFromEndpointInfo(info, DnsLookup.PROVENANCE)),
        signal,
      );
    } catch (cause) {
      throw AddressLookupError.service(DnsLookup.PROVENANCE, cause);
    }
    if (!raced.aborted) yield raced.value;
  }
}
