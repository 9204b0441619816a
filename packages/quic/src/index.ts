/**
 * `@iroh-ts/quic`: QUIC v1 with TLS 1.3 in TypeScript, sans-IO, with a thin async driver.
 *
 * - {@link QuicEndpoint}, {@link QuicConnection}, {@link SendStream}, {@link RecvStream}: the async API
 *   (method names as in `@number0/iroh`), over any {@link UdpTransport}.
 * - {@link Connection} and {@link Endpoint}: the sans-IO state machines, fed bytes and time.
 * - {@link CryptoSession}: the seam to the TLS 1.3 handshake.
 *
 * @packageDocumentation
 */
export type { AeadAlgorithm } from './crypto/aead.js';
export { cryptoBackendName } from './crypto/packet-protection.js';
export type {
  CipherSuite,
  CryptoEvent,
  CryptoSession,
  EncryptionLevel,
  LocalIdentity,
  PeerIdentity,
  PeerVerification,
  TlsConfig,
} from './crypto/session.js';
export { TlsAlert } from './crypto/tls/alerts.js';
export {
  createTlsSession,
  DEFAULT_CIPHER_SUITES,
  DEFAULT_GROUPS,
  tlsBackendName,
} from './crypto/tls/index.js';
export {
  type IrohClientCryptoOptions,
  type IrohServerCryptoOptions,
  irohClientCrypto,
  irohServerCrypto,
} from './iroh-tls.js';
export { type BiStream, QuicConnection } from './node/connection.js';
export type { PathEventInfo } from './node/driver.js';
export {
  type ConnectOptions,
  QuicEndpoint,
  type QuicEndpointOptions,
  QuicIncoming,
} from './node/endpoint.js';
export { ConnectionError } from './node/errors.js';
export { RecvStream, SendStream } from './node/streams.js';
export type { UdpTransport } from './node/udp.js';
export type { CidGenerator } from './proto/connection/cids.js';
export { defaultTransportConfig, type TransportConfig } from './proto/connection/config.js';
export {
  Connection,
  type ConnectionOptions,
  type ConnectionStats,
  type PathInfo,
} from './proto/connection/connection.js';
export type { CloseReason, ConnectionEvent, EndpointEvent } from './proto/connection/events.js';
export { type OpenPathError, PathErrorCode } from './proto/connection/multipath.js';
export type { NatTraversalError } from './proto/connection/nat-traversal.js';
export type { PathStatus } from './proto/connection/path-ctx.js';
export type { Transmit } from './proto/connection/transmit.js';
export { type DatagramOutcome, Endpoint, type EndpointConfig, type Incoming } from './proto/endpoint.js';
export { StreamError, type StreamErrorCode } from './proto/streams/errors.js';
export type { Dir, Side } from './proto/streams/stream-id.js';
export type { ReadResult } from './proto/streams/streams.js';
export { TransportError, TransportErrorCode } from './proto/transport-error.js';
export type { TransportParameters } from './proto/transport-params.js';
