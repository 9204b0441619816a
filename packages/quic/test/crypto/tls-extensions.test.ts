import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CertificateType,
  ExtensionType,
  extensionName,
  isGrease,
  NamedGroup,
} from '../../src/crypto/tls/constants.js';
import {
  alpnExtension,
  checkSolicited,
  decodeExtensions,
  type Extension,
  type ExtensionContext,
  encodeExtensions,
  extensionData,
  extensionType,
  hasExtension,
  hostNameOf,
  serverNameExtension,
} from '../../src/crypto/tls/extensions.js';
import {
  type ClientHello,
  checkClientHelloTls13,
  decodeHandshake,
  encodeHandshake,
} from '../../src/crypto/tls/messages.js';
import { Reader, Writer } from '../../src/proto/coding.js';
import { expectAlert, hex, sharedSpecDir, toHex, utf8, vectors } from './tls-helpers.js';

/** Encodes a block of raw (type, data) extensions. */
function rawBlock(exts: [number, string][]): Uint8Array {
  const w = new Writer();
  w.vec(2, (b) => {
    for (const [t, d] of exts) b.u16(t).vec(2, (x) => x.bytes(hex(d)));
  });
  return w.finish();
}

const decode = (bytes: Uint8Array, ctx: ExtensionContext) => {
  const r = new Reader(bytes);
  const out = decodeExtensions(r, ctx);
  r.finish();
  return out;
};

const roundTrip = (exts: Extension[], ctx: ExtensionContext) => {
  const w = new Writer();
  encodeExtensions(w, exts);
  const bytes = w.finish();
  expect(decode(bytes, ctx)).toEqual(exts);
  return bytes;
};

