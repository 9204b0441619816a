/**
 * ClientHello, ServerHello and HelloRetryRequest (RFC 8446 §4.1), plus the PSK binder helpers of
 * §4.2.11.2 (the binders are computed over the ClientHello truncated just before the binders list).
 * Decoders take a message body (after the 4-byte handshake header) and return values whose byte
 * fields are views of that body.
 */
import { equalBytes } from '@iroh-ts/base';
import { Reader, Writer } from '../../proto/coding.js';
import { asDecodeError, decodeError, illegalParameter, TlsAlert } from './alerts.js';
import { ExtensionType, HandshakeType, HELLO_RETRY_REQUEST_RANDOM, ProtocolVersion } from './constants.js';
import { decodeExtensions, type Extension, encodeExtensions } from './extensions.js';
import { writeBinders } from './extensions-body.js';

/** ClientHello (RFC 8446 §4.1.2). */
export interface ClientHello {
  readonly kind: 'client_hello';
  /** 0x0303 in TLS 1.3. */
  readonly legacyVersion: number;
  /** 32 bytes. */
  readonly random: Uint8Array;
  /** Up to 32 bytes; empty in QUIC (RFC 9001 §8.4). */
  readonly legacySessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  /** `[0]` in TLS 1.3. */
  readonly legacyCompressionMethods: Uint8Array;
  /** In wire order (pre_shared_key, when present, is last). */
  readonly extensions: readonly Extension[];
}

/** ServerHello (RFC 8446 §4.1.3), when its random is not the HelloRetryRequest marker. */
export interface ServerHello {
  readonly kind: 'server_hello';
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  /** Must be 0; kept as received so the state machine can check it. */
  readonly legacyCompressionMethod: number;
  readonly extensions: readonly Extension[];
}

/** HelloRetryRequest: a ServerHello whose random is {@link HELLO_RETRY_REQUEST_RANDOM} (RFC 8446 §4.1.4). */
export interface HelloRetryRequest {
  readonly kind: 'hello_retry_request';
  readonly legacyVersion: number;
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  readonly extensions: readonly Extension[];
}

const RANDOM_LENGTH = 32;
const MAX_SESSION_ID = 32;

function sessionId(r: Reader, what: string): Uint8Array {
  const id = r.vec(1);
  if (id.length > MAX_SESSION_ID) throw decodeError(`${what} of ${id.length} bytes`);
  return id;
}

/** Decodes a ClientHello body. */
export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body);
  const { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods } = asDecodeError(
    'ClientHello',
    () => {
      const legacyVersion = r.u16();
      const random = r.bytes(RANDOM_LENGTH);
      const legacySessionId = sessionId(r, 'legacy_session_id');
      const suites = r.sub(2);
      if (suites.remaining === 0 || suites.remaining % 2 !== 0) {
        throw decodeError(`cipher_suites of ${suites.remaining} bytes`);
      }
      const cipherSuites: number[] = [];
      while (!suites.eof) cipherSuites.push(suites.u16());
      const legacyCompressionMethods = r.vec(1);
      if (legacyCompressionMethods.length === 0) throw decodeError('empty legacy_compression_methods');
      return { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods };
    },
  );
  const extensions = r.eof ? [] : decodeExtensions(r, 'client_hello');
  asDecodeError('ClientHello', () => r.finish('ClientHello'));
  return {
    kind: 'client_hello',
    legacyVersion,
    random,
    legacySessionId,
    cipherSuites,
    legacyCompressionMethods,
    extensions,
  };
}

/** Writes a ClientHello body. */
export function encodeClientHelloBody(w: Writer, m: ClientHello): void {
  w.u16(m.legacyVersion).bytes(m.random);
  w.vec(1, (b) => b.bytes(m.legacySessionId));
  w.vec(2, (b) => {
    for (const s of m.cipherSuites) b.u16(s);
  });
  w.vec(1, (b) => b.bytes(m.legacyCompressionMethods));
  encodeExtensions(w, m.extensions);
}

