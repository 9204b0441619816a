/** What the interop tests use of `@iroh-ts/dns-server`. */
export {
  AddrFilter,
  DnsAddressLookup,
  EndpointInfo,
  PkarrPublisher,
  PkarrResolver,
  SignedPacket,
} from '@iroh-ts/dns-server';
export { UdpTransport } from '@iroh-ts/dns-server/node';