describe('extension shapes per message', () => {
  it('key_share: list in ClientHello, one share in ServerHello, group in HelloRetryRequest', () => {
    const share = { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) };
    expect(toHex(roundTrip([{ kind: 'key_share', shares: [share] }], 'client_hello'))).toBe(
      `002a00330026 0024 001d0020${'09'.repeat(32)}`.replace(/ /g, ''),
    );
    expect(toHex(roundTrip([{ kind: 'key_share_server', share }], 'server_hello'))).toBe(
      `00280033002400 1d0020${'09'.repeat(32)}`.replace(/ /g, ''),
    );
    expect(toHex(roundTrip([{ kind: 'key_share_hrr', selectedGroup: 0x17 }], 'hello_retry_request'))).toBe(
      '0006003300020017',
    );
    roundTrip([{ kind: 'key_share', shares: [] }], 'client_hello');
    expectAlert(
      () => decode(rawBlock([[51, '000a001d0001aa001d0001bb']]), 'client_hello'),
      'illegal_parameter',
    );
    expectAlert(() => decode(rawBlock([[51, '001d0000']]), 'server_hello'), 'decode_error');
  });

  it('supported_versions: list in ClientHello, one version in ServerHello/HelloRetryRequest', () => {
    expect(
      toHex(roundTrip([{ kind: 'supported_versions', versions: [0x0304, 0x0303] }], 'client_hello')),
    ).toBe('0009002b00050403040303');
    roundTrip([{ kind: 'supported_versions_selected', version: 0x0304 }], 'server_hello');
    roundTrip([{ kind: 'supported_versions_selected', version: 0x0304 }], 'hello_retry_request');
    expectAlert(() => decode(rawBlock([[43, '00']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[43, '03030403']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[43, '030403']]), 'server_hello'), 'decode_error');
  });

  it('pre_shared_key: offer in ClientHello (last), selected index in ServerHello', () => {
    const offer: Extension = {
      kind: 'pre_shared_key',
      identities: [{ identity: utf8('ticket'), obfuscatedTicketAge: 0xdeadbeef }],
      binders: [new Uint8Array(32).fill(7)],
    };
    roundTrip([{ kind: 'early_data' }, offer], 'client_hello');
    roundTrip([{ kind: 'pre_shared_key_selected', selectedIdentity: 0 }], 'server_hello');
    const w = new Writer();
    encodeExtensions(w, [offer, { kind: 'early_data' }]);
    expectAlert(() => decode(w.finish(), 'client_hello'), 'illegal_parameter');
    // two identities, one binder
    expectAlert(
      () =>
        decode(
          rawBlock([[41, `000e 0001aa00000000 0001bb00000000 0021 20${'00'.repeat(32)}`.replace(/ /g, '')]]),
          'client_hello',
        ),
      'illegal_parameter',
    );
    // binder shorter than 32 bytes
    expectAlert(
      () => decode(rawBlock([[41, `0007 0001aa00000000 0002 0100`.replace(/ /g, '')]]), 'client_hello'),
      'decode_error',
    );
    // no identity
    expectAlert(
      () => decode(rawBlock([[41, `0000 0021 20${'00'.repeat(32)}`.replace(/ /g, '')]]), 'client_hello'),
      'decode_error',
    );
  });

  it('early_data: empty in ClientHello / EncryptedExtensions, max size in NewSessionTicket', () => {
    roundTrip([{ kind: 'early_data' }], 'client_hello');
    roundTrip([{ kind: 'early_data' }], 'encrypted_extensions');
    expect(
      toHex(roundTrip([{ kind: 'early_data_max', maxEarlyDataSize: 0xffffffff }], 'new_session_ticket')),
    ).toBe('0008002a0004ffffffff');
    expectAlert(() => decode(rawBlock([[42, '00']]), 'encrypted_extensions'), 'decode_error');
    expectAlert(() => decode(rawBlock([[42, '']]), 'new_session_ticket'), 'decode_error');
  });

  it('certificate types (RFC 7250): list in ClientHello, one in EncryptedExtensions', () => {
    const rpk = CertificateType.RawPublicKey;
    expect(
      toHex(
        roundTrip(
          [
            { kind: 'client_certificate_type', types: [rpk] },
            { kind: 'server_certificate_type', types: [rpk, CertificateType.X509] },
          ],
          'client_hello',
        ),
      ),
    ).toBe('000d00130002010200140003020200');
    roundTrip(
      [
        { kind: 'client_certificate_type_selected', certType: rpk },
        { kind: 'server_certificate_type_selected', certType: rpk },
      ],
      'encrypted_extensions',
    );
    expectAlert(() => decode(rawBlock([[19, '00']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[20, '0102']]), 'encrypted_extensions'), 'decode_error');
  });

  it('server_name: list in ClientHello, empty acknowledgement in EncryptedExtensions', () => {
    const sni = serverNameExtension('example.iroh.invalid');
    roundTrip([sni], 'client_hello');
    expect(sni.kind === 'server_name' && hostNameOf(sni)).toBe('example.iroh.invalid');
    roundTrip([{ kind: 'server_name_ack' }], 'encrypted_extensions');
    expectAlert(() => decode(rawBlock([[0, '0000']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[0, '00']]), 'encrypted_extensions'), 'decode_error');
    expect(() => serverNameExtension('bad name')).toThrow(RangeError);
    expect(hostNameOf({ kind: 'server_name', names: [{ nameType: 0, name: hex('ff') }] })).toBeUndefined();
  });

  it('ALPN: a non-empty list, exactly one protocol in EncryptedExtensions', () => {
    roundTrip([alpnExtension(['h3', 'iroh/1'])], 'client_hello');
    roundTrip([alpnExtension(['iroh/1'])], 'encrypted_extensions');
    expectAlert(() => decode(rawBlock([[16, '0006026833026832']]), 'encrypted_extensions'), 'decode_error');
    expectAlert(() => decode(rawBlock([[16, '0000']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[16, '000100']]), 'client_hello'), 'decode_error');
  });

  it('status_request as rustls sends it, other status types opaque', () => {
    expect(decode(rawBlock([[5, '0100000000']]), 'client_hello')).toEqual([
      { kind: 'status_request', responderIds: [], requestExtensions: new Uint8Array(0) },
    ]);
    expect(
      extensionData({ kind: 'status_request', responderIds: [], requestExtensions: new Uint8Array(0) }),
    ).toEqual(hex('0100000000'));
    expect(decode(rawBlock([[5, '02abcd']]), 'client_hello')).toEqual([
      { kind: 'opaque', type: 5, data: hex('02abcd') },
    ]);
    expect(decode(rawBlock([[5, '']]), 'certificate_request')).toEqual([
      { kind: 'opaque', type: 5, data: new Uint8Array(0) },
    ]);
  });

  it('lists must be non-empty and of whole code points', () => {
    expectAlert(() => decode(rawBlock([[10, '0000']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[10, '0003001d00']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[13, '0001ff']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[45, '00']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[44, '0000']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[23, '00']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[11, '00']]), 'client_hello'), 'decode_error');
  });

  it('a body with bytes after its structure is decode_error', () => {
    expectAlert(() => decode(rawBlock([[10, '0002001dff']]), 'client_hello'), 'decode_error');
    expectAlert(() => decode(rawBlock([[43, '0304ff']]), 'server_hello'), 'decode_error');
  });
});