/** Decodes a ServerHello body; a HelloRetryRequest is recognised by its random. */
export function decodeServerHello(body: Uint8Array): ServerHello | HelloRetryRequest {
  const r = new Reader(body);
  const head = asDecodeError('ServerHello', () => ({
    legacyVersion: r.u16(),
    random: r.bytes(RANDOM_LENGTH),
    legacySessionIdEcho: sessionId(r, 'legacy_session_id_echo'),
    cipherSuite: r.u16(),
    legacyCompressionMethod: r.u8(),
  }));
  const hrr = equalBytes(head.random, HELLO_RETRY_REQUEST_RANDOM);
  const extensions = r.eof ? [] : decodeExtensions(r, hrr ? 'hello_retry_request' : 'server_hello');
  asDecodeError('ServerHello', () => r.finish('ServerHello'));
  if (hrr) {
    const { random: _, ...rest } = head;
    return { kind: 'hello_retry_request', ...rest, extensions };
  }
  return { kind: 'server_hello', ...head, extensions };
}

/** Writes a ServerHello or HelloRetryRequest body. */
export function encodeServerHelloBody(w: Writer, m: ServerHello | HelloRetryRequest): void {
  w.u16(m.legacyVersion).bytes(m.kind === 'server_hello' ? m.random : HELLO_RETRY_REQUEST_RANDOM);
  w.vec(1, (b) => b.bytes(m.legacySessionIdEcho));
  w.u16(m.cipherSuite).u8(m.legacyCompressionMethod);
  encodeExtensions(w, m.extensions);
}

/** A ServerHello with TLS 1.3 defaults for the legacy fields. */
export function serverHello(
  fields: Pick<ServerHello, 'random' | 'cipherSuite' | 'extensions'> & Partial<ServerHello>,
): ServerHello {
  return {
    legacyVersion: ProtocolVersion.TLS12,
    legacySessionIdEcho: new Uint8Array(0),
    legacyCompressionMethod: 0,
    ...fields,
    kind: 'server_hello',
  };
}

/** A ClientHello with TLS 1.3 / QUIC defaults for the legacy fields. */
export function clientHello(
  fields: Pick<ClientHello, 'random' | 'cipherSuites' | 'extensions'> & Partial<ClientHello>,
): ClientHello {
  return {
    legacyVersion: ProtocolVersion.TLS12,
    legacySessionId: new Uint8Array(0),
    legacyCompressionMethods: Uint8Array.of(0),
    ...fields,
    kind: 'client_hello',
  };
}

/**
 * Offset, in a complete ClientHello handshake message (with its 4-byte header), of the binders vector
 * (its 2-byte length) of the pre_shared_key extension. Throws `decode_error` when the message is
 * malformed or has no pre_shared_key extension, `illegal_parameter` when that extension is not last.
 */
export function pskBindersOffset(clientHelloMessage: Uint8Array): number {
  return asDecodeError('ClientHello', () => {
    const m = new Reader(clientHelloMessage);
    if (m.u8() !== HandshakeType.ClientHello) throw decodeError('not a ClientHello');
    const r = m.take(m.u24());
    m.finish('ClientHello message');
    r.u16();
    r.bytes(RANDOM_LENGTH);
    r.vec(1);
    r.vec(2);
    r.vec(1);
    const exts = r.sub(2);
    r.finish('ClientHello');
    while (!exts.eof) {
      const type = exts.u16();
      const data = exts.sub(2);
      if (type !== ExtensionType.PreSharedKey) continue;
      if (!exts.eof) throw illegalParameter('pre_shared_key is not the last extension');
      data.vec(2);
      const offset = data.pos;
      data.vec(2);
      data.finish('pre_shared_key');
      return offset;
    }
    throw decodeError('ClientHello has no pre_shared_key extension');
  });
}

