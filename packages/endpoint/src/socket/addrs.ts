/**
 * The addresses the socket layer shows to QUIC. QUIC addresses are strings; besides plain `ip:port`
 * for direct UDP paths there are three virtual kinds (iroh maps these to fake IPv6 addresses; any
 * internal scheme works, and these strings never go on the wire):
 *
 * - `iroh-ep:<id>`: a remote endpoint as a whole. Only the first packets of a connection we dial go
 *   there; the socket layer copies them to every known path of the remote, and QUIC's handshake
 *   server migration moves the connection to whichever path the server answers on.
 * - `iroh-relay:<id>`: the remote through a relay. Which relay is the socket layer's business (the
 *   one we last heard the remote on, else the remote's home relay, else ours), so a relay failing
 *   over does not change the address QUIC sees.
 * - `iroh-custom:<transport id hex>_<address hex>`: a custom transport's address.
 */
import { CustomAddr, PublicKey, SocketAddr } from '@iroh-ts/base';

const EP = 'iroh-ep:';
const RELAY = 'iroh-relay:';
const CUSTOM = 'iroh-custom:';

/** A parsed QUIC-level address. */
export type MappedAddr =
  | { readonly kind: 'ip'; readonly addr: SocketAddr }
  | { readonly kind: 'endpoint'; readonly id: PublicKey }
  | { readonly kind: 'relay'; readonly id: PublicKey }
  | { readonly kind: 'custom'; readonly addr: CustomAddr };

/** The address of a remote endpoint as a whole (the destination of a dial). */
export function endpointMapped(id: PublicKey): string {
  return EP + id.toString();
}

/** The address of a remote reached through a relay. */
export function relayMapped(id: PublicKey): string {
  return RELAY + id.toString();
}

/** The address of a custom-transport address. */
export function customMapped(addr: CustomAddr): string {
  return CUSTOM + addr.toString();
}

/** The address of a direct UDP path. */
export function ipMapped(addr: SocketAddr): string {
  return addr.toString();
}

/** Parses a QUIC-level address; `undefined` when it is none of ours. */
export function parseMapped(s: string): MappedAddr | undefined {
  try {
    if (s.startsWith(EP)) return { kind: 'endpoint', id: PublicKey.fromString(s.slice(EP.length)) };
    if (s.startsWith(RELAY)) return { kind: 'relay', id: PublicKey.fromString(s.slice(RELAY.length)) };
    if (s.startsWith(CUSTOM)) return { kind: 'custom', addr: CustomAddr.parse(s.slice(CUSTOM.length)) };
    return { kind: 'ip', addr: SocketAddr.parse(s) };
  } catch {
    return undefined;
  }
}
