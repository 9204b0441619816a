/**
 * The whole server in one object: a {@link ZoneStore} over a {@link PacketStore}, the DNS server on UDP and
 * TCP, the HTTP pkarr relay and DoH, eviction, and metrics.
 */
import type { Registry } from '@iroh-ts/metrics';
import type { DnsZoneOptions } from './dns/config.js';
import { DnsHandler } from './dns/handler.js';
import { type TcpDnsOptions, TcpDnsServer } from './dns/tcp-server.js';
import { type BoundAddr, UdpDnsServer } from './dns/udp-server.js';
import { type EvictionOptions, Evictor } from './eviction.js';
import { type HttpServerOptions, PkarrHttpServer } from './http/http-server.js';
import { DnsServerMetrics } from './metrics.js';
import { MemoryStore } from './store/memory-store.js';
import type { PacketStore } from './store/store.js';
import { ZoneStore } from './zone/zone-store.js';

/** DNS listener options. */
export interface DnsListenOptions extends DnsZoneOptions, TcpDnsOptions {
  /** UDP and TCP port; 0 picks a free one (then TCP uses the port UDP got). @defaultValue 5300 */
  readonly port?: number;
  /** Interface to bind. @defaultValue `'::'` */
  readonly host?: string;
}

/** Options of {@link PkarrServer.start}; every field is optional. */
export interface PkarrServerOptions {
  /** Where packets live. @defaultValue a new {@link MemoryStore} */
  readonly store?: PacketStore;
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

  private constructor(
    parts: Pick<PkarrServer, 'zones' | 'dnsHandler' | 'metrics'>,
    http: PkarrHttpServer | undefined,
    udp: UdpDnsServer | undefined,
    tcp: TcpDnsServer | undefined,
    evictor: Evictor | undefined,
  ) {
    this.zones = parts.zones;
    this.dnsHandler = parts.dnsHandler;
    this.metrics = parts.metrics;
    this.#http = http;
    this.#udp = udp;
    this.#tcp = tcp;
    this.#evictor = evictor;
  }

  /**
   * Starts every configured listener. If one fails to bind, those already started are closed again.
   *
   * @throws {@link ServerConfigError} for invalid DNS options, or the bind error.
   */
  static async start(options: PkarrServerOptions = {}): Promise<PkarrServer> {
    const metrics = new DnsServerMetrics();
    options.registry?.register(metrics);
    const zones = new ZoneStore(options.store ?? new MemoryStore(), {
      cacheCapacity: options.cacheCapacity,
      metrics,
    });
    const dnsOpts = options.dns === false ? {} : (options.dns ?? {});
    const dnsHandler = new DnsHandler(zones, dnsOpts, metrics);
    let http: PkarrHttpServer | undefined;
    let udp: UdpDnsServer | undefined;
    let tcp: TcpDnsServer | undefined;
    try {
      if (options.dns !== false) {
        const host = dnsOpts.host ?? '::';
        udp = await UdpDnsServer.bind(dnsHandler, dnsOpts.port ?? 5300, host);
        tcp = await TcpDnsServer.listen(dnsHandler, udp.address.port, host, dnsOpts);
      }
      if (options.http !== false)
        http = await PkarrHttpServer.listen(zones, dnsHandler, options.http ?? {}, metrics);
    } catch (e) {
      await Promise.all([http?.close(), udp?.close(), tcp?.close()]);
      zones.close();
      throw e;
    }
    const evictor = options.eviction === false ? undefined : new Evictor(zones, options.eviction ?? {});
    evictor?.start();
    return new PkarrServer({ zones, dnsHandler, metrics }, http, udp, tcp, evictor);
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

  /** Stops every listener and the eviction task (the store is not closed). */
  async stop(): Promise<void> {
    this.#evictor?.stop();
    await Promise.all([this.#http?.close(), this.#udp?.close(), this.#tcp?.close()]);
    this.zones.close();
  }
}
