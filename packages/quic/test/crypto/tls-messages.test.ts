import { IrohError } from '@iroh-ts/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { TlsAlert } from '../../src/crypto/tls/alerts.js';
import {
  CertificateType,
  CipherSuite,
  ExtensionType,
  HandshakeType,
  HELLO_RETRY_REQUEST_RANDOM,
  NamedGroup,
  SignatureScheme,
} from '../../src/crypto/tls/constants.js';
import { type Extension, extensionType, findExtension, hostNameOf } from '../../src/crypto/tls/extensions.js';
import {
  bindersLength,
  type ClientHello,
  clientHello,
  decodeHandshake,
  decodeHandshakeBody,
  ed25519KeyFromSpki,
  ed25519Spki,
  encodeHandshake,
  frameHandshake,
  HandshakeFramer,
  type HandshakeMessage,
  type HelloRetryRequest,
  isEd25519Spki,
  pskBindersOffset,
  rawPublicKeyCertificate,
  serverHello,
  truncateForBinders,
  withBinders,
} from '../../src/crypto/tls/messages.js';
import { expectAlert, hex, toHex, utf8, vectors } from './tls-helpers.js';

const types = (exts: readonly Extension[]) =>
  exts.map((e) => `0x${extensionType(e).toString(16).padStart(4, '0')}`);

function decodeCH(hexText: string): ClientHello {
  const m = decodeHandshake(hex(hexText));
  if (m.kind !== 'client_hello') throw new Error(`not a ClientHello: ${m.kind}`);
  return m;
}

describe('REAL ClientHello from iroh 1.0.2 (first connection)', () => {
  const v = vectors.iroh_client_hello;
  const ch = decodeCH(v.message_hex);

  it('decodes every field', () => {
    expect(ch.legacyVersion).toBe(0x0303);
    expect(toHex(ch.random)).toBe(v.random);
    expect(ch.legacySessionId.length).toBe(0);
    expect(ch.cipherSuites).toEqual([0x1302, 0x1301, 0x1303]);
    expect(Array.from(ch.legacyCompressionMethods)).toEqual([0]);
    expect(types(ch.extensions)).toEqual(v.extension_types);
    expect(ch.extensions.some((e) => e.kind === 'opaque')).toBe(false);
  });

  it('has the extension values iroh sends (spec §2.6)', () => {
    const e = ch.extensions;
    expect(findExtension(e, 'supported_versions')?.versions).toEqual([0x0304]);
    const ks = findExtension(e, 'key_share')!;
    expect(ks.shares.map((s) => [s.group, s.keyExchange.length])).toEqual([[NamedGroup.x25519, 32]]);
    expect(hostNameOf(findExtension(e, 'server_name')!)).toBe(
      '35vmm8v1di2j5hlbp0sfljauku4rs33mma906d03jft8mf9mhlgg.iroh.invalid',
    );
    expect(findExtension(e, 'alpn')?.protocols.map((p) => Buffer.from(p).toString())).toEqual([
      'test/alpn/1',
    ]);
    expect(findExtension(e, 'client_certificate_type')?.types).toEqual([CertificateType.RawPublicKey]);
    expect(findExtension(e, 'server_certificate_type')?.types).toEqual([CertificateType.RawPublicKey]);
    expect(findExtension(e, 'supported_groups')?.groups).toEqual([0x1d, 0x17, 0x18]);
    expect(findExtension(e, 'psk_key_exchange_modes')?.modes).toEqual([1]);
    expect(findExtension(e, 'signature_algorithms')?.schemes).toEqual([SignatureScheme.ed25519]);
    const sr = findExtension(e, 'status_request')!;
    expect([sr.responderIds.length, sr.requestExtensions.length]).toEqual([0, 0]);
    expect(findExtension(e, 'extended_master_secret')).toBeDefined();
    expect(findExtension(e, 'ec_point_formats')?.formats).toEqual([0]);
    expect(findExtension(e, 'quic_transport_parameters')?.data.length).toBe(108);
  });

  it('re-encodes to the exact bytes', () => {
    expect(toHex(encodeHandshake(ch))).toBe(v.message_hex);
  });

  it('has no pre_shared_key, so no binders', () => {
    expectAlert(() => pskBindersOffset(hex(v.message_hex)), 'decode_error');
  });
});

