/**
 * Bodies (`extension_data`) of the extensions {@link Extension} types: one decoder per code point and
 * context, one encoder per kind. Minimum lengths follow the RFC presentation language (for example
 * `NamedGroup named_group_list<2..2^16-1>` must hold at least one group); a violation is `decode_error`.
 */
import type { Reader, Writer } from '../../proto/coding.js';
import { decodeError, illegalParameter } from './alerts.js';
import { CertificateStatusType, ExtensionType as T } from './constants.js';
import type {
  Extension,
  ExtensionContext,
  KeyShareEntry,
  PskIdentity,
  ServerNameEntry,
} from './extensions.js';

/** Decodes the body of an extension of code point `type` found in `ctx` (the caller checks trailing bytes). */
export function decodeExtensionBody(type: number, r: Reader, ctx: ExtensionContext): Extension {
  const ch = ctx === 'client_hello';
  const ee = ctx === 'encrypted_extensions';
  switch (type) {
    case T.ServerName:
      if (ch) return { kind: 'server_name', names: serverNames(r) };
      if (ee) {
        if (!r.eof) throw decodeError('server_name in EncryptedExtensions must be empty');
        return { kind: 'server_name_ack' };
      }
      break;
    case T.SupportedGroups:
      if (ch || ee) return { kind: 'supported_groups', groups: u16List(r, 2, 'supported_groups') };
      break;
    case T.EcPointFormats:
      return { kind: 'ec_point_formats', formats: u8List(r, 'ec_point_formats') };
    case T.SignatureAlgorithms:
      if (ch || ctx === 'certificate_request') {
        return { kind: 'signature_algorithms', schemes: u16List(r, 2, 'signature_algorithms') };
      }
      break;
    case T.SignatureAlgorithmsCert:
      if (ch || ctx === 'certificate_request') {
        return { kind: 'signature_algorithms_cert', schemes: u16List(r, 2, 'signature_algorithms_cert') };
      }
      break;
    case T.ApplicationLayerProtocolNegotiation: {
      const protocols = alpnList(r);
      if (ee && protocols.length !== 1)
        throw decodeError('ALPN in EncryptedExtensions must name one protocol');
      return { kind: 'alpn', protocols };
    }
    case T.StatusRequest:
      if (ch && r.remaining > 0 && r.data[r.pos] === CertificateStatusType.ocsp) {
        r.u8();
        const ids = r.sub(2);
        const responderIds: Uint8Array[] = [];
        while (!ids.eof) responderIds.push(nonEmpty(ids.vec(2), 'ResponderID'));
        return { kind: 'status_request', responderIds, requestExtensions: r.vec(2) };
      }
      break;
    case T.ClientCertificateType:
    case T.ServerCertificateType: {
      const client = type === T.ClientCertificateType;
      if (ch) {
        const types = u8List(r, 'certificate_type');
        return client
          ? { kind: 'client_certificate_type', types }
          : { kind: 'server_certificate_type', types };
      }
      const certType = r.u8();
      return client
        ? { kind: 'client_certificate_type_selected', certType }
        : { kind: 'server_certificate_type_selected', certType };
    }
    case T.ExtendedMasterSecret:
      if (!r.eof) throw decodeError('extended_master_secret must be empty');
      return { kind: 'extended_master_secret' };
    case T.PreSharedKey:
      if (ch) return pskOffer(r);
      return { kind: 'pre_shared_key_selected', selectedIdentity: r.u16() };
    case T.EarlyData:
      if (ctx === 'new_session_ticket') return { kind: 'early_data_max', maxEarlyDataSize: r.u32() };
      if (!r.eof) throw decodeError('early_data must be empty here');
      return { kind: 'early_data' };
    case T.SupportedVersions:
      if (ch) return { kind: 'supported_versions', versions: u16List(r, 1, 'supported_versions') };
      return { kind: 'supported_versions_selected', version: r.u16() };
    case T.Cookie:
      return { kind: 'cookie', cookie: nonEmpty(r.vec(2), 'cookie') };
    case T.PskKeyExchangeModes:
      return { kind: 'psk_key_exchange_modes', modes: u8List(r, 'psk_key_exchange_modes') };
    case T.KeyShare:
      if (ch) return { kind: 'key_share', shares: clientShares(r) };
      if (ctx === 'hello_retry_request') return { kind: 'key_share_hrr', selectedGroup: r.u16() };
      return { kind: 'key_share_server', share: keyShareEntry(r) };
    case T.QuicTransportParameters:
      return { kind: 'quic_transport_parameters', data: r.bytes(r.remaining) };
  }
  return { kind: 'opaque', type, data: r.bytes(r.remaining) };
}