/**
 * The ClientHello bytes a PSK binder covers: the complete message (header included, lengths as sent)
 * up to but excluding the binders list (RFC 8446 §4.2.11.2). A view, not a copy.
 */
export function truncateForBinders(clientHelloMessage: Uint8Array): Uint8Array {
  return clientHelloMessage.subarray(0, pskBindersOffset(clientHelloMessage));
}

/** Bytes a binders vector with binders of these lengths takes on the wire. */
export function bindersLength(binderLengths: readonly number[]): number {
  return 2 + binderLengths.reduce((n, l) => n + 1 + l, 0);
}

/**
 * A copy of a ClientHello message with its binders replaced. The new binders must have the same
 * lengths as the old ones (placeholders written when the message was first encoded).
 */
export function withBinders(clientHelloMessage: Uint8Array, binders: readonly Uint8Array[]): Uint8Array {
  const offset = pskBindersOffset(clientHelloMessage);
  const old = new Reader(clientHelloMessage, offset).sub(2);
  const lengths: number[] = [];
  while (!old.eof) lengths.push(old.vec(1).length);
  if (lengths.length !== binders.length || binders.some((b, i) => b.length !== lengths[i])) {
    throw new RangeError('new PSK binders must have the lengths of the placeholders');
  }
  const w = new Writer(clientHelloMessage.length);
  w.bytes(clientHelloMessage.subarray(0, offset));
  writeBinders(w, binders);
  return w.finish();
}

/**
 * The checks RFC 8446 asks of a server receiving a TLS 1.3 ClientHello beyond its syntax (§4.1.2,
 * §4.2.8, §4.2.9, §9.2), and with `quic` those of RFC 9001 §8.1–8.2. Throws the prescribed alert:
 * `protocol_version` (no TLS 1.3 in supported_versions), `illegal_parameter` (compression methods
 * other than `[0]`, a key share for a group not in supported_groups), `missing_extension` (a
 * mandatory extension absent) or `no_application_protocol` (QUIC without ALPN).
 */
export function checkClientHelloTls13(ch: ClientHello, options: { quic?: boolean } = {}): void {
  const has = (kind: Extension['kind']) => ch.extensions.some((e) => e.kind === kind);
  const versions = ch.extensions.find((e) => e.kind === 'supported_versions');
  if (versions?.kind !== 'supported_versions' || !versions.versions.includes(ProtocolVersion.TLS13)) {
    throw new TlsAlert('protocol_version', 'ClientHello does not offer TLS 1.3');
  }
  if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0) {
    throw illegalParameter('TLS 1.3 ClientHello with compression methods other than null');
  }
  const psk = has('pre_shared_key');
  if (psk && !has('psk_key_exchange_modes')) {
    throw new TlsAlert('missing_extension', 'pre_shared_key without psk_key_exchange_modes');
  }
  const groups = ch.extensions.find((e) => e.kind === 'supported_groups');
  const shares = ch.extensions.find((e) => e.kind === 'key_share');
  if ((groups === undefined) !== (shares === undefined)) {
    throw new TlsAlert('missing_extension', 'supported_groups and key_share must come together');
  }
  if (!psk && (groups === undefined || !has('signature_algorithms'))) {
    throw new TlsAlert(
      'missing_extension',
      'ClientHello without PSK needs signature_algorithms and supported_groups',
    );
  }
  if (groups?.kind === 'supported_groups' && shares?.kind === 'key_share') {
    for (const s of shares.shares) {
      if (!groups.groups.includes(s.group))
        throw illegalParameter(`key share for unoffered group ${s.group}`);
    }
  }
  if (options.quic) {
    if (!has('quic_transport_parameters')) {
      throw new TlsAlert('missing_extension', 'QUIC ClientHello without quic_transport_parameters');
    }
    if (!has('alpn')) throw new TlsAlert('no_application_protocol', 'QUIC ClientHello without ALPN');
  }
}
