/**
 * X.509 server authentication (for interop with other QUIC stacks and for iroh relays' QAD): the
 * backend validates the chain against the configured roots at the injected time and checks the name;
 * the leaf's key then verifies the server's CertificateVerify. Clients in this mode need a clock
 * (`TlsConfig.now`); there is deliberately no "skip the date check" default.
 */
import { PublicKey } from '@iroh-ts/base';
import { tlsBackend } from '#tls-backend';
import type { PeerIdentity } from '../session.js';
import { TlsAlert } from './alerts.js';
import type { ServerIdentity } from './backend.js';
import type { Certificate } from './messages.js';
import { type PeerKey, spkiPeerKey } from './signatures.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether a server name is an IP address literal (IPv4 dotted quad, or anything with a colon: IPv6). */
export function isIpLiteral(name: string): boolean {
  return IPV4.test(name) || (name.includes(':') && /^[0-9a-fA-F:.]+$/.test(name));
}

/** The identity a server certificate must match: an IP SAN for an address literal, else a DNS SAN. */
export function serverIdentity(name: string): ServerIdentity {
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  return isIpLiteral(bare) ? { kind: 'ip', address: bare } : { kind: 'dns', name };
}

/** Whether this platform's TLS backend can validate X.509 chains. */
export function x509Available(): boolean {
  return tlsBackend.x509 !== undefined;
}

/** A validated server: its identity (the chain as sent) and its leaf key. */
export interface X509Peer {
  readonly identity: PeerIdentity;
  readonly key: PeerKey;
}

/**
 * Validates a server's non-empty X.509 Certificate message. Failures are the alerts rustls sends for
 * the corresponding webpki errors: `unknown_ca` (no path to a root), `decrypt_error` (a certificate
 * signature that does not verify), `certificate_expired` (outside the validity period),
 * `bad_certificate` (malformed, wrong name, CA as end entity), `unsupported_certificate` (not for
 * serverAuth).
 */
export function verifyX509Server(
  cert: Certificate,
  roots: readonly Uint8Array[],
  name: string,
  nowMs: number,
): X509Peer {
  const verifier = tlsBackend.x509;
  if (verifier === undefined) {
    throw new TlsAlert(
      'internal_error',
      `the ${tlsBackend.name} TLS backend cannot validate X.509 certificates`,
    );
  }
  const chain = cert.entries.map((e) => e.data.slice());
  const result = verifier.verifyServerChain(chain, roots, serverIdentity(name), nowMs);
  if (!result.ok) throw new TlsAlert(result.alert, result.reason);
  const key = spkiPeerKey(result.leafSpki, (raw) => {
    try {
      return PublicKey.fromBytes(raw);
    } catch (cause) {
      throw new TlsAlert('bad_certificate', 'the server certificate has an invalid Ed25519 key', { cause });
    }
  });
  return { identity: { kind: 'x509', chain }, key };
}
