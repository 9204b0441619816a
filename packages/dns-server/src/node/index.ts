/**
 * `@iroh-ts/dns-server/node`: DNS transports over UDP and TCP for {@link DnsAddressLookup} (Node.js only).
 *
 * ```ts
 * import { DnsAddressLookup } from '@iroh-ts/dns-server';
 * import { TcpTransport, UdpTransport } from '@iroh-ts/dns-server/node';
 *
 * const server = { host: '127.0.0.1', port: 5300 };
 * const lookup = new DnsAddressLookup({
 *   origin: 'dns.example.',
 *   transport: new UdpTransport(server),
 *   fallback: new TcpTransport(server),
 * });
 * const info = await lookup.resolve(endpointId);
 * ```
 *
 * @packageDocumentation
 */
export { TcpTransport } from './tcp-transport.js';
export { type DnsServerAddr, UdpTransport } from './udp-transport.js';
