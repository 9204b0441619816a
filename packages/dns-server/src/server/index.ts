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
 * Packets are kept in memory unless a store is chosen: `store: { kind: 'lmdb', path }` for a crash-safe
 * file ({@link LmdbStore}), or `store: { kind: 'redis', url }` for several instances behind a load balancer
 * sharing one record set ({@link RedisStore}). `mainline: { enabled: true, bootstrap: [...] }` looks keys
 * the store lacks up on the Mainline DHT ({@link MainlineFallback}). The native and network clients behind
 * these (`lmdb`, `redis`, `bittorrent-dht`) are loaded only when used.
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
export {
  DEFAULT_MAINLINE_CACHE_CAPACITY,
  DEFAULT_MAINLINE_CACHE_TTL_MS,
  DEFAULT_MAINLINE_TIMEOUT_MS,
  MAINLINE_PUBLIC_BOOTSTRAP,
  MainlineFallback,
  type MainlineFallbackOptions,
  type MainlineNodeAddr,
} from './mainline/mainline-fallback.js';
export { DnsServerMetrics } from './metrics.js';
export {
  type DnsListenOptions,
  type MainlineOptions,
  PkarrServer,
  type PkarrServerOptions,
} from './pkarr-server.js';
export { StoreError, type StoreErrorCode } from './store/errors.js';
export { LMDB_FILE_NAME, LmdbStore, type LmdbStoreOptions } from './store/lmdb-store.js';
export { MemoryStore } from './store/memory-store.js';
export { openStore, type StoreConfig } from './store/open-store.js';
export { RedisStore, type RedisStoreOptions } from './store/redis-store.js';
export type { PacketStore, UpsertResult } from './store/store.js';
export { CachedZone, encodeRecordSet, type RecordSet, relativeKey } from './zone/cached-zone.js';
export type { PacketFallback } from './zone/fallback.js';
export { DEFAULT_ZONE_CACHE_CAPACITY, ZoneCache } from './zone/zone-cache.js';
export { ZoneStore, type ZoneStoreOptions } from './zone/zone-store.js';
