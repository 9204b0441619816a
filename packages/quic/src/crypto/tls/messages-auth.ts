/**
 * The TLS 1.3 handshake messages after the hellos (RFC 8446 §4.3–§4.6): EncryptedExtensions,
 * CertificateRequest, Certificate, CertificateVerify, Finished, NewSessionTicket, KeyUpdate and
 * EndOfEarlyData; plus the RFC 7250 raw-public-key certificate entry iroh uses (an Ed25519
 * SubjectPublicKeyInfo). Decoders take a message body and return views of it.
 */
import { Reader, type Writer } from '../../proto/coding.js';
import { asDecodeError, decodeError, illegalParameter, TlsAlert } from './alerts.js';
import { ExtensionType, KeyUpdateRequest } from './constants.js';
import { decodeExtensions, type Extension, encodeExtensions, hasExtension } from './extensions.js';

/** EncryptedExtensions (RFC 8446 §4.3.1). */
export interface EncryptedExtensions {
  readonly kind: 'encrypted_extensions';
  readonly extensions: readonly Extension[];
}

/** CertificateRequest (RFC 8446 §4.3.2). */
export interface CertificateRequest {
  readonly kind: 'certificate_request';
  /** Empty during the handshake. */
  readonly context: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** One certificate_list entry: the certificate (X.509 DER or, with RFC 7250, an SPKI) and its extensions. */
export interface CertificateEntry {
  readonly data: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** Certificate (RFC 8446 §4.4.2). */
export interface Certificate {
  readonly kind: 'certificate';
  readonly context: Uint8Array;
  /** The end-entity certificate first. */
  readonly entries: readonly CertificateEntry[];
}

/** CertificateVerify (RFC 8446 §4.4.3). */
export interface CertificateVerify {
  readonly kind: 'certificate_verify';
  readonly scheme: number;
  readonly signature: Uint8Array;
}

/** Finished (RFC 8446 §4.4.4). */
export interface Finished {
  readonly kind: 'finished';
  readonly verifyData: Uint8Array;
}

/** NewSessionTicket (RFC 8446 §4.6.1). */
export interface NewSessionTicket {
  readonly kind: 'new_session_ticket';
  /** Seconds. */
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly nonce: Uint8Array;
  readonly ticket: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** KeyUpdate (RFC 8446 §4.6.3); QUIC forbids it (RFC 9001 §6). */
export interface KeyUpdate {
  readonly kind: 'key_update';
  readonly requestUpdate: number;
}

/** EndOfEarlyData (RFC 8446 §4.5); QUIC removes it (RFC 9001 §8.3). */
export interface EndOfEarlyData {
  readonly kind: 'end_of_early_data';
}

function done<T>(r: Reader, what: string, value: T): T {
  asDecodeError(what, () => r.finish(what));
  return value;
}

/** Decodes an EncryptedExtensions body. */
export function decodeEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  const r = new Reader(body);
  const extensions = decodeExtensions(r, 'encrypted_extensions');
  return done(r, 'EncryptedExtensions', { kind: 'encrypted_extensions', extensions });
}

/** Decodes a CertificateRequest body; signature_algorithms is mandatory (`missing_extension`). */
export function decodeCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new Reader(body);
  const context = asDecodeError('CertificateRequest', () => r.vec(1));
  const extensions = decodeExtensions(r, 'certificate_request');
  done(r, 'CertificateRequest', null);
  if (!hasExtension(extensions, ExtensionType.SignatureAlgorithms)) {
    throw new TlsAlert('missing_extension', 'CertificateRequest without signature_algorithms');
  }
  return { kind: 'certificate_request', context, extensions };
}

/** Decodes a Certificate body. */
export function decodeCertificate(body: Uint8Array): Certificate {
  const r = new Reader(body);
  const [context, list] = asDecodeError('Certificate', () => [r.vec(1), r.sub(3)] as const);
  const entries: CertificateEntry[] = [];
  while (!list.eof) {
    const data = asDecodeError('CertificateEntry', () => list.vec(3));
    if (data.length === 0) throw decodeError('empty cert_data');
    entries.push({ data, extensions: decodeExtensions(list, 'certificate') });
  }
  return done(r, 'Certificate', { kind: 'certificate', context, entries });
}

/** Decodes a CertificateVerify body. */
export function decodeCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new Reader(body);
  const m = asDecodeError('CertificateVerify', () => ({ scheme: r.u16(), signature: r.vec(2) }));
  return done(r, 'CertificateVerify', { kind: 'certificate_verify', ...m });
}

/** Decodes a Finished body; with `hashLength`, its length must match (`decode_error`). */
export function decodeFinished(body: Uint8Array, hashLength?: number): Finished {
  if (hashLength !== undefined && body.length !== hashLength) {
    throw decodeError(`Finished of ${body.length} bytes, expected ${hashLength}`);
  }
  return { kind: 'finished', verifyData: body };
}

