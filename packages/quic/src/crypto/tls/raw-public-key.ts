/**
 * iroh's RFC 7250 raw public keys: both sides offer and select only RawPublicKey(2) certificate types,
 * and the single certificate entry is the 44-byte Ed25519 SubjectPublicKeyInfo. Failures carry the
 * alerts iroh's rustls verifiers produce: a key other than the dialled one, or extra certificates,
 * is `unknown_ca` (webpki's UnknownIssuer); entries that are not an Ed25519 key are `bad_certificate`.
 */
import { equalBytes, hexEncode, PublicKey } from '@iroh-ts/base';
import { illegalParameter, TlsAlert } from './alerts.js';
import { CertificateType } from './constants.js';
import { type Extension, findExtension } from './extensions.js';
import { type Certificate, ed25519KeyFromSpki } from './messages.js';

/** What a raw-public-key client puts in its ClientHello: RawPublicKey only, for both directions. */
export function rpkCertificateTypeOffers(): Extension[] {
  return [
    { kind: 'client_certificate_type', types: [CertificateType.RawPublicKey] },
    { kind: 'server_certificate_type', types: [CertificateType.RawPublicKey] },
  ];
}

function offers(exts: readonly Extension[], kind: 'client_certificate_type' | 'server_certificate_type') {
  return findExtension(exts, kind)?.types.includes(CertificateType.RawPublicKey) ?? false;
}

/**
 * Server side (RFC 7250 §4.2): the client must accept a raw public key from us and offer one of its own
 * (mutual authentication is mandatory). Otherwise `handshake_failure`, the alert rustls (iroh) sends;
 * RFC 7250 names `unsupported_certificate`. Returns the selections to put in EncryptedExtensions.
 */
export function selectRpkCertificateTypes(clientHelloExtensions: readonly Extension[]): Extension[] {
  if (!offers(clientHelloExtensions, 'server_certificate_type')) {
    throw new TlsAlert('handshake_failure', 'the client does not accept raw public key server certificates');
  }
  if (!offers(clientHelloExtensions, 'client_certificate_type')) {
    throw new TlsAlert('handshake_failure', 'the client cannot authenticate with a raw public key');
  }
  return [
    { kind: 'client_certificate_type_selected', certType: CertificateType.RawPublicKey },
    { kind: 'server_certificate_type_selected', certType: CertificateType.RawPublicKey },
  ];
}

/**
 * Client side: the server must have selected RawPublicKey for its own certificate (absent means X.509,
 * which we did not offer: `handshake_failure`, as rustls). Returns whether it also selected RawPublicKey for
 * ours (a CertificateRequest without that selection cannot be answered).
 */
export function checkRpkSelections(encryptedExtensions: readonly Extension[]): boolean {
  const server = findExtension(encryptedExtensions, 'server_certificate_type_selected');
  if (server === undefined) {
    throw new TlsAlert('handshake_failure', 'the server did not select raw public key certificates');
  }
  if (server.certType !== CertificateType.RawPublicKey) {
    throw illegalParameter(`the server selected certificate type ${server.certType}, which we did not offer`);
  }
  const client = findExtension(encryptedExtensions, 'client_certificate_type_selected');
  if (client !== undefined && client.certType !== CertificateType.RawPublicKey) {
    throw illegalParameter(
      `the server selected client certificate type ${client.certType}, which we did not offer`,
    );
  }
  return client !== undefined;
}

/** Peer keys seen recently (validated), oldest first; bounded. */
const KNOWN_KEYS = new Map<string, PublicKey>();
const KNOWN_KEYS_MAX = 1024;

/**
 * The peer's key from a raw-public-key Certificate message with at least one entry. With `expected`
 * (a client dialling an EndpointId) the entry must be exactly that key's SPKI.
 */
export function rawPublicKeyFromCertificate(
  cert: Certificate,
  expected: PublicKey | undefined,
  who: 'server' | 'client',
): PublicKey {
  if (cert.entries.length !== 1) {
    throw new TlsAlert(
      'unknown_ca',
      `the ${who} sent ${cert.entries.length} certificates; raw public keys allow one`,
    );
  }
  const data = cert.entries[0]!.data;
  const raw = ed25519KeyFromSpki(data);
  if (expected !== undefined) {
    if (raw === undefined || !equalBytes(raw, expected.bytesView)) {
      const got = raw === undefined ? 'no Ed25519 key' : `key ${hexEncode(raw).slice(0, 10)}…`;
      throw new TlsAlert(
        'unknown_ca',
        `the ${who} presented ${got}, not the expected key ${expected.fmtShort()}…`,
      );
    }
    return expected;
  }
  if (raw === undefined) {
    throw new TlsAlert('bad_certificate', `the ${who} certificate is not an Ed25519 SubjectPublicKeyInfo`);
  }
  const key = hexEncode(raw);
  const known = KNOWN_KEYS.get(key);
  if (known) return known;
  try {
    const parsed = PublicKey.fromBytes(raw);
    // Clients come back: keep their parsed keys (and with them the imported verifier), so that a
    // returning client's handshake skips the point check and the key import.
    if (KNOWN_KEYS.size >= KNOWN_KEYS_MAX) KNOWN_KEYS.delete(KNOWN_KEYS.keys().next().value!);
    KNOWN_KEYS.set(key, parsed);
    return parsed;
  } catch (cause) {
    throw new TlsAlert('bad_certificate', `the ${who} raw public key is not a valid Ed25519 point`, {
      cause,
    });
  }
}