/** Writes the body of an extension. */
export function encodeExtensionBody(w: Writer, ext: Extension): void {
  switch (ext.kind) {
    case 'server_name':
      w.vec(2, (l) => {
        for (const n of ext.names) l.u8(n.nameType).vec(2, (b) => b.bytes(n.name));
      });
      return;
    case 'server_name_ack':
    case 'extended_master_secret':
    case 'early_data':
      return;
    case 'supported_groups':
      writeU16List(w, 2, ext.groups);
      return;
    case 'signature_algorithms':
    case 'signature_algorithms_cert':
      writeU16List(w, 2, ext.schemes);
      return;
    case 'ec_point_formats':
      writeU8List(w, ext.formats);
      return;
    case 'alpn':
      w.vec(2, (l) => {
        for (const p of ext.protocols) l.vec(1, (b) => b.bytes(p));
      });
      return;
    case 'status_request':
      w.u8(CertificateStatusType.ocsp);
      w.vec(2, (l) => {
        for (const id of ext.responderIds) l.vec(2, (b) => b.bytes(id));
      });
      w.vec(2, (b) => b.bytes(ext.requestExtensions));
      return;
    case 'client_certificate_type':
    case 'server_certificate_type':
      writeU8List(w, ext.types);
      return;
    case 'client_certificate_type_selected':
    case 'server_certificate_type_selected':
      w.u8(ext.certType);
      return;
    case 'pre_shared_key':
      w.vec(2, (l) => {
        for (const id of ext.identities) l.vec(2, (b) => b.bytes(id.identity)).u32(id.obfuscatedTicketAge);
      });
      writeBinders(w, ext.binders);
      return;
    case 'pre_shared_key_selected':
      w.u16(ext.selectedIdentity);
      return;
    case 'early_data_max':
      w.u32(ext.maxEarlyDataSize);
      return;
    case 'supported_versions':
      writeU16List(w, 1, ext.versions);
      return;
    case 'supported_versions_selected':
      w.u16(ext.version);
      return;
    case 'cookie':
      w.vec(2, (b) => b.bytes(ext.cookie));
      return;
    case 'psk_key_exchange_modes':
      writeU8List(w, ext.modes);
      return;
    case 'key_share':
      w.vec(2, (l) => {
        for (const s of ext.shares) writeKeyShareEntry(l, s);
      });
      return;
    case 'key_share_server':
      writeKeyShareEntry(w, ext.share);
      return;
    case 'key_share_hrr':
      w.u16(ext.selectedGroup);
      return;
    case 'quic_transport_parameters':
    case 'opaque':
      w.bytes(ext.data);
      return;
  }
}

/** Writes a `PskBinderEntry binders<33..2^16-1>` vector. */
export function writeBinders(w: Writer, binders: readonly Uint8Array[]): void {
  w.vec(2, (l) => {
    for (const b of binders) l.vec(1, (x) => x.bytes(b));
  });
}

function nonEmpty(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length === 0) throw decodeError(`empty ${what}`);
  return bytes;
}

function u16List(r: Reader, lengthBytes: 1 | 2, what: string): number[] {
  const l = r.sub(lengthBytes);
  if (l.remaining === 0 || l.remaining % 2 !== 0)
    throw decodeError(`${what} list has bad length ${l.remaining}`);
  const out: number[] = [];
  while (!l.eof) out.push(l.u16());
  return out;
}

function u8List(r: Reader, what: string): number[] {
  const bytes = nonEmpty(r.vec(1), `${what} list`);
  return Array.from(bytes);
}

function writeU16List(w: Writer, lengthBytes: 1 | 2, values: readonly number[]): void {
  w.vec(lengthBytes, (l) => {
    for (const v of values) l.u16(v);
  });
}

function writeU8List(w: Writer, values: readonly number[]): void {
  w.vec(1, (l) => {
    for (const v of values) l.u8(v);
  });
}

function serverNames(r: Reader): ServerNameEntry[] {
  const l = r.sub(2);
  const names: ServerNameEntry[] = [];
  while (!l.eof) names.push({ nameType: l.u8(), name: nonEmpty(l.vec(2), 'server name') });
  if (names.length === 0) throw decodeError('empty server_name list');
  return names;
}

function alpnList(r: Reader): Uint8Array[] {
  const l = r.sub(2);
  const protocols: Uint8Array[] = [];
  while (!l.eof) protocols.push(nonEmpty(l.vec(1), 'ALPN protocol name'));
  if (protocols.length === 0) throw decodeError('empty ALPN protocol list');
  return protocols;
}

function keyShareEntry(r: Reader): KeyShareEntry {
  return { group: r.u16(), keyExchange: nonEmpty(r.vec(2), 'key_exchange') };
}

function writeKeyShareEntry(w: Writer, s: KeyShareEntry): void {
  w.u16(s.group).vec(2, (b) => b.bytes(s.keyExchange));
}

function clientShares(r: Reader): KeyShareEntry[] {
  const l = r.sub(2);
  const shares: KeyShareEntry[] = [];
  const groups = new Set<number>();
  while (!l.eof) {
    const share = keyShareEntry(l);
    if (groups.has(share.group)) throw illegalParameter(`two key shares for group ${share.group}`);
    groups.add(share.group);
    shares.push(share);
  }
  return shares;
}

function pskOffer(r: Reader): Extension {
  const ids = r.sub(2);
  const identities: PskIdentity[] = [];
  while (!ids.eof) {
    identities.push({ identity: nonEmpty(ids.vec(2), 'PSK identity'), obfuscatedTicketAge: ids.u32() });
  }
  const list = r.sub(2);
  const binders: Uint8Array[] = [];
  while (!list.eof) {
    const binder = list.vec(1);
    if (binder.length < 32) throw decodeError(`PSK binder of ${binder.length} bytes`);
    binders.push(binder);
  }
  if (identities.length === 0 || binders.length === 0) throw decodeError('empty pre_shared_key offer');
  if (identities.length !== binders.length) {
    throw illegalParameter(`${identities.length} PSK identities but ${binders.length} binders`);
  }
  return { kind: 'pre_shared_key', identities, binders };
}
