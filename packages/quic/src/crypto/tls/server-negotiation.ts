/**
 * What a server decides from a ClientHello (RFC 8446 §4.1.1, RFC 9001 §8, RFC 7250 §4.2): the cipher
 * suite (server preference), the key exchange group (a group the client sent a share for, else a
 * HelloRetryRequest for the first group both support), the signature scheme, the ALPN protocol (the
 * first client protocol we support) and the certificate types; with the alerts for each failure.
 */
import { illegalParameter, TlsAlert } from './alerts.js';
import { CertificateType, namedGroupName } from './constants.js';
import { type Extension, findExtension, type KeyShareEntry } from './extensions.js';
import { type ClientHello, checkClientHelloTls13 } from './messages.js';
import { selectRpkCertificateTypes } from './raw-public-key.js';
import { chooseScheme, type LocalCredential } from './signatures.js';

/** The server's side of the negotiation. */
export interface ServerPolicy {
  readonly suites: readonly number[];
  readonly groups: readonly number[];
  readonly alpnProtocols: readonly Uint8Array[];
  readonly credential: LocalCredential;
}

/** The outcome of one ClientHello. */
export interface Negotiation {
  readonly suite: number;
  readonly group: number;
  /** The client's share for {@link group}; `undefined` means a HelloRetryRequest is needed. */
  readonly share: KeyShareEntry | undefined;
  readonly scheme: number;
  readonly alpn: Uint8Array;
  readonly transportParameters: Uint8Array;
  /** Certificate-type selections for EncryptedExtensions (RFC 7250). */
  readonly certificateTypes: readonly Extension[];
}

/** Negotiates from a ClientHello; throws the alert RFC 8446 / RFC 9001 / RFC 7250 prescribe on failure. */
export function negotiate(ch: ClientHello, policy: ServerPolicy): Negotiation {
  checkClientHelloTls13(ch, { quic: true });
  if (ch.legacySessionId.length !== 0) {
    // RFC 9001 §8.4 calls this a PROTOCOL_VIOLATION; as a TLS alert it is an illegal parameter.
    throw illegalParameter('QUIC ClientHello with a non-empty legacy_session_id');
  }
  const suite = policy.suites.find((s) => ch.cipherSuites.includes(s));
  if (suite === undefined) throw new TlsAlert('handshake_failure', 'no cipher suite in common');

  const offeredGroups = findExtension(ch.extensions, 'supported_groups')?.groups ?? [];
  const shares = findExtension(ch.extensions, 'key_share')?.shares ?? [];
  let group: number | undefined;
  let share: KeyShareEntry | undefined;
  for (const g of policy.groups) {
    share = shares.find((s) => s.group === g);
    if (share !== undefined) {
      group = g;
      break;
    }
  }
  group ??= policy.groups.find((g) => offeredGroups.includes(g));
  if (group === undefined) throw new TlsAlert('handshake_failure', 'no key exchange group in common');

  const certificateTypes =
    policy.credential.certType === 'raw-public-key'
      ? selectRpkCertificateTypes(ch.extensions)
      : selectX509ServerType(ch.extensions);
  const schemes = findExtension(ch.extensions, 'signature_algorithms')?.schemes ?? [];
  const scheme = chooseScheme(policy.credential, schemes);

  const offeredAlpn = findExtension(ch.extensions, 'alpn')?.protocols ?? [];
  const alpn = offeredAlpn.find((p) => policy.alpnProtocols.some((q) => sameBytes(p, q)));
  if (alpn === undefined) {
    throw new TlsAlert('no_application_protocol', 'no ALPN protocol in common with the client');
  }
  const params = findExtension(ch.extensions, 'quic_transport_parameters');
  if (params === undefined) throw new TlsAlert('missing_extension', 'no quic_transport_parameters');

  return {
    suite,
    group,
    share,
    scheme,
    alpn: alpn.slice(),
    transportParameters: params.data.slice(),
    certificateTypes,
  };
}

/**
 * An X.509 server answers a client that lists server certificate types only if X.509 is among them
 * (echoing it), and does not request client certificates.
 */
function selectX509ServerType(exts: readonly Extension[]): Extension[] {
  const offer = findExtension(exts, 'server_certificate_type');
  if (offer === undefined) return [];
  if (!offer.types.includes(CertificateType.X509)) {
    throw new TlsAlert('handshake_failure', 'the client does not accept X.509 server certificates');
  }
  return [{ kind: 'server_certificate_type_selected', certType: CertificateType.X509 }];
}

/**
 * The second ClientHello after our HelloRetryRequest must keep the cipher suite and carry exactly one
 * key share, for the group we asked for (RFC 8446 §4.1.2): `illegal_parameter` otherwise.
 */
export function checkRetry(ch: ClientHello, n: Negotiation, suite: number, group: number): KeyShareEntry {
  if (n.suite !== suite) throw illegalParameter('the second ClientHello changed the cipher suite');
  const shares = findExtension(ch.extensions, 'key_share')?.shares ?? [];
  const share = shares[0];
  if (shares.length !== 1 || share === undefined || share.group !== group) {
    throw illegalParameter(`the second ClientHello must carry one key share, for ${namedGroupName(group)}`);
  }
  return share;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
