/**
 * `@iroh-ts/dns-server/server`: a pkarr relay and authoritative DNS server for iroh endpoint records, a
 * drop-in for iroh-dns-server (Node.js only).
 *
 * ```ts
 * import { PkarrServer } from '@iroh-ts/dns-server/server';
 *
 * const server = await PkarrServer.start({
 *   http: { port: 8080 },
 *   dns: { port: 5300, origins: ['dns.example.org.', '.'], rrNs: 'ns1.dns.example.org.' },
 * });
 * console.log(server.pkarrUrl, server.dnsUdpAddr);
 * await server.stop();
 * ```
 *
 * @packageDocumentation
 */
export {
  DEFAULT_A_TTL,
  DEFAULT_NS_TTL,
  DEFAULT_ORIGINS,
  DEFAULT_SOA,
  DEFAULT_SOA_TTL,
  type DnsZoneOptions,
  type ResolvedZoneConfig,
  resolveZoneConfig,
} from './dns/config.js';
export { DnsHandler, type DnsTransport } from './dns/handler.js';
export { EDNS_PAYLOAD_SIZE } from './dns/response.js';
export { type TcpDnsOptions, TcpDnsServer } from './dns/tcp-server.js';
export { type BoundAddr, UdpDnsServer } from './dns/udp-server.js';
export { ServerConfigError, type ServerConfigErrorCode } from './errors.js';
export {
  DEFAULT_EVICTION_AGE_MS,
  DEFAULT_EVICTION_INTERVAL_MS,
  type EvictionOptions,
  Evictor,
  type IntervalTimers,
} from './eviction.js';
export { type ClientInfo, peerIp, smartIp } from './http/client-ip.js';
export { DNS_JSON_TYPE, DNS_MESSAGE_TYPE } from './http/doh.js';
export { type HttpServerOptions, PkarrHttpServer, SERVER_VERSION } from './http/http-server.js';
export { MAX_PUT_BODY, PKARR_CONTENT_TYPE } from './http/pkarr-routes.js';
export {
  type RateLimitDecision,
  RateLimiter,
  type RateLimiterOptions,
  type RateLimitMode,
} from './http/rate-limit.js';
export { DnsServerMetrics } from './metrics.js';
export { type DnsListenOptions, PkarrServer, type PkarrServerOptions } from './pkarr-server.js';
export { MemoryStore } from './store/memory-store.js';
export type { PacketStore, UpsertResult } from './store/store.js';
export { CachedZone, encodeRecordSet, type RecordSet, relativeKey } from './zone/cached-zone.js';
export { DEFAULT_ZONE_CACHE_CAPACITY, ZoneCache } from './zone/zone-cache.js';
export { ZoneStore, type ZoneStoreOptions } from './zone/zone-store.js';
