/**
 * The whole server in one object: a {@link ZoneStore} over a {@link PacketStore} (in memory, in an LMDB
 * file or shared through Redis), an optional Mainline DHT fallback, the DNS server on UDP and TCP, the HTTP
 * pkarr relay and DoH, eviction, and metrics.
 */
import type { Registry } from '@iroh-ts/metrics';
import type { DnsZoneOptions } from './dns/config.js';
import { DnsHandler } from './dns/handler.js';
import { type TcpDnsOptions, TcpDnsServer } from './dns/tcp-server.js';
import { type BoundAddr, UdpDnsServer } from './dns/udp-server.js';
import { type EvictionOptions, Evictor } from './eviction.js';
import { type HttpServerOptions, PkarrHttpServer } from './http/http-server.js';
import { MainlineFallback, type MainlineFallbackOptions } from './mainline/mainline-fallback.js';
import { DnsServerMetrics } from './metrics.js';
import { MemoryStore } from './store/memory-store.js';
import { isStoreConfig, openStore, type StoreConfig } from './store/open-store.js';
import type { PacketStore } from './store/store.js';
import { ZoneStore } from './zone/zone-store.js';

/** DNS listener options. */
export interface DnsListenOptions extends DnsZoneOptions, TcpDnsOptions {
  /** UDP and TCP port; 0 picks a free one (then TCP uses the port UDP got). @defaultValue 5300 */
  readonly port?: number;
  /** Interface to bind. @defaultValue `'::'` */
  readonly host?: string;
}

/** The `[mainline]` section: look keys missing from the store up on the Mainline DHT. */
export interface MainlineOptions extends MainlineFallbackOptions {
  /** Turns the DHT fallback on. @defaultValue false, as iroh-dns-server */
  readonly enabled?: boolean;
}

/** Options of {@link PkarrServer.start}; every field is optional. */
export interface PkarrServerOptions {
  /**
   * Where packets live: a store object (which the server does not close), or a {@link StoreConfig} for a
   * store the server opens and closes itself, e.g. `{ kind: 'lmdb', path: '/var/lib/iroh-dns' }` or
   * `{ kind: 'redis', url: 'redis://10.0.0.5:6379' }`.
   * @defaultValue a new {@link MemoryStore}
   */
  readonly store?: PacketStore | StoreConfig;
  /** Mainline DHT fallback on store misses. @defaultValue disabled */
  readonly mainline?: MainlineOptions;
  /** HTTP listener, or `false` for none. @defaultValue port 8080 */
  readonly http?: HttpServerOptions | false;
  /** DNS listener, or `false` for none. @defaultValue port 5300, iroh's default origins and SOA */
  readonly dns?: DnsListenOptions | false;
  /** Eviction of old packets, or `false` for none. @defaultValue 7 days, checked every 10 s */
  readonly eviction?: EvictionOptions | false;
  /** Parsed zones kept in memory. @defaultValue 1,048,576 */
  readonly cacheCapacity?: number;
  /** A registry to register the `dns_server` metrics group with. */
  readonly registry?: Registry;
}

/** A running pkarr relay + DNS server. */
export class PkarrServer {
  /** Packet storage with its zone cache. */
  readonly zones: ZoneStore;
  /** The DNS logic (also used by DoH). */
  readonly dnsHandler: DnsHandler;
  /** The server's metrics. */
  readonly metrics: DnsServerMetrics;
  readonly #http: PkarrHttpServer | undefined;
  readonly #udp: UdpDnsServer | undefined;
  readonly #tcp: TcpDnsServer | undefined;
  readonly #evictor: Evictor | undefined;
  /** Resources the server opened itself and closes on {@link stop}. */
  readonly #owned: Owned;

  private constructor(
    parts: Pick<PkarrServer, 'zones' | 'dnsHandler' | 'metrics'>,
    listeners: Listeners,
    evictor: Evictor | undefined,
    owned: Owned,
  ) {
    this.zones = parts.zones;
    this.dnsHandler = parts.dnsHandler;
    this.metrics = parts.metrics;
    this.#http = listeners.http;
    this.#udp = listeners.udp;
    this.#tcp = listeners.tcp;
    this.#evictor = evictor;
    this.#owned = owned;
  }

