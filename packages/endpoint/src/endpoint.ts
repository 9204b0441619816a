/**
 * The iroh endpoint: binds the socket layer, runs QUIC over it, dials remote endpoints by EndpointId
 * (or full address) with an ALPN, and hands out incoming connections. API as in `@number0/iroh`.
 */
import { EndpointAddr, type PublicKey, type SecretKey, SocketAddr, TransportAddr } from '@iroh-ts/base';
import { Registry } from '@iroh-ts/metrics';
import { irohServerCrypto, type QuicConnection, QuicEndpoint, type QuicIncoming } from '@iroh-ts/quic';
import { EndpointBuilder, type EndpointConfig, type EndpointOptions, optionsToBuilder } from './builder.js';
import { Connecting } from './connecting.js';
import { Connection } from './connection.js';
import { dial } from './dial.js';
import { ConnectError, EndpointError } from './errors.js';
import { runAfterHandshake } from './hooks.js';
import { caRootsFetch } from './https-fetch.js';
import { Incoming, type IncomingHost } from './incoming.js';
import { isUnspecified, LocalAddrs } from './local-addrs.js';
import {
  type AddressLookup,
  ConcurrentAddressLookup,
  intoAddressLookup,
  MemoryLookup,
} from './lookup/index.js';
import { EndpointMetrics, syncSocketStats } from './metrics.js';
import { PathPolicy } from './path-policy.js';
import { QadClient } from './qad.js';
import type { RelayConfig, RelayMode } from './relay-map.js';
import { parseMapped } from './socket/addrs.js';
import { SocketLayer } from './socket/socket-layer.js';
import { Watchable, type WatchHandle } from './watch.js';

/** A counter as `Endpoint.stats()` reports it. */
export interface CounterStats {
  readonly value: number;
  readonly description: string;
}

const sameAddr = (a: EndpointAddr, b: EndpointAddr) => a.equals(b);

/** An iroh endpoint. */
export class Endpoint implements IncomingHost {
  readonly #config: EndpointConfig;
  readonly #secretKey: SecretKey;
  readonly #layer: SocketLayer;
  readonly #quic: QuicEndpoint;
  readonly #memory = new MemoryLookup();
  readonly #lookup: ConcurrentAddressLookup;
  readonly #metrics = new EndpointMetrics();
  readonly #registry = new Registry();
  #alpns: Uint8Array[];
  readonly #external = new Set<string>();
  readonly #addr: Watchable<EndpointAddr>;
  readonly #local = new LocalAddrs();
  /** QUIC address discovery against the relays (our reflexive addresses). */
  readonly #qad: QadClient | undefined;
  #closed = false;
  readonly #closedWatch = new Watchable(false);

