/**
 * The TLS 1.3 handshake for QUIC: {@link createTlsSession} makes the client or server
 * {@link CryptoSession} a connection drives. iroh's RFC 7250 raw public keys by default; X.509 for
 * other QUIC stacks and relays (on Node only, for now).
 */
import { tlsBackend } from '#tls-backend';
import type { CryptoSession, TlsConfig } from '../session.js';
import { TlsClient } from './handshake-client.js';
import { TlsServer } from './handshake-server.js';

export { TlsAlert } from './alerts.js';
export type { TlsBackend } from './backend.js';
export { TlsClient } from './handshake-client.js';
export { cipherSuite, DEFAULT_CIPHER_SUITES } from './handshake-common.js';
export { TlsServer } from './handshake-server.js';
export { DEFAULT_GROUPS } from './key-exchange.js';
export { RPK_SIGNATURE_SCHEMES, X509_SIGNATURE_SCHEMES } from './signatures.js';

/**
 * A new TLS 1.3 session for `config.side`. A client queues its ClientHello at once (poll it). Throws a
 * `RangeError` for an unusable configuration (for example an X.509 client without `now` or a server
 * name, a server without an identity, or an identity of the wrong kind for `verify`).
 */
export function createTlsSession(config: TlsConfig): CryptoSession {
  return config.side === 'client' ? new TlsClient(config) : new TlsServer(config);
}

/** The name of the TLS primitive backend in use ('node:crypto' or '@noble'). */
export const tlsBackendName: string = tlsBackend.name;