  /**
   * Opens the store (if given as a {@link StoreConfig}), starts the DHT fallback (if enabled) and every
   * configured listener. If a step fails, everything already started or opened is closed again.
   *
   * @throws {@link ServerConfigError} for invalid options, {@link StoreError} if the store cannot be opened,
   *   or the bind error.
   */
  static async start(options: PkarrServerOptions = {}): Promise<PkarrServer> {
    const metrics = new DnsServerMetrics();
    const owned: Owned = {};
    const listeners: Listeners = {};
    let zones: ZoneStore | undefined;
    try {
      const store = await PkarrServer.#store(options.store, owned);
      if (options.mainline?.enabled) owned.fallback = await MainlineFallback.start(options.mainline);
      zones = new ZoneStore(store, {
        cacheCapacity: options.cacheCapacity,
        metrics,
        fallback: owned.fallback,
      });
      const dnsOpts = options.dns === false ? {} : (options.dns ?? {});
      const dnsHandler = new DnsHandler(zones, dnsOpts, metrics);
      if (options.dns !== false) {
        const host = dnsOpts.host ?? '::';
        const port = dnsOpts.port ?? 5300;
        // UDP and TCP share one port number. With port 0 the kernel picks the UDP port, and that
        // number may already be taken for TCP (another listener, or a connection's ephemeral port):
        // then try another pair instead of failing.
        for (let attempt = 1; ; attempt++) {
          listeners.udp = await UdpDnsServer.bind(dnsHandler, port, host);
          try {
            listeners.tcp = await TcpDnsServer.listen(dnsHandler, listeners.udp.address.port, host, dnsOpts);
            break;
          } catch (e) {
            await listeners.udp.close();
            listeners.udp = undefined;
            if (port !== 0 || attempt >= 10 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
          }
        }
      }
      if (options.http !== false)
        listeners.http = await PkarrHttpServer.listen(zones, dnsHandler, options.http ?? {}, metrics);
      options.registry?.register(metrics);
      const evictor = options.eviction === false ? undefined : new Evictor(zones, options.eviction ?? {});
      evictor?.start();
      return new PkarrServer({ zones, dnsHandler, metrics }, listeners, evictor, owned);
    } catch (e) {
      await Promise.allSettled([listeners.http?.close(), listeners.udp?.close(), listeners.tcp?.close()]);
      zones?.close();
      await closeOwned(owned);
      throw e;
    }
  }

  static async #store(store: PacketStore | StoreConfig | undefined, owned: Owned): Promise<PacketStore> {
    if (store === undefined) return new MemoryStore();
    if (!isStoreConfig(store)) return store;
    owned.store = await openStore(store);
    return owned.store;
  }

  /** The HTTP address, if HTTP is enabled. */
  get httpAddr(): BoundAddr | undefined {
    return this.#http?.address;
  }

  /** `http://host:port/`, if HTTP is enabled. */
  get httpUrl(): string | undefined {
    return this.#http?.url;
  }

  /** The pkarr relay URL (`<httpUrl>pkarr`), if HTTP is enabled. */
  get pkarrUrl(): string | undefined {
    const u = this.#http?.url;
    return u === undefined ? undefined : `${u}pkarr`;
  }

  /** The UDP DNS address, if DNS is enabled. */
  get dnsUdpAddr(): BoundAddr | undefined {
    return this.#udp?.address;
  }

  /** The TCP DNS address, if DNS is enabled. */
  get dnsTcpAddr(): BoundAddr | undefined {
    return this.#tcp?.address;
  }

  /**
   * Stops every listener, the eviction task and the DHT fallback. A store passed in as an object is left
   * open; a store opened from a {@link StoreConfig} is closed.
   */
  async stop(): Promise<void> {
    this.#evictor?.stop();
    await Promise.all([this.#http?.close(), this.#udp?.close(), this.#tcp?.close()]);
    this.zones.close();
    await closeOwned(this.#owned);
  }
}

/** The listeners started so far. */
interface Listeners {
  http?: PkarrHttpServer;
  udp?: UdpDnsServer;
  tcp?: TcpDnsServer;
}

/** What the server opened itself. */
interface Owned {
  store?: PacketStore;
  fallback?: MainlineFallback;
}

async function closeOwned(owned: Owned): Promise<void> {
  await Promise.allSettled([owned.fallback?.close(), owned.store?.close?.()]);
}
