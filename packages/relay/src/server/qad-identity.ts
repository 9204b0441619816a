/**
 * The X.509 identity a QAD server presents: the relay's own certificate chain (DER, leaf first) and its
 * private key (PKCS#8 DER), checked before any client sees them.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createTlsSession } from '@iroh-ts/quic';
import { RelayServerError } from './errors.js';

/** A certificate chain and its key, in the form `@iroh-ts/quic`'s TLS takes them. */
export interface QadIdentity {
  /** DER certificates, leaf first. */
  readonly chain: readonly Uint8Array[];
  /** The leaf's private key, PKCS#8 DER (ECDSA P-256 or Ed25519). */
  readonly privateKeyPkcs8: Uint8Array;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/**
 * Converts a PEM certificate chain and a PEM private key (PKCS#8, SEC1 `EC PRIVATE KEY` or PKCS#1) into
 * a {@link QadIdentity}, checked with {@link checkQadIdentity}.
 *
 * @throws {@link RelayServerError} `InvalidConfig` when the PEM does not parse, the key does not match
 * the leaf, or our TLS cannot sign with the key.
 */
export function qadIdentityFromPem(certPem: string, keyPem: string): QadIdentity {
  const chain = [...certPem.matchAll(PEM_CERT)].map((m) =>
    Uint8Array.from(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')),
  );
  let privateKeyPkcs8: Uint8Array;
  try {
    privateKeyPkcs8 = Uint8Array.from(createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' }));
  } catch (e) {
    throw new RelayServerError('InvalidConfig', `QAD: unreadable private key: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const identity = { chain, privateKeyPkcs8 };
  checkQadIdentity(identity);
  return identity;
}

/**
 * Checks that `identity` has a parseable leaf certificate whose public key matches the private key,
 * and that our TLS 1.3 can sign handshakes with that key.
 *
 * @throws {@link RelayServerError} `InvalidConfig`.
 */
export function checkQadIdentity(identity: QadIdentity): void {
  const leaf = identity.chain[0];
  if (leaf === undefined) throw new RelayServerError('InvalidConfig', 'QAD: no certificate');
  try {
    const cert = new X509Certificate(leaf);
    const key = createPrivateKey({
      key: Buffer.from(identity.privateKeyPkcs8),
      format: 'der',
      type: 'pkcs8',
    });
    if (!cert.checkPrivateKey(key)) throw new Error('the key does not match the certificate');
    for (const der of identity.chain.slice(1)) new X509Certificate(der);
    // Loads the key the way every handshake will (throws for a key our TLS cannot sign with).
    createTlsSession({
      side: 'server',
      alpnProtocols: [],
      transportParameters: new Uint8Array(0),
      identity: { kind: 'x509', chain: identity.chain, privateKeyPkcs8: identity.privateKeyPkcs8 },
      verify: { kind: 'x509', roots: [] },
      random: (n) => new Uint8Array(n),
    });
  } catch (e) {
    throw new RelayServerError('InvalidConfig', `QAD: bad certificate or key: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
