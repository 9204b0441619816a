/**
 * QUIC address discovery (QAD) as iroh's relays offer it: a QUIC server on UDP 7842, ALPN
 * `/iroh-qad/0`, whose only job is to tell each client the address it sees the client at
 * (OBSERVED_ADDRESS frames of draft-seemann-quic-address-discovery). These are the values both
 * sides agree on; the server and a probe client are in `@iroh-ts/relay/server`.
 *
 * @module
 */
import { SocketAddr } from '@iroh-ts/base';

/** The ALPN of QUIC address discovery. */
export const QAD_ALPN = '/iroh-qad/0';

/** The relay's default QAD port (UDP): "QUIC" typed on a phone keypad. */
export const DEFAULT_QAD_PORT = 7842;

/** The application error code a QAD client closes its connection with once it has its address. */
export const QAD_CLOSE_CODE = 1n;

/** The reason a QAD client closes its connection with (UTF-8). */
export const QAD_CLOSE_REASON = 'finished';

/** The idle timeout of iroh's QAD server (noq's default), ms. */
export const QAD_SERVER_IDLE_TIMEOUT_MS = 30_000;

/**
 * The transport settings of iroh's QAD client (`iroh_relay::quic::QuicClient`): it wants reports
 * (observed_address = receive-only), assumes a 111 ms RTT before measuring one, advertises a 35 s idle
 * timeout and pings every 25 s, so that one connection can be kept and asked again. Field names are
 * those of `@iroh-ts/quic`'s `TransportConfig`.
 */
export const QAD_CLIENT_TRANSPORT = Object.freeze({
  addressDiscovery: 'receiveOnly',
  initialRtt: 111,
  maxIdleTimeout: 35_000,
  keepAliveInterval: 25_000,
} as const);

/**
 * An address as a QAD client should use it: an IPv4-mapped IPv6 address (`[::ffff:a.b.c.d]:p`, what a
 * dual-stack server socket sees an IPv4 client as) becomes `a.b.c.d:p`, as iroh canonicalises it.
 * Anything else that parses is returned in Rust's formatting.
 *
 * @throws {@link AddrParseError} when `addr` is not an `ip:port` socket address.
 */
export function canonicalSocketAddr(addr: string): string {
  const sa = SocketAddr.parse(addr);
  if (sa.family === 4) return sa.toString();
  const ip = sa.ipBytes();
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return sa.toString();
  if (ip[10] !== 0xff || ip[11] !== 0xff) return sa.toString();
  return SocketAddr.fromParts(ip.subarray(12), sa.port).toString();
}
