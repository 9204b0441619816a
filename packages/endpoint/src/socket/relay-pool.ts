/**
 * The relay side of the socket layer: one {@link RelayClient} per relay in use. A home relay is chosen
 * among the configured ones (the first to accept us: the nearest, in practice) and re-chosen when it
 * is lost; relays of remote endpoints are connected on demand and closed again when unused for a
 * minute. Datagrams go through the relay a remote was last heard on, falling back to the home relay
 * when that one is down.
 */
import type { PublicKey, SecretKey } from '@iroh-ts/base';
import { RelayClient, type RelayClientOptions, type WebSocketTlsOptions } from '@iroh-ts/relay';
import { normaliseRelayUrl, type RelayConfig, type RelayMap } from '../relay-map.js';
import { Watchable } from '../watch.js';

/** A relay client's link, as the pool tracks it. */
interface Link {
  readonly url: string;
  readonly client: RelayClient;
  lastUsed: number;
  /** Retry timer of a first connection that failed (the client retries by itself after that). */
  retry: ReturnType<typeof setTimeout> | undefined;
  failures: number;
}

/** Options of a {@link RelayPool}. */
export interface RelayPoolOptions {
  readonly secretKey: SecretKey;
  readonly relays: RelayMap;
  /** Called for every datagram a relay delivers. */
  readonly onDatagram: (url: string, src: PublicKey, data: Uint8Array) => void;
  /** TLS settings for relay connections (extra CA roots). */
  readonly tls?: WebSocketTlsOptions;
  /** Extra options for every relay client (timers, WebSocket factory, …). */
  readonly clientOptions?: Partial<RelayClientOptions>;
  /** Relays other than the home relay are closed after this long unused (ms, default 60 000). */
  readonly idleCloseMs?: number;
}

const NON_HOME_IDLE_MS = 60_000;

/** The relay connections of one endpoint. */
export class RelayPool {
  readonly #opts: RelayPoolOptions;
  readonly #relays: RelayMap;
  readonly #links = new Map<string, Link>();
  /** The home relay's URL, once one accepted us. */
  readonly home = new Watchable<string | undefined>(undefined);
  /** Whether the home relay is connected right now. */
  readonly homeConnected = new Watchable(false);
  #closed = false;
  /** The relay the network report found nearest, once known. */
  #preferred: string | undefined;
  readonly #sweep: ReturnType<typeof setInterval>;
  /** Datagrams sent and received through relays (bytes). */
  bytesSent = 0;
  bytesRecv = 0;

