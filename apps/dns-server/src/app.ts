/**
 * Starts every part of the app from a validated configuration: the packet store, the server library's
 * DNS listeners (UDP and TCP), HTTP handler and Mainline DHT fallback, the HTTPS listener in front of
 * it, and `/metrics`.
 * If any part fails to start, the parts already running are stopped again.
 */
import { nameToString } from '@iroh-ts/dns-server';
import {
  type DnsListenOptions,
  MAINLINE_PUBLIC_BOOTSTRAP,
  type MainlineOptions,
  type PacketStore,
  PkarrHttpServer,
  PkarrServer,
  resolveZoneConfig,
} from '@iroh-ts/dns-server/server';
import { Registry } from '@iroh-ts/metrics';
import { type MetricsServer, serveMetrics } from '@iroh-ts/metrics/http';
import type { Logger } from '@iroh-ts/server-common';
import type { BindAddr, DnsAppConfig } from './config.js';
import { FrontServer, listenerUrl } from './front.js';
import { describeStore, openStore } from './store.js';
import { type HttpsCertificate, httpsCertificate } from './tls.js';

/** A running app. */
export interface RunningApp {
  /** The plain-HTTP listener, `http://host:port`, if any. */
  readonly httpUrl: string | undefined;
  /** The HTTPS listener, `https://host:port`, if any. */
  readonly httpsUrl: string | undefined;
  /** The DNS listener (UDP and TCP on the same port). */
  readonly dnsAddr: BindAddr;
  /** The first origin served, e.g. `irohdns.example.`. */
  readonly origin: string;
  /** The `/metrics` URL, if metrics are served. */
  readonly metricsUrl: string | undefined;
  /** The server library's object (zones, DNS handler, metrics). */
  readonly server: PkarrServer;
  /** Stops every listener and closes the store. */
  stop(): Promise<void>;
}

/** Things to close, last started first. */
class Closers {
  readonly #fns: (() => Promise<void> | void)[] = [];
  add(fn: () => Promise<void> | void): void {
    this.#fns.unshift(fn);
  }
  async closeAll(): Promise<void> {
    for (const fn of this.#fns.splice(0)) await Promise.resolve(fn()).catch(() => {});
  }
}

/**
 * Starts the app.
 *
 * @throws `ServerConfigError` (either package's) for configuration problems, `StoreError` when the
 *   store cannot be opened, or the bind error.
 */
export async function startApp(config: DnsAppConfig, log: Logger): Promise<RunningApp> {
  const dns: DnsListenOptions = {
    host: config.dns.bind.host,
    port: config.dns.bind.port,
    origins: config.dns.origins,
    defaultSoa: config.dns.defaultSoa,
    rrA: config.dns.rrA,
    rrAaaa: config.dns.rrAaaa,
    rrNs: config.dns.rrNs,
  };
  // Validate the zone options before opening anything.
  const origin = nameToString(resolveZoneConfig(dns).origins[0]!);
  // As iroh: without bootstrap nodes, the DHT is joined through the public ones.
  const mainline: MainlineOptions | undefined = config.mainline.enabled
    ? {
        enabled: true,
        bootstrap:
          config.mainline.bootstrap.length > 0 ? config.mainline.bootstrap : MAINLINE_PUBLIC_BOOTSTRAP,
      }
    : undefined;

  const closers = new Closers();
  try {
    const cert: HttpsCertificate | undefined = config.https
      ? await httpsCertificate(config.https, log)
      : undefined;
    if (cert) closers.add(() => cert.stop());
    const store: PacketStore = await openStore(config.store, log);
    closers.add(() => store.close?.());

    const registry = new Registry();
    // Plain HTTP is served by the library directly, unless it must also answer ACME challenges.
    const directHttp = config.http !== undefined && cert?.handleChallenge === undefined;
    const z = config.zoneStore;
    const server = await PkarrServer.start({
      store,
      mainline,
      registry,
      cacheCapacity: z.cacheCapacity,
      http: directHttp && config.http ? { ...config.http, rateLimit: config.rateLimit } : false,
      dns,
      eviction: z.evictionMs > 0 ? { maxAgeMs: z.evictionMs, intervalMs: z.evictionIntervalMs } : false,
    });
    closers.add(() => server.stop());

    let httpFront: FrontServer | undefined;
    let httpsFront: FrontServer | undefined;
    if (cert) {
      const internal = await PkarrHttpServer.listen(
        server.zones,
        server.dnsHandler,
        { host: '127.0.0.1', port: 0, rateLimit: 'disabled' },
        server.metrics,
      );
      closers.add(() => internal.close());
      const common = { upstream: internal.address, rateLimit: config.rateLimit, metrics: server.metrics };
      if (config.http && !directHttp) {
        const front = await FrontServer.listen({
          ...common,
          bind: config.http,
          handleChallenge: cert.handleChallenge,
        });
        closers.add(() => front.close());
        httpFront = front;
      }
      const front = await FrontServer.listen({ ...common, bind: config.https!.bind, tls: cert.initial });
      closers.add(() => front.close());
      httpsFront = front;
      await cert.ready((pair) => front.setCertificate(pair));
    }

    let metrics: MetricsServer | undefined;
    if (config.metrics) {
      const m = await serveMetrics(registry, config.metrics);
      closers.add(() => m.close());
      metrics = m;
    }

    const httpAddr = server.httpAddr ?? httpFront?.address;
    const app: RunningApp = {
      httpUrl: httpAddr ? listenerUrl('http', httpAddr) : undefined,
      httpsUrl: httpsFront?.url,
      dnsAddr: server.dnsUdpAddr!,
      origin,
      metricsUrl: metrics?.url,
      server,
      stop: () => closers.closeAll(),
    };
    log.info('dns-server started', {
      http: app.httpUrl,
      https: app.httpsUrl,
      dns: app.dnsAddr,
      origins: config.dns.origins,
      store: describeStore(config.store),
      rateLimit: config.rateLimit,
      mainline: config.mainline.enabled,
      metrics: app.metricsUrl,
    });
    return app;
  } catch (e) {
    await closers.closeAll();
    throw e;
  }
}