describe('REAL resumption ClientHello from iroh 1.0.2', () => {
  const v = vectors.iroh_resumption_client_hello;
  const bytes = hex(v.message_hex);
  const ch = decodeCH(v.message_hex);

  it('decodes with early_data and pre_shared_key last, and re-encodes exactly', () => {
    expect(types(ch.extensions)).toEqual(v.extension_types);
    expect(findExtension(ch.extensions, 'early_data')).toEqual({ kind: 'early_data' });
    const psk = ch.extensions.at(-1)!;
    expect(psk.kind).toBe('pre_shared_key');
    if (psk.kind !== 'pre_shared_key') return;
    expect(psk.identities.map((i) => i.identity.length)).toEqual([32]);
    // TLS_AES_256_GCM_SHA384 ticket: a 48-byte binder
    expect(psk.binders.map((b) => b.length)).toEqual([48]);
    expect(toHex(encodeHandshake(ch))).toBe(v.message_hex);
  });

  it('truncates before the binders list and patches binders in place', () => {
    const offset = pskBindersOffset(bytes);
    expect(offset).toBe(bytes.length - bindersLength([48]));
    expect(truncateForBinders(bytes)).toEqual(bytes.subarray(0, offset));
    const fresh = new Uint8Array(48).fill(0xab);
    const patched = withBinders(bytes, [fresh]);
    expect(patched.subarray(0, offset)).toEqual(bytes.subarray(0, offset));
    expect(toHex(patched.subarray(offset))).toBe(`0031${'30'}${'ab'.repeat(48)}`);
    expect(() => withBinders(bytes, [new Uint8Array(32)])).toThrow(RangeError);
  });
});

describe('REAL QUIC-address-discovery ClientHello from iroh 1.0.2 (webpki / X.509 server)', () => {
  const v = vectors.iroh_qad_client_hello;
  const ch = decodeCH(v.message_hex);

  it('decodes, keeps session_ticket opaque, and re-encodes exactly', () => {
    expect(types(ch.extensions)).toEqual(v.extension_types);
    expect(findExtension(ch.extensions, 'server_name')).toBeUndefined();
    expect(findExtension(ch.extensions, 'server_certificate_type')).toBeUndefined();
    expect(findExtension(ch.extensions, 'alpn')?.protocols.map((p) => Buffer.from(p).toString())).toEqual([
      '/iroh-qad/0',
    ]);
    expect(findExtension(ch.extensions, 'signature_algorithms')?.schemes).toEqual([
      0x0503, 0x0403, 0x0807, 0x0806, 0x0805, 0x0804, 0x0601, 0x0501, 0x0401,
    ]);
    expect(findExtension(ch.extensions, 'opaque')).toMatchObject({ type: ExtensionType.SessionTicket });
    expect(toHex(encodeHandshake(ch))).toBe(v.message_hex);
  });
});

