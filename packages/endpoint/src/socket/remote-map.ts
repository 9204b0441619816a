/**
 * What the socket layer knows about each remote endpoint: the addresses it was given or found
 * (direct IPs, relay URL, custom addresses) and the relay it was last heard on. Only the client side
 * of a dial needs the addresses (to copy the first packets to every path); the relay a remote was
 * last heard on is how relayed packets are answered on the relay they came from.
 */
import { type CustomAddr, type EndpointAddr, type PublicKey, SocketAddr } from '@iroh-ts/base';

/** One remote's addressing state. */
export interface RemoteState {
  readonly id: PublicKey;
  /** Direct addresses (`ip:port`), from the dial address, lookups and received traffic. */
  readonly ips: Set<string>;
  /** Custom-transport addresses. */
  readonly customs: Map<string, CustomAddr>;
  /** The remote's home relay, as its address says. */
  relayUrl: string | undefined;
  /** The relay its last relayed datagram came through. */
  heardOnRelay: string | undefined;
}

/** Remote endpoints by id. */
export class RemoteMap {
  readonly #remotes = new Map<string, RemoteState>();
  /** Direct address → remote, for the ones we know (to name the remote of a direct path). */
  readonly #byIp = new Map<string, PublicKey>();

  get(id: PublicKey): RemoteState | undefined {
    return this.#remotes.get(id.toString());
  }

  /** The remote's state, created empty if new. */
  entry(id: PublicKey): RemoteState {
    const key = id.toString();
    let r = this.#remotes.get(key);
    if (!r) {
      r = { id, ips: new Set(), customs: new Map(), relayUrl: undefined, heardOnRelay: undefined };
      this.#remotes.set(key, r);
    }
    return r;
  }

  /** Merges the addresses of `addr` into the remote's state; `skip` filters out our own addresses. */
  add(addr: EndpointAddr, skip?: (ip: string) => boolean): RemoteState {
    const r = this.entry(addr.id());
    for (const a of addr.addrs) {
      if (a.type === 'ip') {
        const ip = a.addr.toString();
        if (skip?.(ip)) continue;
        r.ips.add(ip);
        this.#byIp.set(ip, r.id);
      } else if (a.type === 'relay') {
        r.relayUrl = a.url.toString();
      } else {
        r.customs.set(a.addr.toString(), a.addr);
      }
    }
    return r;
  }

  /** Notes that `id` talks to us from the direct address `ip` (learnt from a handshake). */
  noteIp(id: PublicKey, ip: string): void {
    this.#byIp.set(ip, id);
  }

  /** The remote known at a direct address. */
  byIp(ip: string): PublicKey | undefined {
    return this.#byIp.get(ip);
  }

  /** Notes the relay `id` was heard on. */
  noteRelay(id: PublicKey, url: string): void {
    this.entry(id).heardOnRelay = url;
  }

  /** The known addresses of `id` as an {@link EndpointAddr}-like list, or `undefined`. */
  has(id: PublicKey): boolean {
    const r = this.get(id);
    return r !== undefined && (r.ips.size > 0 || r.relayUrl !== undefined || r.customs.size > 0);
  }

  /** Parses the direct addresses of a remote (skipping any that no longer parse). */
  static ipAddrs(r: RemoteState): SocketAddr[] {
    const out: SocketAddr[] = [];
    for (const ip of r.ips) {
      try {
        out.push(SocketAddr.parse(ip));
      } catch {
        // Only parsed addresses go in; nothing to do.
      }
    }
    return out;
  }
}
