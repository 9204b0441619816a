/**
 * TLS sessions configured the way iroh configures rustls (shared/spec §2): RFC 7250 raw public keys
 * (Ed25519) on both sides, mutual authentication, and a client that only accepts the server key it
 * dialled. These are what `QuicEndpoint.connect`/`accept` need to talk to real iroh endpoints.
 */
import { type PublicKey, type SecretKey, secureRandom } from '@iroh-ts/base';
import type { CryptoSession } from './crypto/session.js';
import { createTlsSession } from './crypto/tls/index.js';

const enc = new TextEncoder();
const toBytes = (alpn: Uint8Array | string) => (typeof alpn === 'string' ? enc.encode(alpn) : alpn);

/** Options of {@link irohClientCrypto}. */
export interface IrohClientCryptoOptions {
  /** Our identity. */
  readonly secretKey: SecretKey;
  /** The EndpointId we dial; the handshake fails unless the server proves this key. */
  readonly remoteId: PublicKey;
  /** ALPNs to offer, in preference order. */
  readonly alpns: readonly (Uint8Array | string)[];
  /** Send the `<base32hex>.iroh.invalid` SNI as iroh 1.0.x does (default true). */
  readonly sendSni?: boolean;
  readonly random?: (n: number) => Uint8Array;
}

/** Options of {@link irohServerCrypto}. */
export interface IrohServerCryptoOptions {
  readonly secretKey: SecretKey;
  /** ALPNs we accept; a client offering none of them is refused with no_application_protocol. */
  readonly alpns: readonly (Uint8Array | string)[];
  readonly random?: (n: number) => Uint8Array;
}

/** A client TLS session factory for dialling an iroh endpoint. */
export function irohClientCrypto(opts: IrohClientCryptoOptions): (tp: Uint8Array) => CryptoSession {
  return (transportParameters) =>
    createTlsSession({
      side: 'client',
      alpnProtocols: opts.alpns.map(toBytes),
      transportParameters,
      identity: { kind: 'raw-public-key', secretKey: opts.secretKey },
      verify: { kind: 'raw-public-key', expected: opts.remoteId },
      serverName: opts.sendSni === false ? undefined : opts.remoteId.tlsServerName(),
      random: opts.random ?? secureRandom,
    });
}

/** A server TLS session factory for accepting iroh endpoints (any client key, learnt from the handshake). */
export function irohServerCrypto(opts: IrohServerCryptoOptions): (tp: Uint8Array) => CryptoSession {
  return (transportParameters) =>
    createTlsSession({
      side: 'server',
      alpnProtocols: opts.alpns.map(toBytes),
      transportParameters,
      identity: { kind: 'raw-public-key', secretKey: opts.secretKey },
      verify: { kind: 'raw-public-key' },
      random: opts.random ?? secureRandom,
    });
}