  constructor(opts: RelayPoolOptions) {
    this.#opts = opts;
    this.#relays = opts.relays.clone();
    const idle = opts.idleCloseMs ?? NON_HOME_IDLE_MS;
    this.#sweep = setInterval(() => this.#closeIdle(idle), Math.min(idle, 10_000));
    (this.#sweep as { unref?: () => void }).unref?.();
  }

  /** Starts connecting to the configured relays to find a home. */
  start(): void {
    this.#rehome();
  }

  /** The configured relays. */
  relayMap(): RelayMap {
    return this.#relays.clone();
  }

  /** Adds a relay at runtime; it becomes a home candidate. */
  insert(config: RelayConfig): void {
    this.#relays.insert(config);
    if (this.home.get() === undefined) this.#rehome();
  }

  /** Removes a relay; if it was home, another is chosen. */
  remove(url: string): boolean {
    const u = normaliseRelayUrl(url);
    const had = this.#relays.remove(u);
    const link = this.#links.get(u);
    if (link) this.#drop(link);
    if (this.home.get() === u) {
      this.home.set(undefined);
      this.homeConnected.set(false);
      this.#rehome();
    }
    return had;
  }

  /** State of each relay link, for stats. */
  states(): { url: string; state: string; home: boolean }[] {
    return [...this.#links.values()].map((l) => ({
      url: l.url,
      state: l.client.state,
      home: l.url === this.home.get(),
    }));
  }

  /**
   * Sends one datagram to `dst` via `url` (the relay we last heard it on, or its home relay), or via
   * our home relay when that one is not connected. Returns false when no relay could take it.
   */
  send(url: string | undefined, dst: PublicKey, data: Uint8Array): boolean {
    if (this.#closed) return false;
    let link = url !== undefined ? this.#link(url) : undefined;
    if (link?.client.state !== 'connected') {
      const home = this.home.get();
      const homeLink = home !== undefined ? this.#links.get(home) : undefined;
      if (homeLink?.client.state === 'connected') link = homeLink;
    }
    if (link?.client.state !== 'connected') return false;
    link.lastUsed = Date.now();
    if (!link.client.sendDatagram(dst, data)) return false;
    this.bytesSent += data.length;
    return true;
  }

  /** The link for `url`, connecting it on first use. */
  #link(url: string): Link | undefined {
    let u: string;
    try {
      u = normaliseRelayUrl(url);
    } catch {
      return undefined;
    }
    const existing = this.#links.get(u);
    if (existing) return existing;
    if (this.#closed) return undefined;
    const config = this.#relays.get(u);
    const client = new RelayClient({
      ...this.#opts.clientOptions,
      url: u,
      secretKey: this.#opts.secretKey,
      authToken: config?.authToken,
      tls: this.#opts.tls,
    });
    const link: Link = { url: u, client, lastUsed: Date.now(), retry: undefined, failures: 0 };
    this.#links.set(u, link);
    client.on('datagrams', ({ src, datagrams }) => {
      const { contents, segmentSize } = datagrams;
      this.bytesRecv += contents.length;
      if (!segmentSize) {
        this.#opts.onDatagram(u, src, contents);
        return;
      }
      for (let at = 0; at < contents.length; at += segmentSize)
        this.#opts.onDatagram(u, src, contents.subarray(at, Math.min(at + segmentSize, contents.length)));
    });
    client.on('state', ({ state }) => this.#onState(link, state));
    this.#connect(link);
    return link;
  }

  #connect(link: Link): void {
    link.client.connect().then(
      () => {
        link.failures = 0;
      },
      () => {
        // The first attempt failed; the client only retries by itself once it was connected.
        if (this.#closed || this.#links.get(link.url) !== link) return;
        link.failures++;
        const delay = Math.min(16_000, 250 * 2 ** Math.min(link.failures, 6));
        link.retry = setTimeout(() => {
          link.retry = undefined;
          if (!this.#closed && this.#links.get(link.url) === link) this.#connect(link);
        }, delay);
        (link.retry as { unref?: () => void }).unref?.();
      },
    );
  }

  #onState(link: Link, state: string): void {
    if (this.#closed) return;
    const home = this.home.get();
    if (state === 'connected') {
      if (link.url === this.#preferred && home !== link.url) {
        this.#setHome(link.url);
        return;
      }
      if (home === undefined && this.#relays.contains(link.url)) this.home.set(link.url);
      if (this.home.get() === link.url) this.homeConnected.set(true);
      return;
    }
    if (link.url === home && (state === 'disconnected' || state === 'reconnecting' || state === 'closed')) {
      this.homeConnected.set(false);
      this.#rehome();
    }
  }

  /**
   * Picks a home relay: a connected configured relay other than a failed home if there is one, else
   * the first configured relay to connect (connecting all of them).
   */
  #rehome(): void {
    if (this.#closed) return;
    const current = this.home.get();
    const currentUp = current !== undefined && this.#links.get(current)?.client.state === 'connected';
    if (currentUp) return;
    const urls = this.#relays.urls();
    for (const u of urls) {
      if (u === current) continue;
      if (this.#links.get(u)?.client.state === 'connected') {
        this.home.set(u);
        this.homeConnected.set(true);
        return;
      }
    }
    // Nobody is up: whichever configured relay connects first becomes home.
    if (current !== undefined && urls.length > 1) this.home.set(undefined);
    for (const u of urls) this.#link(u);
  }

  #closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const link of [...this.#links.values()]) {
      if (link.url === this.home.get()) continue;
      if (this.#relays.contains(link.url) && this.home.get() === undefined) continue;
      if (now - link.lastUsed > idleMs) this.#drop(link);
    }
  }

  #drop(link: Link): void {
    if (link.retry) clearTimeout(link.retry);
    this.#links.delete(link.url);
    link.client.close();
  }

  /**
   * Makes `url` (a configured relay, e.g. the nearest by the network report) the home relay: at once
   * when it is connected, else as soon as it connects. Returns false for a relay not configured.
   */
  preferHome(url: string): boolean {
    let u: string;
    try {
      u = normaliseRelayUrl(url);
    } catch {
      return false;
    }
    if (this.#closed || !this.#relays.contains(u)) return false;
    this.#preferred = u;
    if (this.home.get() === u) return true;
    const link = this.#link(u);
    if (link?.client.state === 'connected') this.#setHome(u);
    return true;
  }

  #setHome(u: string): void {
    this.home.set(u);
    this.homeConnected.set(true);
  }

  /** Closes every relay connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const link of [...this.#links.values()]) this.#drop(link);
    this.homeConnected.set(false);
  }
}
