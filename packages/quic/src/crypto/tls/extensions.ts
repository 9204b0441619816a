/**
 * TLS 1.3 extensions (RFC 8446 §4.2, RFC 6066, RFC 7250, RFC 7301, RFC 9001 §8.2) as typed values.
 *
 * One extension type can have a different shape in different messages (key_share is a list in a
 * ClientHello, one share in a ServerHello and a bare group in a HelloRetryRequest), so decoding takes
 * the {@link ExtensionContext}; each shape is its own `kind`, which makes encoding context-free.
 * Extensions this module does not interpret are kept as `{ kind: 'opaque', type, data }` so that a
 * decoded message re-encodes to the exact bytes it came from. Byte fields are views of the input.
 */
import { type Reader, Writer } from '../../proto/coding.js';
import { asDecodeError, illegalParameter, TlsAlert } from './alerts.js';
import { extensionName, ExtensionType as T } from './constants.js';
import { decodeExtensionBody, encodeExtensionBody } from './extensions-body.js';

/** The message an extension block belongs to; it decides which extensions may appear and their shape. */
export type ExtensionContext =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate_request'
  | 'certificate'
  | 'new_session_ticket';

/** One entry of a key_share extension: a group and the sender's public value. */
export interface KeyShareEntry {
  readonly group: number;
  readonly keyExchange: Uint8Array;
}

/** One entry of the pre_shared_key identities list. */
export interface PskIdentity {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
}

/** One entry of a server_name list (name type 0 is host_name). */
export interface ServerNameEntry {
  readonly nameType: number;
  readonly name: Uint8Array;
}

/** A typed TLS extension. `kind` names the shape; {@link extensionType} gives its code point. */
export type Extension =
  /** server_name in a ClientHello. */
  | { readonly kind: 'server_name'; readonly names: readonly ServerNameEntry[] }
  /** server_name in EncryptedExtensions: empty, "the name was used". */
  | { readonly kind: 'server_name_ack' }
  | { readonly kind: 'supported_groups'; readonly groups: readonly number[] }
  | { readonly kind: 'ec_point_formats'; readonly formats: readonly number[] }
  | { readonly kind: 'signature_algorithms'; readonly schemes: readonly number[] }
  | { readonly kind: 'signature_algorithms_cert'; readonly schemes: readonly number[] }
  /** ALPN: a list in a ClientHello, exactly one protocol in EncryptedExtensions. */
  | { readonly kind: 'alpn'; readonly protocols: readonly Uint8Array[] }
  /** status_request of type ocsp in a ClientHello (other status types stay opaque). */
  | {
      readonly kind: 'status_request';
      readonly responderIds: readonly Uint8Array[];
      readonly requestExtensions: Uint8Array;
    }
  /** client_certificate_type in a ClientHello: the types the client can send. */
  | { readonly kind: 'client_certificate_type'; readonly types: readonly number[] }
  /** client_certificate_type in EncryptedExtensions: the type the client must send. */
  | { readonly kind: 'client_certificate_type_selected'; readonly certType: number }
  | { readonly kind: 'server_certificate_type'; readonly types: readonly number[] }
  | { readonly kind: 'server_certificate_type_selected'; readonly certType: number }
  | { readonly kind: 'extended_master_secret' }
  /** pre_shared_key in a ClientHello; always the last extension. */
  | {
      readonly kind: 'pre_shared_key';
      readonly identities: readonly PskIdentity[];
      readonly binders: readonly Uint8Array[];
    }
  /** pre_shared_key in a ServerHello. */
  | { readonly kind: 'pre_shared_key_selected'; readonly selectedIdentity: number }
  /** early_data in a ClientHello or EncryptedExtensions (empty). */
  | { readonly kind: 'early_data' }
  /** early_data in a NewSessionTicket. */
  | { readonly kind: 'early_data_max'; readonly maxEarlyDataSize: number }
  | { readonly kind: 'supported_versions'; readonly versions: readonly number[] }
  | { readonly kind: 'supported_versions_selected'; readonly version: number }
  | { readonly kind: 'cookie'; readonly cookie: Uint8Array }
  | { readonly kind: 'psk_key_exchange_modes'; readonly modes: readonly number[] }
  /** key_share in a ClientHello (may be empty). */
  | { readonly kind: 'key_share'; readonly shares: readonly KeyShareEntry[] }
  /** key_share in a ServerHello. */
  | { readonly kind: 'key_share_server'; readonly share: KeyShareEntry }
  /** key_share in a HelloRetryRequest: the group the server wants. */
  | { readonly kind: 'key_share_hrr'; readonly selectedGroup: number }
  /** quic_transport_parameters, kept as bytes (decoded by the transport). */
  | { readonly kind: 'quic_transport_parameters'; readonly data: Uint8Array }
  /** Any extension not interpreted here (unknown, GREASE, or known but left as bytes). */
  | { readonly kind: 'opaque'; readonly type: number; readonly data: Uint8Array };

