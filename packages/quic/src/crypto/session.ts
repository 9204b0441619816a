/**
 * The seam between the QUIC connection and the TLS 1.3 handshake (RFC 9001 §4): the connection feeds
 * CRYPTO-frame bytes per encryption level into a {@link CryptoSession} and polls it for bytes to send,
 * new traffic secrets and completion. The session never does I/O, reads no clock and takes its
 * randomness from the configuration.
 */
import type { PublicKey, SecretKey } from '@iroh-ts/base';
import type { AeadAlgorithm } from './aead.js';
import type { HashAlg } from './tls/key-schedule.js';

/** QUIC encryption levels (packet-number spaces plus 0-RTT). */
export type EncryptionLevel = 'initial' | 'handshake' | 'zero-rtt' | 'one-rtt';

/** A TLS 1.3 cipher suite as QUIC uses it. */
export interface CipherSuite {
  /** The IANA code, e.g. 0x1301. */
  readonly code: number;
  readonly name: string;
  readonly aead: AeadAlgorithm;
  /** AEAD key length in bytes (16 or 32); the IV is always 12 bytes and hp keys match the key length. */
  readonly keyLength: number;
  readonly hash: HashAlg;
}

/** Traffic secrets that became available at a level. */
export interface SecretsEvent {
  readonly type: 'secrets';
  readonly level: EncryptionLevel;
  readonly suite: CipherSuite;
  /** Our sending secret, when it changed. */
  readonly write: Uint8Array | undefined;
  /** Our receiving secret, when it changed. */
  readonly read: Uint8Array | undefined;
}

/** Handshake bytes to send in CRYPTO frames at `level`. */
export interface HandshakeDataEvent {
  readonly type: 'handshake-data';
  readonly level: EncryptionLevel;
  readonly data: Uint8Array;
}

/** The handshake finished (client: sent Finished; server: received and verified the client's). */
export interface CompleteEvent {
  readonly type: 'complete';
}

/** Events a {@link CryptoSession} emits, in order. */
export type CryptoEvent = SecretsEvent | HandshakeDataEvent | CompleteEvent;

/** How the peer proved its identity. */
export type PeerIdentity =
  | { readonly kind: 'raw-public-key'; readonly key: PublicKey }
  | { readonly kind: 'x509'; readonly chain: readonly Uint8Array[] };

/**
 * A TLS 1.3 handshake driven by the QUIC connection. Methods throw a `TlsAlert` (whose QUIC error code
 * is CRYPTO_ERROR 0x100 + alert) when the handshake fails.
 */
export interface CryptoSession {
  readonly side: 'client' | 'server';
  /** Feeds bytes received in CRYPTO frames at `level`, in stream order. */
  readHandshake(level: EncryptionLevel, data: Uint8Array): void;
  /** Takes the next pending event, if any. */
  poll(): CryptoEvent | undefined;
  /** True until the handshake completes. */
  readonly isHandshaking: boolean;
  /** The peer's quic_transport_parameters extension body, once received. */
  peerTransportParameters(): Uint8Array | undefined;
  /** The negotiated ALPN protocol, once known. */
  alpn(): Uint8Array | undefined;
  /** The peer's authenticated identity, once verified. */
  peerIdentity(): PeerIdentity | undefined;
  /** The negotiated cipher suite, once known. */
  suite(): CipherSuite | undefined;
  /** TLS exporter (RFC 8446 §7.5), available after the handshake. */
  exportKeyingMaterial(label: Uint8Array, context: Uint8Array, length: number): Uint8Array;
}

/** How a client checks the server (and how a server checks clients). */
export type PeerVerification =
  /** iroh: RFC 7250 raw public keys; a client expects exactly this server key. */
  | { readonly kind: 'raw-public-key'; readonly expected?: PublicKey }
  /** X.509: verify the chain against these DER roots and the server name. */
  | { readonly kind: 'x509'; readonly roots: readonly Uint8Array[]; readonly serverName?: string };

/** Our own credentials. */
export type LocalIdentity =
  | { readonly kind: 'raw-public-key'; readonly secretKey: SecretKey }
  | {
      readonly kind: 'x509';
      /** DER certificates, leaf first. */
      readonly chain: readonly Uint8Array[];
      /** The leaf's private key as PKCS#8 DER (Ed25519 or ECDSA P-256). */
      readonly privateKeyPkcs8: Uint8Array;
    };

/** Configuration of one TLS handshake. */
export interface TlsConfig {
  readonly side: 'client' | 'server';
  /** ALPN protocols: a client offers them in order; a server accepts one of them (none in common → no_application_protocol). */
  readonly alpnProtocols: readonly Uint8Array[];
  /** Our encoded quic_transport_parameters. */
  readonly transportParameters: Uint8Array;
  /** Our identity; a client without one cannot answer a CertificateRequest. */
  readonly identity?: LocalIdentity;
  /** How to verify the peer. Servers with `raw-public-key` require and accept any client key (iroh). */
  readonly verify: PeerVerification;
  /** Client: the SNI to send (iroh 1.0.x sends `<base32hex id>.iroh.invalid`); omitted when undefined. */
  readonly serverName?: string;
  /** Cipher suites to offer or accept, in preference order. */
  readonly cipherSuites?: readonly number[];
  /** Key-exchange groups to offer or accept, in preference order. */
  readonly groups?: readonly number[];
  /** Randomness (client/server random, key shares). */
  readonly random: (length: number) => Uint8Array;
  /**
   * The current time in milliseconds since the Unix epoch, for X.509 validity checks. Required by a
   * client whose `verify` is `x509` (there is no "skip the date check" default); never read otherwise.
   */
  readonly now?: () => number;
}