/** Decodes a NewSessionTicket body. */
export function decodeNewSessionTicket(body: Uint8Array): NewSessionTicket {
  const r = new Reader(body);
  const head = asDecodeError('NewSessionTicket', () => ({
    lifetime: r.u32(),
    ageAdd: r.u32(),
    nonce: r.vec(1),
    ticket: r.vec(2),
  }));
  if (head.ticket.length === 0) throw decodeError('empty session ticket');
  const extensions = decodeExtensions(r, 'new_session_ticket');
  return done(r, 'NewSessionTicket', { kind: 'new_session_ticket', ...head, extensions });
}

/** Decodes a KeyUpdate body; a request value other than 0 or 1 is `illegal_parameter` (§4.6.3). */
export function decodeKeyUpdate(body: Uint8Array): KeyUpdate {
  const r = new Reader(body);
  const requestUpdate = asDecodeError('KeyUpdate', () => r.u8());
  done(r, 'KeyUpdate', null);
  if (
    requestUpdate !== KeyUpdateRequest.update_not_requested &&
    requestUpdate !== KeyUpdateRequest.update_requested
  ) {
    throw illegalParameter(`KeyUpdate request_update ${requestUpdate}`);
  }
  return { kind: 'key_update', requestUpdate };
}

/** Decodes an EndOfEarlyData body (empty). */
export function decodeEndOfEarlyData(body: Uint8Array): EndOfEarlyData {
  if (body.length !== 0) throw decodeError('EndOfEarlyData is not empty');
  return { kind: 'end_of_early_data' };
}

/** The body writers of the messages in this file. */
export type AuthMessage =
  | EncryptedExtensions
  | CertificateRequest
  | Certificate
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | KeyUpdate
  | EndOfEarlyData;

/** Writes the body of one of the messages in this file. */
export function encodeAuthBody(w: Writer, m: AuthMessage): void {
  switch (m.kind) {
    case 'encrypted_extensions':
      encodeExtensions(w, m.extensions);
      return;
    case 'certificate_request':
      w.vec(1, (b) => b.bytes(m.context));
      encodeExtensions(w, m.extensions);
      return;
    case 'certificate':
      w.vec(1, (b) => b.bytes(m.context));
      w.vec(3, (l) => {
        for (const e of m.entries) {
          l.vec(3, (b) => b.bytes(e.data));
          encodeExtensions(l, e.extensions);
        }
      });
      return;
    case 'certificate_verify':
      w.u16(m.scheme).vec(2, (b) => b.bytes(m.signature));
      return;
    case 'finished':
      w.bytes(m.verifyData);
      return;
    case 'new_session_ticket':
      w.u32(m.lifetime).u32(m.ageAdd);
      w.vec(1, (b) => b.bytes(m.nonce));
      w.vec(2, (b) => b.bytes(m.ticket));
      encodeExtensions(w, m.extensions);
      return;
    case 'key_update':
      w.u8(m.requestUpdate);
      return;
    case 'end_of_early_data':
      return;
  }
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }. */
export const ED25519_SPKI_PREFIX: Uint8Array = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

/** Length of an Ed25519 SubjectPublicKeyInfo: 12-byte prefix + 32-byte key. */
export const ED25519_SPKI_LENGTH = 44;

/** The 44-byte SubjectPublicKeyInfo of an Ed25519 public key: iroh's RFC 7250 raw public key "certificate". */
export function ed25519Spki(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new RangeError(`Ed25519 public key of ${publicKey.length} bytes`);
  const out = new Uint8Array(ED25519_SPKI_LENGTH);
  out.set(ED25519_SPKI_PREFIX);
  out.set(publicKey, ED25519_SPKI_PREFIX.length);
  return out;
}

/** Whether `data` is exactly an Ed25519 SubjectPublicKeyInfo (the only raw public key form iroh accepts). */
export function isEd25519Spki(data: Uint8Array): boolean {
  if (data.length !== ED25519_SPKI_LENGTH) return false;
  for (let i = 0; i < ED25519_SPKI_PREFIX.length; i++) if (data[i] !== ED25519_SPKI_PREFIX[i]) return false;
  return true;
}

/** The 32-byte Ed25519 key inside an SPKI (a copy), or `undefined` if `data` is not one. */
export function ed25519KeyFromSpki(data: Uint8Array): Uint8Array | undefined {
  return isEd25519Spki(data) ? data.slice(ED25519_SPKI_PREFIX.length) : undefined;
}

/** A Certificate message with one RFC 7250 raw public key entry for an Ed25519 key. */
export function rawPublicKeyCertificate(
  publicKey: Uint8Array,
  context: Uint8Array = new Uint8Array(0),
): Certificate {
  return { kind: 'certificate', context, entries: [{ data: ed25519Spki(publicKey), extensions: [] }] };
}