/** The `kind` of an {@link Extension}. */
export type ExtensionKind = Extension['kind'];

/** Code point of each typed kind. */
const KIND_TYPE: Readonly<Record<Exclude<ExtensionKind, 'opaque'>, number>> = {
  server_name: T.ServerName,
  server_name_ack: T.ServerName,
  supported_groups: T.SupportedGroups,
  ec_point_formats: T.EcPointFormats,
  signature_algorithms: T.SignatureAlgorithms,
  signature_algorithms_cert: T.SignatureAlgorithmsCert,
  alpn: T.ApplicationLayerProtocolNegotiation,
  status_request: T.StatusRequest,
  client_certificate_type: T.ClientCertificateType,
  client_certificate_type_selected: T.ClientCertificateType,
  server_certificate_type: T.ServerCertificateType,
  server_certificate_type_selected: T.ServerCertificateType,
  extended_master_secret: T.ExtendedMasterSecret,
  pre_shared_key: T.PreSharedKey,
  pre_shared_key_selected: T.PreSharedKey,
  early_data: T.EarlyData,
  early_data_max: T.EarlyData,
  supported_versions: T.SupportedVersions,
  supported_versions_selected: T.SupportedVersions,
  cookie: T.Cookie,
  psk_key_exchange_modes: T.PskKeyExchangeModes,
  key_share: T.KeyShare,
  key_share_server: T.KeyShare,
  key_share_hrr: T.KeyShare,
  quic_transport_parameters: T.QuicTransportParameters,
};

/** The code point of an extension. */
export function extensionType(ext: Extension): number {
  return ext.kind === 'opaque' ? ext.type : KIND_TYPE[ext.kind];
}

// Context letters: C = ClientHello, S = ServerHello, H = HelloRetryRequest, E = EncryptedExtensions,
// R = CertificateRequest, T = Certificate entry, N = NewSessionTicket.
const CONTEXT_LETTER: Readonly<Record<ExtensionContext, string>> = {
  client_hello: 'C',
  server_hello: 'S',
  hello_retry_request: 'H',
  encrypted_extensions: 'E',
  certificate_request: 'R',
  certificate: 'T',
  new_session_ticket: 'N',
};

/**
 * Where each recognised extension may appear: RFC 8446 §4.2's table, plus RFC 9001 §8.2 for
 * quic_transport_parameters and ClientHello-only for the TLS 1.2 extensions clients still send.
 */
const ALLOWED: ReadonlyMap<number, string> = new Map([
  [T.ServerName, 'CE'],
  [T.MaxFragmentLength, 'CE'],
  [T.StatusRequest, 'CRT'],
  [T.SupportedGroups, 'CE'],
  [T.EcPointFormats, 'C'],
  [T.SignatureAlgorithms, 'CR'],
  [T.UseSrtp, 'CE'],
  [T.Heartbeat, 'CE'],
  [T.ApplicationLayerProtocolNegotiation, 'CE'],
  [T.SignedCertificateTimestamp, 'CRT'],
  [T.ClientCertificateType, 'CE'],
  [T.ServerCertificateType, 'CE'],
  [T.Padding, 'C'],
  [T.ExtendedMasterSecret, 'C'],
  [T.CompressCertificate, 'CR'],
  [T.RecordSizeLimit, 'CE'],
  [T.SessionTicket, 'C'],
  [T.PreSharedKey, 'CS'],
  [T.EarlyData, 'CEN'],
  [T.SupportedVersions, 'CSH'],
  [T.Cookie, 'CH'],
  [T.PskKeyExchangeModes, 'C'],
  [T.CertificateAuthorities, 'CR'],
  [T.OidFilters, 'R'],
  [T.PostHandshakeAuth, 'C'],
  [T.SignatureAlgorithmsCert, 'CR'],
  [T.KeyShare, 'CSH'],
  [T.QuicTransportParameters, 'CE'],
  [T.EncryptedClientHello, 'CEH'],
  [T.RenegotiationInfo, 'C'],
]);

/** Contexts where an unrecognised extension is ignored (kept opaque) rather than refused. */
const UNKNOWN_TOLERATED = 'CRN';

