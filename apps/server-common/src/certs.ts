/**
 * TLS certificates for the server apps: PEM files given by the operator, or a self-signed
 * certificate made at start (ECDSA P-256, for tests and private deployments).
 */
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { ServerConfigError } from './errors.js';

/** A certificate chain and its private key, PEM-encoded. */
export interface PemKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Reads a PEM certificate chain and private key, checking that they parse and belong together.
 *
 * @throws {@link ServerConfigError} `CertificateUnreadable`.
 */
export async function readPemFiles(certPath: string, keyPath: string): Promise<PemKeyPair> {
  let certPem: string;
  let keyPem: string;
  try {
    [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  } catch (e) {
    throw new ServerConfigError('CertificateUnreadable', `cannot read TLS files: ${(e as Error).message}`, {
      cause: e,
    });
  }
  checkPair({ certPem, keyPem }, `${certPath} / ${keyPath}`);
  return { certPem, keyPem };
}

/** Throws unless `pair` holds a parseable certificate whose public key matches the private key. */
export function checkPair(pair: PemKeyPair, what: string): void {
  try {
    const cert = new X509Certificate(pair.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(pair.keyPem)))
      throw new Error('the key does not match the certificate');
  } catch (e) {
    throw new ServerConfigError(
      'CertificateUnreadable',
      `bad TLS certificate or key (${what}): ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

/**
 * A self-signed certificate for `names` (DNS names and IP addresses, all in the subject alternative
 * names; the first is also the common name), valid from one hour ago for `days` days.
 */
export async function selfSignedCertificate(names: readonly string[], days = 365): Promise<PemKeyPair> {
  if (names.length === 0)
    throw new ServerConfigError('InvalidConfig', 'a self-signed certificate needs at least one name');
  const crypto = webcrypto;
  x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 3_600_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${names[0]}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })),
      ),
    ],
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString('pem'), keyPem };
}
