/**
 * X.509 server-certificate validation on node:crypto's `X509Certificate` (OpenSSL): path building to a
 * configured root, signatures, CA flags, validity dates against an injected time, the serverAuth
 * purpose and the name (DNS SANs with at most one whole leading wildcard label, or IP SANs; never the
 * subject CN). Alerts follow rustls's mapping of webpki errors. Browsers need another implementation.
 */
import { X509Certificate } from 'node:crypto';
import type { ServerIdentity, X509Failure, X509Success, X509Verifier } from '../tls/backend.js';
import type { AlertName } from '../tls/constants.js';

/** Longest path (end entity plus intermediates) we try to build. */
const MAX_PATH_LENGTH = 8;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

const fail = (alert: AlertName, reason: string): X509Failure => ({ ok: false, alert, reason });

function parse(der: Uint8Array): X509Certificate | undefined {
  try {
    return new X509Certificate(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
  } catch {
    return undefined;
  }
}

/** `undefined` when `cert` is valid at `nowMs`, else the failure. */
function checkDates(cert: X509Certificate, nowMs: number, what: string): X509Failure | undefined {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (Number.isNaN(from) || Number.isNaN(to))
    return fail('bad_certificate', `${what} has unreadable validity`);
  if (nowMs < from) return fail('certificate_expired', `${what} is not valid before ${cert.validFrom}`);
  if (nowMs > to) return fail('certificate_expired', `${what} expired at ${cert.validTo}`);
  return undefined;
}

/** Whether `issuer` issued `child`: 'yes', 'no' (names or key ids differ), or 'bad-signature'. */
function issuedBy(child: X509Certificate, issuer: X509Certificate): 'yes' | 'no' | 'bad-signature' {
  try {
    if (!child.checkIssued(issuer)) return 'no';
    return child.verify(issuer.publicKey) ? 'yes' : 'bad-signature';
  } catch {
    return 'no';
  }
}

function matchesName(leaf: X509Certificate, identity: ServerIdentity): boolean {
  try {
    if (identity.kind === 'ip') return leaf.checkIP(identity.address) !== undefined;
    return (
      leaf.checkHost(identity.name, {
        subject: 'never',
        wildcards: true,
        partialWildcards: false,
        multiLabelWildcards: false,
        singleLabelSubdomains: false,
      }) !== undefined
    );
  } catch {
    return false;
  }
}

function verifyServerChain(
  chain: readonly Uint8Array[],
  roots: readonly Uint8Array[],
  identity: ServerIdentity,
  nowMs: number,
): X509Success | X509Failure {
  const certs: X509Certificate[] = [];
  for (const der of chain) {
    const cert = parse(der);
    if (cert === undefined) return fail('bad_certificate', 'malformed X.509 certificate in the chain');
    certs.push(cert);
  }
  const leaf = certs[0];
  if (leaf === undefined) return fail('decode_error', 'empty certificate chain');
  if (leaf.ca) return fail('bad_certificate', 'a CA certificate was presented as the end entity');
  const leafDates = checkDates(leaf, nowMs, 'the server certificate');
  if (leafDates !== undefined) return leafDates;
  const eku = leaf.keyUsage;
  if (eku !== undefined && !eku.includes(SERVER_AUTH) && !eku.includes(ANY_EXTENDED_KEY_USAGE)) {
    return fail('unsupported_certificate', 'the server certificate is not valid for serverAuth');
  }

  const anchors = roots.map(parse).filter((c): c is X509Certificate => c !== undefined);
  const used = new Set<number>();
  let current = leaf;
  let anchored = false;
  let badSignature = false;
  for (let depth = 0; depth < MAX_PATH_LENGTH && !anchored; depth++) {
    const parent = current;
    const results = anchors.map((a) => issuedBy(parent, a));
    if (results.includes('yes')) {
      anchored = true;
      break;
    }
    badSignature ||= results.includes('bad-signature');
    let next = -1;
    for (let i = 1; i < certs.length && next < 0; i++) {
      if (used.has(i) || !certs[i]!.ca) continue;
      const r = issuedBy(parent, certs[i]!);
      if (r === 'yes') next = i;
      badSignature ||= r === 'bad-signature';
    }
    const issuer = certs[next];
    if (issuer === undefined) break;
    const dates = checkDates(issuer, nowMs, 'an intermediate certificate');
    if (dates !== undefined) return dates;
    used.add(next);
    current = issuer;
  }
  if (!anchored) {
    // webpki reports a signature that does not verify as BadSignature, which rustls sends as decrypt_error.
    return badSignature
      ? fail('decrypt_error', 'a certificate signature in the chain does not verify')
      : fail('unknown_ca', 'the server certificate does not chain to a trusted root');
  }

  if (!matchesName(leaf, identity)) {
    const name = identity.kind === 'ip' ? identity.address : identity.name;
    return fail('bad_certificate', `the server certificate is not valid for ${name}`);
  }
  return { ok: true, leafSpki: toU8(leaf.publicKey.export({ format: 'der', type: 'spki' })) };
}

const toU8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** X.509 validation for the node:crypto TLS backend. */
export const x509Verifier: X509Verifier = { verifyServerChain };