/**
 * Reads a `Extension extensions<0..2^16-1>` block for `ctx`. Enforces RFC 8446 §4.2: no duplicate
 * types (`illegal_parameter`), pre_shared_key last in a ClientHello (`illegal_parameter`), a recognised
 * extension in a message it is not specified for (`illegal_parameter`), an unrecognised one in a
 * message that can only carry responses (`unsupported_extension`), and malformed bodies (`decode_error`).
 */
export function decodeExtensions(r: Reader, ctx: ExtensionContext): Extension[] {
  const block = asDecodeError('extensions block', () => r.sub(2));
  const letter = CONTEXT_LETTER[ctx];
  const seen = new Set<number>();
  const out: Extension[] = [];
  while (!block.eof) {
    const [type, data] = asDecodeError('extension header', () => [block.u16(), block.sub(2)] as const);
    if (seen.has(type)) throw illegalParameter(`duplicate ${extensionName(type)} extension in ${ctx}`);
    seen.add(type);
    if (type === T.PreSharedKey && ctx === 'client_hello' && !block.eof) {
      throw illegalParameter('pre_shared_key is not the last extension of the ClientHello');
    }
    const allowed = ALLOWED.get(type);
    if (allowed === undefined) {
      if (!UNKNOWN_TOLERATED.includes(letter)) {
        throw new TlsAlert('unsupported_extension', `unrequested extension ${extensionName(type)} in ${ctx}`);
      }
    } else if (!allowed.includes(letter)) {
      throw illegalParameter(`${extensionName(type)} extension is not allowed in ${ctx}`);
    }
    out.push(
      asDecodeError(`${extensionName(type)} extension`, () => {
        const ext = decodeExtensionBody(type, data, ctx);
        data.finish(`${extensionName(type)} extension`);
        return ext;
      }),
    );
  }
  return out;
}

/** Writes one extension: type, 2-byte length, body. */
export function encodeExtension(w: Writer, ext: Extension): void {
  w.u16(extensionType(ext));
  w.vec(2, (b) => encodeExtensionBody(b, ext));
}

/** Writes an `extensions<0..2^16-1>` block in the given order. */
export function encodeExtensions(w: Writer, exts: readonly Extension[]): void {
  w.vec(2, (b) => {
    for (const ext of exts) encodeExtension(b, ext);
  });
}

/** The body bytes of one extension (without type and length). */
export function extensionData(ext: Extension): Uint8Array {
  const w = new Writer();
  encodeExtensionBody(w, ext);
  return w.finish();
}

/** The first extension of a kind, typed. */
export function findExtension<K extends ExtensionKind>(
  exts: readonly Extension[],
  kind: K,
): Extract<Extension, { kind: K }> | undefined {
  return exts.find((e): e is Extract<Extension, { kind: K }> => e.kind === kind);
}

/** Whether an extension with this code point is present (any kind). */
export function hasExtension(exts: readonly Extension[], type: number): boolean {
  return exts.some((e) => extensionType(e) === type);
}

/**
 * RFC 8446 §4.2: a peer must not send an extension response it was not asked for (except cookie in a
 * HelloRetryRequest). Throws `unsupported_extension` when `received` has a type not in `offered`.
 */
export function checkSolicited(
  offered: Iterable<number>,
  received: readonly Extension[],
  unsolicitedOk: readonly number[] = [],
): void {
  const sent = new Set(offered);
  for (const ext of received) {
    const type = extensionType(ext);
    if (!sent.has(type) && !unsolicitedOk.includes(type)) {
      throw new TlsAlert('unsupported_extension', `peer sent ${extensionName(type)} that was not offered`);
    }
  }
}

/** A server_name extension for one DNS host name (ASCII). */
export function serverNameExtension(hostName: string): Extension {
  return { kind: 'server_name', names: [{ nameType: 0, name: asciiBytes(hostName) }] };
}

/** The host_name of a server_name extension, if it has one that is printable ASCII. */
export function hostNameOf(ext: Extract<Extension, { kind: 'server_name' }>): string | undefined {
  const entry = ext.names.find((n) => n.nameType === 0);
  if (entry === undefined || entry.name.some((b) => b < 0x21 || b > 0x7e)) return undefined;
  return new TextDecoder().decode(entry.name);
}

/** An ALPN extension from protocol names (strings are UTF-8 encoded). */
export function alpnExtension(protocols: readonly (string | Uint8Array)[]): Extension {
  return {
    kind: 'alpn',
    protocols: protocols.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p)),
  };
}

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || c < 0x21)
      throw new RangeError(`not a printable ASCII host name: ${JSON.stringify(text)}`);
    out[i] = c;
  }
  return out;
}
