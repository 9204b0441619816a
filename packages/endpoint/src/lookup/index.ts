/**
 * Address lookup (iroh `address_lookup`): publishing an endpoint's addressing information and finding a
 * remote's addresses from its EndpointId, via pkarr relays, DNS, or an in-memory store, alone or combined.
 *
 * ```ts
 * import { UdpTransport } from '@iroh-ts/dns-server/node';
 *
 * const lookup = ConcurrentAddressLookup.builder([
 *   PkarrPublisherLookup.n0(),
 *   PkarrResolverLookup.n0(),
 *   DnsLookup.n0({ transport: new UdpTransport({ host: '1.1.1.1', port: 53 }) }),
 * ])({ secretKey });
 * lookup.publish({ addrs: [TransportAddr.relay(homeRelay)] });
 * for await (const item of lookup.resolve(remoteId, signal)) console.log(item.provenance, item.addr);
 * ```
 *
 * @packageDocumentation
 */

export {
  ConcurrentAddressLookup,
  type ConcurrentAddressLookupOptions,
  DEFAULT_LOOKUP_CACHE_MAX_ENTRIES,
  DEFAULT_LOOKUP_CACHE_TTL_MS,
} from './concurrent.js';
export { DnsLookup, type DnsLookupOptions } from './dns.js';
export { AddressLookupError, type AddressLookupErrorCode } from './errors.js';
export { type EndpointInfoLike, MemoryLookup, type MemoryLookupOptions } from './memory.js';
export { PkarrPublisherLookup, type PkarrPublisherLookupOptions } from './pkarr-publisher.js';
export { PkarrResolverLookup, type PkarrResolverLookupOptions } from './pkarr-resolver.js';
export { type ResolveFirstOptions, resolveFirst } from './resolve-first.js';
export {
  type AddressLookup,
  type AddressLookupBuilder,
  type AddressLookupContext,
  type AddressLookupItem,
  type EndpointData,
  intoAddressLookup,
  itemFromEndpointInfo,
} from './types.js';
