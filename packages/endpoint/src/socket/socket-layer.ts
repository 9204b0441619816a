/**
 * The socket layer ("magicsock"): the datagram transport under the endpoint's QUIC, carrying packets
 * over direct UDP (IPv4 and IPv6 sockets), through relays, or over custom transports. QUIC sees plain
 * `ip:port` strings for direct paths and virtual addresses for the rest (see `addrs.ts`); the first
 * packets of a dial go to a whole remote and are copied to each of its known paths.
 */
import { type PublicKey, type SecretKey, SocketAddr } from '@iroh-ts/base';
import type { UdpTransport } from '@iroh-ts/quic';
import type { RelayMap } from '../relay-map.js';
import { customMapped, parseMapped, relayMapped } from './addrs.js';
import type { CustomTransport } from './custom.js';
import { RelayPool, type RelayPoolOptions } from './relay-pool.js';
import { RemoteMap } from './remote-map.js';

/** Binds a UDP socket (the default uses node:dgram). */
export type IpSocketFactory = (bindAddr: string) => Promise<UdpTransport>;

/** Options of {@link SocketLayer.bind}. */
export interface SocketLayerOptions {
  readonly secretKey: SecretKey;
  /** Addresses to bind UDP sockets to (`ip:port`); empty: no direct UDP (relay-only). */
  readonly bindAddrs: readonly string[];
  /** Bind failures of these addresses are ignored (iroh's optional IPv6 socket). */
  readonly optionalBindAddrs?: readonly string[];
  readonly relays: RelayMap;
  readonly customTransports?: readonly CustomTransport[];
  readonly ipSocketFactory?: IpSocketFactory;
  readonly relayOptions?: Pick<RelayPoolOptions, 'tls' | 'clientOptions' | 'idleCloseMs'>;
}

const defaultIpSocketFactory: IpSocketFactory = async (bindAddr) => {
  const { NodeUdpTransport } = await import('@iroh-ts/quic/node');
  return NodeUdpTransport.bind(bindAddr);
};

/** Traffic counters of the socket layer. */
export interface SocketStats {
  sendDirectBytes: number;
  recvDirectBytes: number;
  sendRelayBytes: number;
  recvRelayBytes: number;
  sendCustomBytes: number;
  recvCustomBytes: number;
  /** Datagrams that found no way out (no socket of the family, relay down, unknown address). */
  sendDropped: number;
}

/** The endpoint's datagram transport. */
export class SocketLayer implements UdpTransport {
  readonly localAddress: string;
  readonly remotes = new RemoteMap();
  readonly relays: RelayPool;
  #v4: UdpTransport | undefined;
  #v6: UdpTransport | undefined;
  readonly #factory: IpSocketFactory;
  readonly #custom: Map<bigint, CustomTransport>;
  #callback: ((from: string, data: Uint8Array) => void) | undefined;
  #closed = false;
  readonly stats: SocketStats = {
    sendDirectBytes: 0,
    recvDirectBytes: 0,
    sendRelayBytes: 0,
    recvRelayBytes: 0,
    sendCustomBytes: 0,
    recvCustomBytes: 0,
    sendDropped: 0,
  };

  private constructor(id: PublicKey, sockets: UdpTransport[], opts: SocketLayerOptions) {
    this.#v4 = sockets.find((s) => !s.localAddress.startsWith('['));
    this.#v6 = sockets.find((s) => s.localAddress.startsWith('['));
    this.localAddress = (this.#v4 ?? this.#v6)?.localAddress ?? `iroh-ep:${id.toString()}`;
    this.#factory = opts.ipSocketFactory ?? defaultIpSocketFactory;
    for (const s of sockets) this.#listen(s);
    // Always there (empty when relays are disabled), so relays can be added at runtime.
    this.relays = new RelayPool({
      ...opts.relayOptions,
      secretKey: opts.secretKey,
      relays: opts.relays,
      onDatagram: (url, src, data) => {
        this.remotes.noteRelay(src, url);
        this.stats.recvRelayBytes += data.length;
        this.#callback?.(relayMapped(src), data);
      },
    });
    this.#custom = new Map((opts.customTransports ?? []).map((t) => [t.id, t]));
    for (const t of this.#custom.values()) {
      t.onReceive((from, data) => {
        this.stats.recvCustomBytes += data.length;
        this.#callback?.(customMapped(from), data);
      });
    }
  }

  /** Binds the UDP sockets and starts the relay connections. */
  static async bind(opts: SocketLayerOptions): Promise<SocketLayer> {
    const factory = opts.ipSocketFactory ?? defaultIpSocketFactory;
    const sockets: UdpTransport[] = [];
    const optional = new Set(opts.optionalBindAddrs ?? []);
    try {
      for (const addr of opts.bindAddrs) {
        try {
          sockets.push(await factory(addr));
        } catch (e) {
          if (!optional.has(addr)) throw e;
        }
      }
    } catch (e) {
      await Promise.all(sockets.map((s) => s.close()));
      throw e;
    }
    const layer = new SocketLayer(opts.secretKey.public(), sockets, opts);
    layer.relays.start();
    return layer;
  }

  #listen(socket: UdpTransport): void {
    socket.onReceive((from, data) => {
      this.stats.recvDirectBytes += data.length;
      this.#callback?.(from, data);
    });
  }