describe('ServerHello', () => {
  it('reproduces the shape of the REAL iroh ServerHello (90 bytes in CRYPTO)', () => {
    const v = vectors.iroh_server_hello;
    const sh = serverHello({
      random: hex(v.random),
      cipherSuite: CipherSuite.TLS_AES_256_GCM_SHA384,
      extensions: [
        { kind: 'key_share_server', share: { group: NamedGroup.x25519, keyExchange: new Uint8Array(32) } },
        { kind: 'supported_versions_selected', version: 0x0304 },
      ],
    });
    const bytes = encodeHandshake(sh);
    expect(bytes.length).toBe(v.crypto_frame_len);
    const back = decodeHandshake(bytes);
    expect(back).toEqual(sh);
    expect(types(sh.extensions)).toEqual(v.extension_types);
  });

  it('recognises a HelloRetryRequest by its random', () => {
    expect(HELLO_RETRY_REQUEST_RANDOM).toEqual(sha256(utf8('HelloRetryRequest')));
    const hrr: HelloRetryRequest = {
      kind: 'hello_retry_request',
      legacyVersion: 0x0303,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256,
      legacyCompressionMethod: 0,
      extensions: [
        { kind: 'supported_versions_selected', version: 0x0304 },
        { kind: 'key_share_hrr', selectedGroup: NamedGroup.secp256r1 },
        { kind: 'cookie', cookie: utf8('stateless') },
      ],
    };
    const bytes = encodeHandshake(hrr);
    expect(bytes[0]).toBe(HandshakeType.ServerHello);
    expect(bytes.subarray(6, 38)).toEqual(HELLO_RETRY_REQUEST_RANDOM);
    expect(decodeHandshake(bytes)).toEqual(hrr);
  });

  it('refuses ClientHello-only extensions and unknown ones', () => {
    const base = { random: new Uint8Array(32), cipherSuite: 0x1301 };
    const alpn = encodeHandshake(
      serverHello({ ...base, extensions: [{ kind: 'alpn', protocols: [utf8('x')] }] }),
    );
    expectAlert(() => decodeHandshake(alpn), 'illegal_parameter');
    const unknown = encodeHandshake(
      serverHello({ ...base, extensions: [{ kind: 'opaque', type: 0x1234, data: new Uint8Array(0) }] }),
    );
    expectAlert(() => decodeHandshake(unknown), 'unsupported_extension');
    const cookie = encodeHandshake(
      serverHello({ ...base, extensions: [{ kind: 'cookie', cookie: utf8('c') }] }),
    );
    expectAlert(() => decodeHandshake(cookie), 'illegal_parameter');
  });
});

describe('RFC 8448 §3 messages', () => {
  const v = vectors.rfc8448_simple_1rtt;

  it('splits the server flight and re-encodes each message exactly', () => {
    const framer = new HandshakeFramer();
    const raws = framer.push(hex(v.server_flight!));
    expect(raws.map((r) => r.type)).toEqual([8, 11, 15, 20]);
    const msgs = raws.map((r) => decodeHandshake(r.raw, { hashLength: 32 }));
    for (const [i, m] of msgs.entries()) expect(encodeHandshake(m)).toEqual(raws[i]!.raw);
    const [ee, cert, cv, fin] = msgs as [
      HandshakeMessage,
      HandshakeMessage,
      HandshakeMessage,
      HandshakeMessage,
    ];
    expect(ee.kind === 'encrypted_extensions' && ee.extensions.map((e) => e.kind)).toEqual([
      'supported_groups',
      'opaque', // record_size_limit
      'server_name_ack',
    ]);
    expect(
      cert.kind === 'certificate' && cert.entries.map((e) => [e.data.length, isEd25519Spki(e.data)]),
    ).toEqual([[432, false]]);
    expect(cv.kind === 'certificate_verify' && cv.scheme).toBe(SignatureScheme.rsa_pss_rsae_sha256);
    expect(fin.kind === 'finished' && toHex(fin.verifyData)).toBe(v.server_finished_verify_data);
  });

  it('decodes ClientHello, ServerHello, client Finished and NewSessionTicket', () => {
    for (const name of ['client_hello', 'server_hello', 'client_finished', 'new_session_ticket']) {
      const bytes = hex(v[name]!);
      expect(encodeHandshake(decodeHandshake(bytes)), name).toEqual(bytes);
    }
    const nst = decodeHandshake(hex(v.new_session_ticket!));
    expect(nst).toMatchObject({ kind: 'new_session_ticket', lifetime: 30, ageAdd: 0xfad6aac5 });
    if (nst.kind !== 'new_session_ticket') return;
    expect(toHex(nst.nonce)).toBe('0000');
    expect(nst.ticket.length).toBe(178);
    expect(nst.extensions).toEqual([{ kind: 'early_data_max', maxEarlyDataSize: 1024 }]);
  });

  it('decodes the §4 resumption ClientHello (padding, early_data, pre_shared_key) exactly', () => {
    const bytes = hex(vectors.rfc8448_resumed_0rtt.client_hello);
    const ch = decodeHandshake(bytes);
    expect(encodeHandshake(ch)).toEqual(bytes);
    if (ch.kind !== 'client_hello') throw new Error('not a ClientHello');
    expect(ch.extensions.at(-1)?.kind).toBe('pre_shared_key');
    expect(findExtension(ch.extensions, 'opaque')?.type).toBe(ExtensionType.RenegotiationInfo);
    expect(truncateForBinders(bytes).length).toBe(bytes.length - 35);
  });
});

