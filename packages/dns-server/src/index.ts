/**
 * `@iroh-ts/dns-server`: pkarr signed packets, iroh's DNS records, and pkarr/DNS clients. This entry point
 * has no Node.js imports and runs in browsers; the server lives in `@iroh-ts/dns-server/server` and the
 * UDP/TCP DNS transports in `@iroh-ts/dns-server/node`.
 *
 * ```ts
 * import { SecretKey, RelayUrl, TransportAddr } from '@iroh-ts/base';
 * import { EndpointInfo, PkarrRelayClient } from '@iroh-ts/dns-server';
 *
 * const key = SecretKey.generate();
 * const info = new EndpointInfo(key.public(), [TransportAddr.relay('https://relay.example./')]);
 * const client = new PkarrRelayClient('https://dns.iroh.link/pkarr');
 * await client.publish(info.toSignedPacket(key));
 * const back = EndpointInfo.fromSignedPacket(await client.resolve(key.public()));
 * ```
 *
 * @packageDocumentation
 */

export {
  DNS_STAGGERING_MS,
  DNS_TIMEOUT_MS,
  DnsAddressLookup,
  type DnsAddressLookupOptions,
  type DnsTransport,
  N0_DNS_ENDPOINT_ORIGIN_PROD,
  N0_DNS_ENDPOINT_ORIGIN_STAGING,
} from './client/dns-lookup.js';
export { DohTransport, type DohTransportOptions } from './client/doh-transport.js';
export {
  DnsLookupError,
  type DnsLookupErrorCode,
  PkarrClientError,
  type PkarrClientErrorCode,
} from './client/errors.js';
export {
  DEFAULT_REPUBLISH_INTERVAL_MS,
  PkarrPublisher,
  type PkarrPublisherOptions,
} from './client/publisher.js';
export {
  N0_DNS_PKARR_RELAY_PROD,
  N0_DNS_PKARR_RELAY_STAGING,
  PkarrRelayClient,
  type PkarrRelayClientOptions,
} from './client/relay-client.js';
export { PkarrResolver } from './client/resolver.js';
export { addJitter, type StaggerOptions, staggerCall } from './client/stagger.js';
export { defaultTimers, type FetchFn, type Timers } from './client/timers.js';
export { base64UrlDecode, base64UrlEncode } from './dns/base64url.js';
export {
  Flags,
  opcodeOf,
  parseRecordType,
  Rcode,
  RecordClass,
  RecordType,
  type RecordTypeName,
  rcodeOf,
  recordTypeName,
} from './dns/constants.js';
export { DnsError, type DnsErrorCode } from './dns/errors.js';
export {
  type BuildOptions,
  buildMessage,
  type DnsMessage,
  HEADER_LENGTH,
  type ParseOptions,
  parseMessage,
  type Question,
  REPLY_FLAGS,
  type ResourceRecord,
} from './dns/message.js';
export {
  asciiLower,
  isSubdomainOf,
  lowerName,
  type Name,
  nameEquals,
  nameFromLabels,
  nameToRelativeString,
  nameToString,
  parseName,
} from './dns/name.js';
export { rdataToString, txtToString } from './dns/presentation.js';
export type { RData, SoaData } from './dns/rdata.js';
export { SignedPacketError, type SignedPacketErrorCode } from './pkarr/errors.js';
export { normalizeName, signable } from './pkarr/normalize.js';
export {
  MAX_DNS_PACKET_BYTES,
  MAX_SIGNED_PACKET_BYTES,
  type PacketRecord,
  SIGNED_PACKET_HEADER_BYTES,
  SignedPacket,
  type SignOptions,
} from './pkarr/signed-packet.js';
export {
  defaultTimestampSource,
  type MicrosClock,
  systemMicros,
  TimestampSource,
} from './pkarr/timestamp.js';
export { AddrFilter } from './records/addr-filter.js';
export {
  endpointIdFromTxtName,
  formatTxtAttrs,
  IROH_ATTRS,
  IROH_TXT_NAME,
  type IrohAttr,
  parseTxtAttrs,
  type TxtAttrs,
} from './records/attrs.js';
export { DEFAULT_PKARR_TTL, EndpointInfo } from './records/endpoint-info.js';
export { EndpointInfoError, type EndpointInfoErrorCode } from './records/errors.js';
export { UserData } from './records/user-data.js';
