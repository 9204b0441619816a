/**
 * TLS 1.3 code points (RFC 8446 and the IANA TLS registries) used by the handshake codec: protocol
 * versions, handshake types, extension types, cipher suites, named groups, signature schemes, alert
 * descriptions, certificate types (RFC 7250) and PSK key exchange modes. Plain data, no behaviour.
 */
import type { AeadAlgorithm } from '../aead.js';

/** Builds the reverse (value → name) map of a code-point table. */
function reverse<T extends Record<string, number>>(table: T): ReadonlyMap<number, string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k]));
}

/** `ProtocolVersion` values. */
export const ProtocolVersion = {
  /** `legacy_version` of every TLS 1.3 ClientHello and ServerHello. */
  TLS12: 0x0303,
  TLS13: 0x0304,
} as const;

/** `HandshakeType` (RFC 8446 §4). */
export const HandshakeType = {
  ClientHello: 1,
  ServerHello: 2,
  NewSessionTicket: 4,
  EndOfEarlyData: 5,
  EncryptedExtensions: 8,
  Certificate: 11,
  CertificateRequest: 13,
  CertificateVerify: 15,
  Finished: 20,
  KeyUpdate: 24,
  /** The synthetic message replacing ClientHello1 in the transcript after a HelloRetryRequest (§4.4.1). */
  MessageHash: 254,
} as const;
/** A {@link HandshakeType} value. */
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

/** `ExtensionType` values this codec knows by name (IANA "TLS ExtensionType Values"). */
export const ExtensionType = {
  ServerName: 0,
  MaxFragmentLength: 1,
  StatusRequest: 5,
  SupportedGroups: 10,
  EcPointFormats: 11,
  SignatureAlgorithms: 13,
  UseSrtp: 14,
  Heartbeat: 15,
  ApplicationLayerProtocolNegotiation: 16,
  SignedCertificateTimestamp: 18,
  ClientCertificateType: 19,
  ServerCertificateType: 20,
  Padding: 21,
  ExtendedMasterSecret: 23,
  CompressCertificate: 27,
  RecordSizeLimit: 28,
  SessionTicket: 35,
  PreSharedKey: 41,
  EarlyData: 42,
  SupportedVersions: 43,
  Cookie: 44,
  PskKeyExchangeModes: 45,
  CertificateAuthorities: 47,
  OidFilters: 48,
  PostHandshakeAuth: 49,
  SignatureAlgorithmsCert: 50,
  KeyShare: 51,
  /** RFC 9001 §8.2. */
  QuicTransportParameters: 57,
  EncryptedClientHello: 0xfe0d,
  RenegotiationInfo: 0xff01,
} as const;

/** `CipherSuite` values of TLS 1.3 (RFC 8446 §B.4). */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
} as const;

/** What a QUIC-capable TLS 1.3 cipher suite is made of. */
export interface CipherSuiteInfo {
  readonly id: number;
  readonly name: string;
  /** The HKDF / transcript hash. */
  readonly hash: 'sha256' | 'sha384';
  readonly aead: AeadAlgorithm;
  /** AEAD key length in bytes (also the QUIC header-protection key length). */
  readonly keyLength: number;
  /** AEAD IV length in bytes. */
  readonly ivLength: 12;
}

/** The cipher suites QUIC can use, by id (RFC 9001 §5.3; CCM suites omitted). */
export const CIPHER_SUITES: ReadonlyMap<number, CipherSuiteInfo> = new Map(
  (
    [
      [CipherSuite.TLS_AES_128_GCM_SHA256, 'TLS_AES_128_GCM_SHA256', 'sha256', 'aes-128-gcm', 16],
      [CipherSuite.TLS_AES_256_GCM_SHA384, 'TLS_AES_256_GCM_SHA384', 'sha384', 'aes-256-gcm', 32],
      [
        CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        'TLS_CHACHA20_POLY1305_SHA256',
        'sha256',
        'chacha20-poly1305',
        32,
      ],
    ] as const
  ).map(([id, name, hash, aead, keyLength]) => [id, { id, name, hash, aead, keyLength, ivLength: 12 }]),
);

/** `NamedGroup` values (RFC 8446 §4.2.7, RFC 8422, draft-ietf-tls-ecdhe-mlkem). */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
} as const;

/** `SignatureScheme` values (RFC 8446 §4.2.3). */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;

/** `AlertDescription` values (RFC 8446 §6). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;
/** The name of an alert description, e.g. `'decode_error'`. */
export type AlertName = keyof typeof AlertDescription;

/** `CertificateType` values (RFC 7250 §3, RFC 6091). */
export const CertificateType = {
  X509: 0,
  RawPublicKey: 2,
} as const;

/** `PskKeyExchangeMode` values (RFC 8446 §4.2.9). */
export const PskKeyExchangeMode = {
  psk_ke: 0,
  psk_dhe_ke: 1,
} as const;

/** `KeyUpdateRequest` values (RFC 8446 §4.6.3). */
export const KeyUpdateRequest = {
  update_not_requested: 0,
  update_requested: 1,
} as const;

/** `CertificateStatusType` of the status_request extension (RFC 6066 §8). */
export const CertificateStatusType = { ocsp: 1 } as const;

/** The ServerHello.random that marks a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3). */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2,
  0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** Last 8 bytes of a ServerHello.random from a TLS 1.3 server negotiating TLS 1.2 ("DOWNGRD\x01", §4.1.3). */
export const DOWNGRADE_TLS12: Uint8Array = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
/** Last 8 bytes of a ServerHello.random from a TLS 1.3 server negotiating TLS 1.1 or below. */
export const DOWNGRADE_TLS11: Uint8Array = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

/** Whether a 16-bit code point is a GREASE value (RFC 8701: 0x0A0A, 0x1A1A, …, 0xFAFA). */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

/** `KeyShare` → `key_share`: the RFC spelling of a PascalCase table key. */
const snake = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
const handshakeNames = new Map([...reverse(HandshakeType)].map(([k, v]) => [k, snake(v)]));
const extensionNames = new Map([...reverse(ExtensionType)].map(([k, v]) => [k, snake(v)]));
const alertNames = reverse(AlertDescription);
const suiteNames = reverse(CipherSuite);
const groupNames = reverse(NamedGroup);
const schemeNames = reverse(SignatureScheme);

const hex4 = (v: number) => `0x${v.toString(16).padStart(4, '0')}`;

/** A readable name for a handshake type (for messages and logs). */
export function handshakeTypeName(type: number): string {
  return handshakeNames.get(type) ?? `unknown(${type})`;
}

/** A readable name for an extension type (for messages and logs). */
export function extensionName(type: number): string {
  return extensionNames.get(type) ?? (isGrease(type) ? `grease(${hex4(type)})` : `unknown(${hex4(type)})`);
}

/** The RFC name of an alert description, e.g. `'decode_error'`, or `undefined` for an unknown code. */
export function alertName(description: number): AlertName | undefined {
  return alertNames.get(description) as AlertName | undefined;
}

/** A readable name for a cipher suite. */
export function cipherSuiteName(id: number): string {
  return suiteNames.get(id) ?? hex4(id);
}

/** A readable name for a named group. */
export function namedGroupName(id: number): string {
  return groupNames.get(id) ?? hex4(id);
}

/** A readable name for a signature scheme. */
export function signatureSchemeName(id: number): string {
  return schemeNames.get(id) ?? hex4(id);
}