describe('raw public keys (RFC 7250) as iroh uses them', () => {
  const key = new Uint8Array(32).fill(0x2a);

  it('builds and recognises the 44-byte Ed25519 SubjectPublicKeyInfo', () => {
    const spki = ed25519Spki(key);
    expect(toHex(spki)).toBe(`302a300506032b6570032100${'2a'.repeat(32)}`);
    expect(isEd25519Spki(spki)).toBe(true);
    expect(ed25519KeyFromSpki(spki)).toEqual(key);
    expect(isEd25519Spki(spki.subarray(1))).toBe(false);
    const other = spki.slice();
    other[8] = 0x71; // Ed448 OID
    expect(ed25519KeyFromSpki(other)).toBeUndefined();
    expect(() => ed25519Spki(new Uint8Array(31))).toThrow(RangeError);
  });

  it('round-trips a Certificate with one raw public key entry', () => {
    const cert = rawPublicKeyCertificate(key);
    const bytes = encodeHandshake(cert);
    expect(toHex(bytes)).toBe(`0b0000350000003100002c302a300506032b6570032100${'2a'.repeat(32)}0000`);
    expect(decodeHandshake(bytes)).toEqual(cert);
  });
});

describe('other messages', () => {
  const ok: HandshakeMessage[] = [
    { kind: 'encrypted_extensions', extensions: [] },
    {
      kind: 'certificate_request',
      context: new Uint8Array(0),
      extensions: [{ kind: 'signature_algorithms', schemes: [SignatureScheme.ed25519] }],
    },
    { kind: 'certificate_verify', scheme: SignatureScheme.ed25519, signature: new Uint8Array(64).fill(1) },
    { kind: 'finished', verifyData: new Uint8Array(48).fill(2) },
    clientHello({ random: new Uint8Array(32), cipherSuites: [0x1301], extensions: [] }),
  ];

  it('round-trip', () => {
    for (const m of ok) expect(decodeHandshake(encodeHandshake(m), { hashLength: 48 })).toEqual(m);
  });

  it('KeyUpdate and EndOfEarlyData are parsed, then refused in QUIC', () => {
    expectAlert(() => decodeHandshake(hex('1800000101')), 'unexpected_message');
    expectAlert(() => decodeHandshake(hex('05000000')), 'unexpected_message');
    expect(decodeHandshake(hex('1800000101'), { quic: false })).toEqual({
      kind: 'key_update',
      requestUpdate: 1,
    });
    expect(decodeHandshake(hex('05000000'), { quic: false })).toEqual({ kind: 'end_of_early_data' });
    expectAlert(() => decodeHandshake(hex('1800000102'), { quic: false }), 'illegal_parameter');
    expectAlert(() => decodeHandshake(hex('180000020100'), { quic: false }), 'decode_error');
    expectAlert(() => decodeHandshake(hex('0500000100'), { quic: false }), 'decode_error');
  });

  it('refuses unknown or misplaced message types', () => {
    for (const t of [0, 3, 6, 25, 254, 255]) {
      expectAlert(() => decodeHandshakeBody(t, new Uint8Array(0)), 'unexpected_message');
    }
  });

  it('checks structure', () => {
    expectAlert(() => decodeHandshake(hex('14000020').subarray(0, 3)), 'decode_error');
    expectAlert(
      () => decodeHandshake(frameHandshake(20, new Uint8Array(31)), { hashLength: 32 }),
      'decode_error',
    );
    expectAlert(() => decodeHandshake(hex('0800000200000000')), 'decode_error'); // declared 2, has 4
    expectAlert(() => decodeHandshake(hex('080000030000ff')), 'decode_error'); // trailing byte
    expectAlert(() => decodeHandshake(hex('0d0000020000')), 'decode_error');
    expectAlert(() => decodeHandshake(hex('0d000003000000')), 'missing_extension');
    expectAlert(() => decodeHandshake(hex('0b00000700000003000000')), 'decode_error'); // empty cert_data
    expectAlert(() => decodeHandshake(hex('0f0000030807ff')), 'decode_error');
    expectAlert(() => decodeHandshake(hex('040000 0d 0000001e 00000000 00 0000 0000')), 'decode_error'); // empty ticket
  });

  it('bounds legacy_session_id and validates cipher_suites', () => {
    const good = encodeHandshake(
      clientHello({
        random: new Uint8Array(32),
        cipherSuites: [0x1301],
        extensions: [],
        legacySessionId: new Uint8Array(32),
      }),
    );
    expect(decodeHandshake(good).kind).toBe('client_hello');
    const long = encodeHandshake(
      clientHello({
        random: new Uint8Array(32),
        cipherSuites: [0x1301],
        extensions: [],
        legacySessionId: new Uint8Array(33),
      }),
    );
    expectAlert(() => decodeHandshake(long), 'decode_error');
    const noSuites = encodeHandshake(
      clientHello({ random: new Uint8Array(32), cipherSuites: [], extensions: [] }),
    );
    expectAlert(() => decodeHandshake(noSuites), 'decode_error');
    const noCompression = encodeHandshake(
      clientHello({
        random: new Uint8Array(32),
        cipherSuites: [1],
        extensions: [],
        legacyCompressionMethods: new Uint8Array(0),
      }),
    );
    expectAlert(() => decodeHandshake(noCompression), 'decode_error');
  });
});