  /**
   * Rebinds the UDP sockets after a network change, on the same addresses (so peers keep reaching
   * us at the same port); a socket whose port cannot be had again gets a new one, which QUIC's peers
   * see as a NAT rebinding. Packets in the gap are lost and recovered by QUIC.
   */
  async rebind(): Promise<void> {
    if (this.#closed) return;
    const rebindOne = async (old: UdpTransport | undefined): Promise<UdpTransport | undefined> => {
      if (!old) return undefined;
      const addr = old.localAddress;
      await old.close();
      let fresh: UdpTransport;
      try {
        fresh = await this.#factory(addr);
      } catch {
        const sa = SocketAddr.parse(addr);
        fresh = await this.#factory(sa.family === 6 ? `[${sa.ip()}]:0` : `${sa.ip()}:0`);
      }
      if (this.#closed) {
        await fresh.close();
        return undefined;
      }
      this.#listen(fresh);
      return fresh;
    };
    this.#v4 = await rebindOne(this.#v4);
    this.#v6 = await rebindOne(this.#v6);
  }

  /** The bound UDP sockets' addresses. */
  boundSockets(): SocketAddr[] {
    const out: SocketAddr[] = [];
    for (const s of [this.#v4, this.#v6]) if (s) out.push(SocketAddr.parse(s.localAddress));
    return out;
  }

  /** Our custom-transport addresses. */
  customAddrs() {
    return [...this.#custom.values()].flatMap((t) => t.localAddrs());
  }

  send(destination: string, data: Uint8Array): void {
    if (this.#closed) return;
    // Direct paths are the hot path: a plain `ip:port` goes straight to its socket.
    if (!destination.startsWith('iroh-')) {
      this.#sendIp(destination, data);
      return;
    }
    const m = parseMapped(destination);
    if (!m) {
      this.stats.sendDropped++;
      return;
    }
    switch (m.kind) {
      case 'relay':
        this.#sendRelay(m.id, data);
        return;
      case 'custom': {
        const t = this.#custom.get(m.addr.id);
        if (!t) {
          this.stats.sendDropped++;
          return;
        }
        this.stats.sendCustomBytes += data.length;
        t.send(m.addr, data);
        return;
      }
      case 'endpoint': {
        // The first packets of a dial: copy them to every known path of the remote.
        const r = this.remotes.get(m.id);
        let sent = false;
        if (r) {
          for (const ip of r.ips) sent = this.#sendIp(ip, data) || sent;
          for (const c of r.customs.values()) {
            const t = this.#custom.get(c.id);
            if (t) {
              t.send(c, data);
              this.stats.sendCustomBytes += data.length;
              sent = true;
            }
          }
        }
        if (sent) {
          // The relayed copy follows a moment later. node:dgram sends on the next tick, a relay
          // write goes out at once: sent together, the relayed copy often reached the remote first,
          // and the server answering there kept the connection on the relay for good.
          const copy = data.slice();
          setTimeout(() => {
            if (!this.#closed) this.#sendRelay(m.id, copy, true);
          }, 0);
          return;
        }
        if (!this.#sendRelay(m.id, data, true)) this.stats.sendDropped++;
        return;
      }
      default:
        this.#sendIp(destination, data);
    }
  }

  #sendIp(destination: string, data: Uint8Array): boolean {
    const socket = destination.startsWith('[') ? this.#v6 : this.#v4;
    if (!socket) {
      this.stats.sendDropped++;
      return false;
    }
    this.stats.sendDirectBytes += data.length;
    socket.send(destination, data);
    return true;
  }

  /** Relays `data` to `id`; `onlyIfKnown`: only when the remote's relay is known (dial copies). */
  #sendRelay(id: PublicKey, data: Uint8Array, onlyIfKnown = false): boolean {
    const r = this.remotes.get(id);
    const url = r?.heardOnRelay ?? r?.relayUrl;
    if (onlyIfKnown && url === undefined) return false;
    if (this.relays.send(url, id, data)) {
      this.stats.sendRelayBytes += data.length;
      return true;
    }
    if (!onlyIfKnown) this.stats.sendDropped++;
    return false;
  }

  onReceive(callback: (from: string, data: Uint8Array) => void): void {
    this.#callback = callback;
  }

  /** Closes the sockets, relay connections and custom transports. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.relays.close();
    await Promise.all([
      ...[this.#v4, this.#v6].filter((s): s is UdpTransport => s !== undefined).map((s) => s.close()),
      ...[...this.#custom.values()].map((t) => t.close()),
    ]);
  }
}