describe('extension blocks', () => {
  it('refuse duplicates (illegal_parameter)', () => {
    expectAlert(
      () =>
        decode(
          rawBlock([
            [0x1234, ''],
            [0x1234, ''],
          ]),
          'client_hello',
        ),
      'illegal_parameter',
    );
    expectAlert(
      () =>
        decode(
          rawBlock([
            [43, '0304'],
            [43, '0304'],
          ]),
          'server_hello',
        ),
      'illegal_parameter',
    );
  });

  it('apply RFC 8446 §4.2: recognised-but-misplaced is illegal_parameter, unrecognised responses unsupported_extension', () => {
    const cases: [number, ExtensionContext, 'illegal_parameter' | 'unsupported_extension'][] = [
      [ExtensionType.ApplicationLayerProtocolNegotiation, 'server_hello', 'illegal_parameter'],
      [ExtensionType.SignatureAlgorithms, 'encrypted_extensions', 'illegal_parameter'],
      [ExtensionType.KeyShare, 'encrypted_extensions', 'illegal_parameter'],
      [ExtensionType.PreSharedKey, 'encrypted_extensions', 'illegal_parameter'],
      [ExtensionType.EarlyData, 'server_hello', 'illegal_parameter'],
      [ExtensionType.Cookie, 'encrypted_extensions', 'illegal_parameter'],
      [ExtensionType.PskKeyExchangeModes, 'server_hello', 'illegal_parameter'],
      [ExtensionType.QuicTransportParameters, 'server_hello', 'illegal_parameter'],
      [ExtensionType.ExtendedMasterSecret, 'encrypted_extensions', 'illegal_parameter'],
      [ExtensionType.OidFilters, 'client_hello', 'illegal_parameter'],
      [ExtensionType.SupportedGroups, 'certificate', 'illegal_parameter'],
      [0x1234, 'server_hello', 'unsupported_extension'],
      [0x1234, 'hello_retry_request', 'unsupported_extension'],
      [0x1234, 'encrypted_extensions', 'unsupported_extension'],
      [0x1234, 'certificate', 'unsupported_extension'],
      [0x0a0a, 'encrypted_extensions', 'unsupported_extension'],
    ];
    for (const [type, ctx, alert] of cases) {
      expectAlert(() => decode(rawBlock([[type, '']]), ctx), alert);
    }
  });

  it('keep unknown and GREASE extensions opaque where they must be ignored', () => {
    for (const ctx of ['client_hello', 'certificate_request', 'new_session_ticket'] as const) {
      const exts = decode(
        rawBlock([
          [0x0a0a, ''],
          [0xfafa, '00'],
          [0x4469, 'abcdef'],
        ]),
        ctx,
      );
      expect(exts.map((e) => [extensionType(e), e.kind])).toEqual([
        [0x0a0a, 'opaque'],
        [0xfafa, 'opaque'],
        [0x4469, 'opaque'],
      ]);
    }
    expect([isGrease(0x0a0a), isGrease(0xeaea), isGrease(0x0a1a), isGrease(0x1234)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(extensionName(0x2a2a)).toBe('grease(0x2a2a)');
    expect(extensionName(51)).toBe('key_share');
    expect(extensionName(16)).toBe('application_layer_protocol_negotiation');
  });

  it('are length-checked', () => {
    expectAlert(() => decode(hex('0005000a0002'), 'client_hello'), 'decode_error');
    expectAlert(() => decode(hex('0004000a0004'), 'client_hello'), 'decode_error');
    expectAlert(() => decode(hex('00'), 'client_hello'), 'decode_error');
  });

  it('checkSolicited refuses unrequested responses', () => {
    const ee: Extension[] = [alpnExtension(['x']), { kind: 'server_name_ack' }];
    checkSolicited([0, 16], ee);
    expectAlert(() => checkSolicited([16], ee), 'unsupported_extension');
    checkSolicited(
      [43],
      [
        { kind: 'cookie', cookie: hex('01') },
        { kind: 'supported_versions_selected', version: 0x304 },
      ],
      [ExtensionType.Cookie],
    );
    expect(hasExtension(ee, 0)).toBe(true);
  });
});

describe('REAL ClientHellos against the shared spec (when present)', () => {
  const dir = sharedSpecDir();
  if (dir === undefined)
    console.log('skipping the live shared-spec check: ../shared/spec not found beside the repository');
  it.skipIf(dir === undefined)(
    'the fixtures match the shared vectors, which decode and re-encode exactly',
    () => {
      interface Spec {
        quic_first_datagram_direct: { client_hello_handshake_message_hex: string };
        quic_resumption_client_hello: { client_hello_hex: string; extensions: { type: string }[] };
        qad_client_hello: {
          client_hello_hex: string;
          client_hello_decoded: { extensions: { hex_type: string }[] };
        };
      }
      const spec = JSON.parse(readFileSync(join(dir!, 'iroh-core-vectors.json'), 'utf8')) as Spec;
      const cases: [string, string, string[]][] = [
        [
          spec.quic_first_datagram_direct.client_hello_handshake_message_hex,
          vectors.iroh_client_hello.message_hex,
          vectors.iroh_client_hello.extension_types,
        ],
        [
          spec.quic_resumption_client_hello.client_hello_hex,
          vectors.iroh_resumption_client_hello.message_hex,
          spec.quic_resumption_client_hello.extensions.map((e) => e.type),
        ],
        [
          spec.qad_client_hello.client_hello_hex,
          vectors.iroh_qad_client_hello.message_hex,
          spec.qad_client_hello.client_hello_decoded.extensions.map((e) => e.hex_type),
        ],
      ];
      for (const [live, transcribed, extTypes] of cases) {
        expect(transcribed).toBe(live);
        const ch = decodeHandshake(hex(live));
        expect(toHex(encodeHandshake(ch))).toBe(live);
        if (ch.kind !== 'client_hello') throw new Error('not a ClientHello');
        expect(ch.extensions.map((e) => `0x${extensionType(e).toString(16).padStart(4, '0')}`)).toEqual(
          extTypes,
        );
      }
    },
  );
});

function decodeCH(hexText: string): ClientHello {
  const m = decodeHandshake(hex(hexText));
  if (m.kind !== 'client_hello') throw new Error(`not a ClientHello: ${m.kind}`);
  return m;
}

describe('checkClientHelloTls13 (RFC 8446 §4.1.2, §9.2; RFC 9001 §8)', () => {
  const real = decodeCH(vectors.iroh_client_hello.message_hex);
  const without = (kind: Extension['kind']) => ({
    ...real,
    extensions: real.extensions.filter((e) => e.kind !== kind),
  });
  const replace = (e: Extension) => ({
    ...real,
    extensions: real.extensions.map((x) => (x.kind === e.kind ? e : x)),
  });

  it('accepts the REAL iroh ClientHellos', () => {
    checkClientHelloTls13(real, { quic: true });
    checkClientHelloTls13(decodeCH(vectors.iroh_resumption_client_hello.message_hex), { quic: true });
    checkClientHelloTls13(decodeCH(vectors.iroh_qad_client_hello.message_hex), { quic: true });
  });

  it('refuses what the RFCs refuse', () => {
    expectAlert(() => checkClientHelloTls13(without('supported_versions')), 'protocol_version');
    expectAlert(
      () => checkClientHelloTls13(replace({ kind: 'supported_versions', versions: [0x0303] })),
      'protocol_version',
    );
    expectAlert(
      () => checkClientHelloTls13({ ...real, legacyCompressionMethods: hex('0100') }),
      'illegal_parameter',
    );
    expectAlert(() => checkClientHelloTls13(without('key_share')), 'missing_extension');
    expectAlert(() => checkClientHelloTls13(without('supported_groups')), 'missing_extension');
    expectAlert(() => checkClientHelloTls13(without('signature_algorithms')), 'missing_extension');
    expectAlert(
      () => checkClientHelloTls13(replace({ kind: 'supported_groups', groups: [NamedGroup.secp256r1] })),
      'illegal_parameter',
    );
    const resumption = decodeCH(vectors.iroh_resumption_client_hello.message_hex);
    expectAlert(
      () =>
        checkClientHelloTls13({
          ...resumption,
          extensions: resumption.extensions.filter((e) => e.kind !== 'psk_key_exchange_modes'),
        }),
      'missing_extension',
    );
    checkClientHelloTls13(without('quic_transport_parameters'));
    expectAlert(
      () => checkClientHelloTls13(without('quic_transport_parameters'), { quic: true }),
      'missing_extension',
    );
    expectAlert(() => checkClientHelloTls13(without('alpn'), { quic: true }), 'no_application_protocol');
  });
});

describe('the iroh ClientHello rebuilt from typed values', () => {
  it('encodes to the REAL bytes', () => {
    const real = decodeHandshake(hex(vectors.iroh_client_hello.message_hex));
    if (real.kind !== 'client_hello') throw new Error('not a ClientHello');
    const ch = { ...real, extensions: real.extensions.map((e) => ({ ...e })) };
    expect(toHex(encodeHandshake(ch))).toBe(vectors.iroh_client_hello.message_hex);
  });
});