describe('HandshakeFramer', () => {
  const flight = hex(vectors.rfc8448_simple_1rtt.server_flight!);

  it('reassembles messages fed one byte at a time', () => {
    const framer = new HandshakeFramer();
    const got: Uint8Array[] = [];
    for (let i = 0; i < flight.length; i++) {
      for (const m of framer.push(flight.subarray(i, i + 1))) got.push(m.raw);
      if (i === 3) expect(framer.buffered).toBe(4);
    }
    expect(got.map((r) => r.length)).toEqual([40, 445, 136, 36]);
    expect(Buffer.concat(got)).toEqual(Buffer.from(flight));
    expect(framer.buffered).toBe(0);
    framer.assertEmpty('key change');
  });

  it('returns copies and body views', () => {
    const input = flight.slice(0, 40);
    const [m] = new HandshakeFramer().push(input);
    input.fill(0);
    expect(m!.type).toBe(8);
    expect(m!.body.length).toBe(36);
    expect(m!.raw[0]).toBe(8);
  });

  it('refuses a message longer than the bound as soon as the header arrives', () => {
    const framer = new HandshakeFramer({ maxMessageSize: 100 });
    expect(framer.push(hex('0b00'))).toEqual([]);
    expectAlert(() => framer.push(hex('0065')), 'decode_error');
    expectAlert(() => framer.push(hex('00')), 'decode_error');
    expect(new HandshakeFramer({ maxMessageSize: 101 }).push(hex('0b000065'))).toEqual([]);
    expectAlert(() => new HandshakeFramer().push(hex('01010001')), 'decode_error');
    expect(() => new HandshakeFramer({ maxMessageSize: -1 })).toThrow(RangeError);
  });

  it('flags a partial message at a key change', () => {
    const framer = new HandshakeFramer();
    framer.push(flight.subarray(0, 10));
    expectAlert(() => framer.assertEmpty('Handshake keys'), 'unexpected_message');
  });
});

describe('TlsAlert', () => {
  it('is an IrohError with the RFC name and QUIC CRYPTO_ERROR code', () => {
    const a = new TlsAlert('no_application_protocol', 'no overlap');
    expect(a).toBeInstanceOf(IrohError);
    expect([a.code, a.description, a.quicErrorCode, a.name]).toEqual([
      'no_application_protocol',
      120,
      0x178,
      'TlsAlert',
    ]);
    expect(TlsAlert.fromDescription(50).code).toBe('decode_error');
    expect(TlsAlert.fromDescription(99).code).toBe('internal_error');
  });
});
