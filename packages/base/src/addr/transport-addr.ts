import { CustomAddr } from './custom-addr.js';
import { RelayUrl } from './relay-url.js';
import { SocketAddr } from './socket-addr.js';

/** A way to reach an endpoint: through a relay, at an IP socket address, or on a custom transport. */
export type TransportAddr =
  | { readonly type: 'relay'; readonly url: RelayUrl }
  | { readonly type: 'ip'; readonly addr: SocketAddr }
  | { readonly type: 'custom'; readonly addr: CustomAddr };

const RANK = { relay: 0, ip: 1, custom: 2 } as const;

/** Constructors and helpers for {@link TransportAddr}. */
export const TransportAddr = {
  /** A relay address; accepts a URL string. */
  relay(url: RelayUrl | string | URL): TransportAddr {
    return { type: 'relay', url: RelayUrl.parse(url) };
  },
  /** An IP socket address; accepts `ip:port` text. */
  ip(addr: SocketAddr | string): TransportAddr {
    return { type: 'ip', addr: typeof addr === 'string' ? SocketAddr.parse(addr) : addr };
  },
  /** A custom transport address. */
  custom(addr: CustomAddr): TransportAddr {
    return { type: 'custom', addr };
  },
  /** iroh's order: all relays, then IPs, then custom addresses, each by its own order. */
  compare(a: TransportAddr, b: TransportAddr): number {
    if (a.type !== b.type) return RANK[a.type] - RANK[b.type];
    if (a.type === 'relay') return RelayUrl.compare(a.url, (b as typeof a).url);
    if (a.type === 'ip') return SocketAddr.compare(a.addr, (b as typeof a).addr);
    return CustomAddr.compare(a.addr, (b as typeof a).addr);
  },
  /** True when both denote the same address. */
  equals(a: TransportAddr, b: TransportAddr): boolean {
    return TransportAddr.compare(a, b) === 0;
  },
  /** `relay:<url>`, `ip:<addr>` or `custom:<id>_<data>`, as iroh displays them. */
  toString(a: TransportAddr): string {
    return a.type === 'relay' ? `relay:${a.url}` : `${a.type}:${a.addr}`;
  },
};