  private constructor(config: EndpointConfig, layer: SocketLayer, quic: QuicEndpoint) {
    this.#config = config;
    this.#secretKey = config.secretKey;
    this.#layer = layer;
    this.#quic = quic;
    this.#alpns = config.alpns.map((a) => a.slice());
    for (const a of config.externalAddrs) this.#external.add(SocketAddr.parse(a).toString());
    const ctx = { secretKey: config.secretKey, fetch: caRootsFetch(config.caRoots) };
    this.#lookup = new ConcurrentAddressLookup([
      this.#memory,
      ...config.addressLookups.map((l) => intoAddressLookup(l, ctx)),
    ]);
    this.#registry.register(this.#metrics);
    const relayPool = layer.relays;
    if (relayPool && !relayPool.relayMap().isEmpty())
      this.#qad = new QadClient(
        quic,
        () => relayPool.relayMap().configs(),
        config.caRoots,
        caRootsFetch(config.caRoots),
      );
    this.#addr = new Watchable(this.#computeAddr(), sameAddr);
    this.#addr.watch((addr) => this.#publish(addr));
    const relays = layer.relays;
    if (relays) {
      relays.home.watch(() => {
        this.#metrics.relayHomeChanges.inc();
        this.#refreshAddr();
      });
      relays.homeConnected.watch((up) => this.#metrics.relayHomeConnected.set(up ? 1 : 0));
    }
  }

  /** A builder with nothing applied (relays disabled, no address lookup): apply a preset to it. */
  static builder(): EndpointBuilder {
    return new EndpointBuilder();
  }

  /**
   * Binds an endpoint with `presetN0` (number 0's relays and DNS), as `@number0/iroh` does, or with
   * the given relay mode.
   */
  static async bind(options: EndpointOptions = {}, relayMode?: RelayMode): Promise<Endpoint> {
    const b = new EndpointBuilder().applyN0();
    optionsToBuilder(b, options);
    if (relayMode) b.relayMode(relayMode);
    return b.bind();
  }

  /** @internal Use {@link EndpointBuilder.bind}. */
  static async fromConfig(config: EndpointConfig): Promise<Endpoint> {
    let layer: SocketLayer;
    try {
      layer = await SocketLayer.bind({
        secretKey: config.secretKey,
        bindAddrs: config.bindAddrs,
        optionalBindAddrs: config.optionalBindAddrs,
        relays: config.relayMode.relayMap(),
        customTransports: config.customTransports,
        ipSocketFactory: config.ipSocketFactory,
        relayOptions: {
          tls: config.caRoots
            ? { ca: config.caRoots.extraRoots, rejectUnauthorized: !config.caRoots.insecureSkipVerify }
            : undefined,
          clientOptions: config.relayClientOptions,
        },
      });
    } catch (e) {
      throw new EndpointError('Bind', `could not bind the endpoint's sockets: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const quic = await QuicEndpoint.bind({ transport: layer, transportConfig: config.transportConfig });
    const ep = new Endpoint(config, layer, quic);
    await ep.#startNetmon();
    return ep;
  }

  // ---- identity and addresses ---------------------------------------------------------------

  /** Our EndpointId. */
  id(): PublicKey {
    return this.#secretKey.public();
  }

  /** Our secret key. */
  secretKey(): SecretKey {
    return this.#secretKey;
  }

  /** Our address: the home relay URL (once chosen) and every direct address. */
  addr(): EndpointAddr {
    return this.#addr.get();
  }

  /**
   * What the last network report found (iroh's net report): the reflexive addresses the relays saw
   * us at through QUIC address discovery. Empty until a relay answered.
   */
  netReport(): {
    readonly reflexiveAddrs: readonly string[];
    readonly relayLatencies: ReadonlyMap<string, number>;
    readonly nearestRelay: string | undefined;
  } {
    return {
      reflexiveAddrs: this.#qad?.reflexive.get() ?? [],
      relayLatencies: new Map(this.#qad?.latencies ?? []),
      nearestRelay: this.#qad?.nearest.get(),
    };
  }

  /** Waits for the next network report (QAD against every relay; at most a few seconds). */
  async updateNetReport(): Promise<void> {
    await this.#qad?.report();
  }

  /** The bound UDP sockets (`ip:port`). */
  boundSockets(): string[] {
    return this.#layer.boundSockets().map((s) => s.toString());
  }

  #computeAddr(): EndpointAddr {
    const addrs: TransportAddr[] = [];
    const home = this.#layer.relays?.home.get();
    if (home !== undefined) addrs.push(TransportAddr.relay(home));
    for (const s of this.#local.expand(this.#layer.boundSockets())) addrs.push(TransportAddr.ip(s));
    for (const e of this.#external) addrs.push(TransportAddr.ip(e));
    // Reflexive addresses the relays saw us at (QAD): how peers behind other NATs reach us.
    for (const r of this.#qad?.reflexive.get() ?? []) addrs.push(TransportAddr.ip(r));
    for (const c of this.#layer.customAddrs()) addrs.push(TransportAddr.custom(c));
    return EndpointAddr.fromParts(this.id(), addrs);
  }

  #refreshAddr(): void {
    if (!this.#closed) this.#addr.set(this.#computeAddr());
  }

  /** Our hole-punching candidates: the direct addresses the address filter lets through. */
  #candidateAddrs(): string[] {
    const addrs = this.#addr.get().addrs;
    const kept = this.#config.addrFilter ? this.#config.addrFilter(addrs) : addrs;
    return kept.flatMap((a) => (a.type === 'ip' ? [a.addr.toString()] : []));
  }

  #publish(addr: EndpointAddr): void {
    const filtered = this.#config.addrFilter ? this.#config.addrFilter(addr.addrs) : addr.addrs;
    this.#lookup.publish({ addrs: filtered, userData: this.#config.userData });
  }

  /** Calls `cb` whenever our address changes. */
  watchAddr(cb: (addr: EndpointAddr) => void): WatchHandle {
    return this.#addr.watch(cb);
  }

  /** Calls `cb` with the home relay URL(s) whenever the home relay changes. */
  watchHomeRelay(cb: (relayUrls: string[]) => void): WatchHandle {
    const home = this.#layer.relays?.home ?? new Watchable<string | undefined>(undefined);
    return home.watch((url) => cb(url === undefined ? [] : [url]));
  }

  /** Calls `cb` when the local network changes (interfaces come or go). */
  watchNetworkChange(cb: () => void): WatchHandle {
    return this.#local.changes.watch(() => cb());
  }

  /**
   * Resolves once the endpoint is reachable: its home relay is connected (or, with relays disabled,
   * at once).
   */
  async online(): Promise<void> {
    const relays = this.#layer.relays;
    if (!relays || relays.relayMap().isEmpty()) return;
    await relays.homeConnected.until((up) => up);
  }

  /**
   * Tells the endpoint the network changed: the UDP sockets are rebound, interfaces re-read and the
   * address republished. (A change of interfaces seen by the 5 s poll does the same.)
   */
  async networkChange(): Promise<void> {
    await this.#local.read(true);
  }

  async #startNetmon(): Promise<void> {
    const poll = this.#layer.boundSockets().some(isUnspecified);
    await this.#local.start(poll, async () => {
      await this.#layer.rebind();
      this.#refreshAddr();
      void this.#qad?.report();
    });
    if (this.#qad) {
      this.#qad.reflexive.watch(() => this.#refreshAddr());
      // The home relay follows the network report: the nearest relay, once one has been measured.
      const relays = this.#layer.relays;
      this.#qad.nearest.watch((url) => {
        if (url !== undefined && relays && relays.relayMap().len() > 1) relays.preferHome(url);
      });
      this.#qad.start();
    }
    this.#refreshAddr();
    this.#publish(this.#addr.get());
  }

  // ---- runtime changes ------------------------------------------------------------------------

  /** Replaces the ALPNs we accept (for connections accepted from now on). */
  setAlpns(alpns: readonly (Uint8Array | string)[]): void {
    this.#alpns = alpns.map((a) => (typeof a === 'string' ? new TextEncoder().encode(a) : a.slice()));
  }

  /** Adds a relay (a home candidate). */
  async insertRelay(config: RelayConfig): Promise<void> {
    this.#layer.relays?.insert(config);
  }

  /** Removes a relay; returns whether it was configured. */
  async removeRelay(url: string): Promise<boolean> {
    return this.#layer.relays?.remove(url) ?? false;
  }

  /** Advertises an address we are reachable at (e.g. a forwarded port). */
  async addExternalAddr(addr: string): Promise<void> {
    this.#external.add(SocketAddr.parse(addr).toString());
    this.#refreshAddr();
  }

  /** Stops advertising an external address; returns whether it was there. */
  async removeExternalAddr(addr: string): Promise<boolean> {
    const had = this.#external.delete(SocketAddr.parse(addr).toString());
    this.#refreshAddr();
    return had;
  }

  /** Adds addresses of a remote endpoint (the endpoint's memory lookup). */
  addAddress(addr: EndpointAddr): void {
    this.#memory.addEndpointInfo(addr);
    this.#layer.remotes.add(addr);
  }

  /** What we know of a remote's addresses, or `null`. */
  async remoteAddr(id: PublicKey): Promise<EndpointAddr | null> {
    const r = this.#layer.remotes.get(id);
    if (!r) return null;
    const addrs: TransportAddr[] = [];
    const relay = r.heardOnRelay ?? r.relayUrl;
    if (relay !== undefined) addrs.push(TransportAddr.relay(relay));
    for (const ip of r.ips) addrs.push(TransportAddr.ip(ip));
    for (const c of r.customs.values()) addrs.push(TransportAddr.custom(c));
    return addrs.length === 0 ? null : EndpointAddr.fromParts(id, addrs);
  }

  /** The address lookup services (memory first). */
  addressLookup(): AddressLookup {
    return this.#lookup;
  }

  /** The endpoint's metrics, by name. */
  stats(): Record<string, CounterStats> {
    this.#syncMetrics();
    const out: Record<string, CounterStats> = {};
    for (const item of this.#metrics.items()) {
      const v = (item.metric as { get?: () => bigint }).get?.();
      if (v !== undefined) out[item.name] = { value: Number(v), description: item.help };
    }
    return out;
  }

  /** The metrics registry (OpenMetrics text via `@iroh-ts/metrics`). */
  metrics(): Registry {
    this.#syncMetrics();
    return this.#registry;
  }

  #syncMetrics(): void {
    syncSocketStats(this.#metrics, this.#layer.stats);
  }

  // ---- connecting -----------------------------------------------------------------------------

  /**
   * Connects to `addr` (an {@link EndpointAddr}, or just an EndpointId to look up) with `alpn`, and
   * resolves once the remote proved its id.
   *
   * @throws {@link ConnectError} — `NoAddress`, `LocallyRejected`, `SelfConnect`, `EmptyAlpn`,
   *   `EndpointClosed`, `Connection` (handshake failed: wrong key, refused ALPN, timeout…), `Refused`.
   */
  async connect(addr: EndpointAddr | PublicKey, alpn: Uint8Array | string): Promise<Connection> {
    const target = addr instanceof EndpointAddr ? addr : new EndpointAddr(addr);
    const alpnBytes = typeof alpn === 'string' ? new TextEncoder().encode(alpn) : alpn;
    try {
      return await this.#connect(target, alpnBytes);
    } catch (e) {
      this.#metrics.connectFailures.inc();
      throw e;
    }
  }

  /** Starts connecting; the handshake completes in {@link Connecting.connect}. */
  async connectPending(addr: EndpointAddr | PublicKey, alpn: Uint8Array | string): Promise<Connecting> {
    const target = addr instanceof EndpointAddr ? addr : new EndpointAddr(addr);
    return new Connecting(this.connect(target, alpn), target.id(), alpn);
  }

  async #connect(addr: EndpointAddr, alpn: Uint8Array): Promise<Connection> {
    if (this.#closed) throw new ConnectError('EndpointClosed', 'the endpoint is closed');
    const quic = await dial(
      {
        quic: this.#quic,
        remotes: this.#layer.remotes,
        lookup: this.#lookup,
        secretKey: this.#secretKey,
        hooks: this.#config.hooks,
        transportConfig: this.#config.transportConfig,
        ownDirectAddrs: () => new Set(this.#addr.get().directAddresses()),
        isClosed: () => this.#closed,
      },
      addr,
      alpn,
    );
    this.#metrics.connectionsOpened.inc();
    const conn = this.#wrap(quic, addr.id());
    await this.#afterHandshake(conn);
    return conn;
  }

  #wrap(quic: QuicConnection, id: PublicKey): Connection {
    const m = parseMapped(quic.remoteAddress());
    if (m?.kind === 'ip') {
      this.#layer.remotes.noteIp(id, quic.remoteAddress());
      this.#metrics.connectionsDirect.inc();
    } else if (m?.kind === 'relay') this.#metrics.connectionsRelayed.inc();
    const conn = new Connection(quic, id, this.#layer);
    new PathPolicy(
      quic,
      id,
      this.#layer,
      () => new Set(this.#addr.get().directAddresses()),
      () => this.#candidateAddrs(),
      () => void this.#qad?.report(),
    ).start();
    void conn.closed().then(() => this.#metrics.connectionsClosed.inc());
    return conn;
  }

  async #afterHandshake(conn: Connection): Promise<void> {
    const verdict = await runAfterHandshake(this.#config.hooks, conn);
    if (verdict.kind === 'accept') return;
    this.#metrics.hookRejections.inc();
    const reason = verdict.reason ?? '';
    conn.close(verdict.errorCode ?? 0n, new TextEncoder().encode(reason));
    throw new ConnectError(
      'LocallyRejected',
      `an afterHandshake hook rejected the connection with ${conn.remoteId().fmtShort()}${reason ? `: ${reason}` : ''}`,
    );
  }

  // ---- accepting ------------------------------------------------------------------------------

  /** The next incoming connection attempt; `null` once the endpoint is closed. */
  async acceptNext(): Promise<Incoming | null> {
    if (this.#closed) return null;
    const inc = await this.#quic.acceptNext();
    if (!inc || this.#closed) return null;
    return new Incoming(this, inc);
  }

  /** @internal */
  acceptIncoming(inc: QuicIncoming): Promise<QuicConnection> {
    return inc.accept(irohServerCrypto({ secretKey: this.#secretKey, alpns: this.#alpns }), {
      transportConfig: this.#config.transportConfig,
    });
  }

  /** @internal */
  async finishIncoming(pending: Promise<QuicConnection>): Promise<Connection> {
    let quic: QuicConnection;
    try {
      quic = await pending;
    } catch (e) {
      throw new ConnectError('Connection', `incoming handshake failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const peer = quic.peerIdentity();
    if (peer?.kind !== 'raw-public-key') {
      quic.close(0n);
      throw new ConnectError('Connection', 'the client did not authenticate with an EndpointId');
    }
    this.#metrics.connectionsAccepted.inc();
    const conn = this.#wrap(quic, peer.key);
    await this.#afterHandshake(conn);
    return conn;
  }

  /** @internal */
  relayUrlOf(id: PublicKey): string | undefined {
    const r = this.#layer.remotes.get(id);
    return r?.heardOnRelay ?? r?.relayUrl;
  }

  /** @internal */
  localIpAddr(): string | undefined {
    return this.#layer.boundSockets()[0]?.toString();
  }

  // ---- closing --------------------------------------------------------------------------------

  /** Closes every connection (code 0), stops publishing, and releases sockets and relays. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#local.stop();
    this.#qad?.close();
    await this.#quic.close();
    await this.#lookup.close();
    this.#closedWatch.set(true);
  }

  /** Whether {@link close} was called. */
  isClosed(): boolean {
    return this.#closed;
  }

  /** Resolves once the endpoint is closed. */
  async closed(): Promise<void> {
    await this.#closedWatch.until((c) => c);
  }
}
