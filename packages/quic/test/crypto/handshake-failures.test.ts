import { describe, expect, it } from 'vitest';
import { TlsAlert } from '../../src/crypto/tls/alerts.js';
import { ExtensionType, HandshakeType, NamedGroup } from '../../src/crypto/tls/constants.js';
import { type Extension, extensionType } from '../../src/crypto/tls/extensions.js';
import { createTlsSession } from '../../src/crypto/tls/index.js';
import {
  type ClientHello,
  decodeHandshake,
  encodeHandshake,
  type HandshakeMessage,
} from '../../src/crypto/tls/messages.js';
import {
  concat,
  expectFailure,
  flipLast,
  handshake,
  messagesOf,
  rewriteMessage,
  rpkClientConfig,
  rpkServerConfig,
} from './handshake-helpers.js';

/** Rewrites the (first) ClientHello before the server sees it. */
function editClientHello(edit: (ch: ClientHello) => HandshakeMessage) {
  let done = false;
  return handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) => {
    if (from !== 'client' || level !== 'initial' || done) return data;
    done = true;
    const ch = decodeHandshake(data);
    if (ch.kind !== 'client_hello') throw new Error('not a ClientHello');
    return encodeHandshake(edit(ch));
  });
}

describe('HelloRetryRequest', () => {
  it('retries when the client has no share for the server group (x25519)', () => {
    const r = handshake(
      rpkClientConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519] }),
      rpkServerConfig({ groups: [NamedGroup.x25519] }),
    );
    expect(r.error).toBeUndefined();
    expect(r.client.isHandshaking || r.server.isHandshaking).toBe(false);
    const initial = r.log.filter((d) => d.event.type === 'handshake-data' && d.event.level === 'initial');
    // ClientHello1, HelloRetryRequest, ClientHello2, ServerHello.
    expect(initial.map((d) => d.from)).toEqual(['client', 'server', 'client', 'server']);
    const ch2 =
      initial[2]?.event.type === 'handshake-data' ? decodeHandshake(initial[2].event.data) : undefined;
    const shares =
      ch2?.kind === 'client_hello' ? ch2.extensions.find((e) => e.kind === 'key_share') : undefined;
    expect(shares?.kind === 'key_share' && shares.shares.map((s) => s.group)).toEqual([NamedGroup.x25519]);
    const label = new TextEncoder().encode('x');
    expect(r.client.exportKeyingMaterial(label, label, 16)).toEqual(
      r.server.exportKeyingMaterial(label, label, 16),
    );
  });

  it('retries to secp384r1 and completes', () => {
    const r = handshake(rpkClientConfig(), rpkServerConfig({ groups: [NamedGroup.secp384r1] }));
    expect(r.error).toBeUndefined();
    expect(r.client.isHandshaking).toBe(false);
  });

  it('fails with handshake_failure when no group is shared', () => {
    const r = handshake(
      rpkClientConfig({ groups: [NamedGroup.x25519] }),
      rpkServerConfig({ groups: [NamedGroup.secp256r1] }),
    );
    expectFailure(r, 'server', 'handshake_failure');
  });

  it('rejects a second ClientHello without the requested share', () => {
    let count = 0;
    const r = handshake(
      rpkClientConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519] }),
      rpkServerConfig({ groups: [NamedGroup.x25519] }),
      (from, level, data) => {
        if (from !== 'client' || level !== 'initial' || ++count !== 2) return data;
        const ch = decodeHandshake(data) as ClientHello;
        const first = ch.extensions.find((e) => e.kind === 'key_share');
        const extensions = ch.extensions.map((e) =>
          e.kind === 'key_share' && first?.kind === 'key_share'
            ? {
                kind: 'key_share' as const,
                shares: [{ group: NamedGroup.secp256r1, keyExchange: new Uint8Array(65).fill(4) }],
              }
            : e,
        );
        return encodeHandshake({ ...ch, extensions });
      },
    );
    expectFailure(r, 'server', 'illegal_parameter');
  });

  it('rejects a HelloRetryRequest for the group the client already sent', () => {
    const r = handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) => {
      if (from !== 'server' || level !== 'initial') return data;
      return encodeHandshake({
        kind: 'hello_retry_request',
        legacyVersion: 0x0303,
        legacySessionIdEcho: new Uint8Array(0),
        cipherSuite: 0x1302,
        legacyCompressionMethod: 0,
        extensions: [
          { kind: 'key_share_hrr', selectedGroup: NamedGroup.x25519 },
          { kind: 'supported_versions_selected', version: 0x0304 },
        ],
      });
    });
    expectFailure(r, 'client', 'illegal_parameter');
  });
  it('echoes an HelloRetryRequest cookie, and the transcript covers the HelloRetryRequest as received', () => {
    const cookie = Uint8Array.of(1, 2, 3, 4, 5);
    let ch2: ClientHello | undefined;
    const r = handshake(
      rpkClientConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519] }),
      rpkServerConfig({ groups: [NamedGroup.x25519] }),
      (from, level, data) => {
        if (level !== 'initial') return data;
        const m = decodeHandshake(data);
        if (m.kind === 'client_hello' && from === 'client') ch2 = m;
        if (m.kind !== 'hello_retry_request') return data;
        return encodeHandshake({ ...m, extensions: [...m.extensions, { kind: 'cookie', cookie }] });
      },
    );
    const echoed = ch2?.extensions.find((e) => e.kind === 'cookie');
    expect(echoed?.kind === 'cookie' && [...echoed.cookie]).toEqual([...cookie]);
    // The server hashed the HelloRetryRequest it sent, not the one the client got: signatures fail.
    expectFailure(r, 'client', 'decrypt_error');
  });
});

describe('tampering and protocol violations', () => {
  const tamperServer = (type: number) => (from: string, level: string, data: Uint8Array) =>
    from === 'server' && level === 'handshake' ? rewriteMessage(data, type, flipLast) : data;

  it('a tampered server Finished is decrypt_error', () => {
    expectFailure(
      handshake(rpkClientConfig(), rpkServerConfig(), tamperServer(HandshakeType.Finished)),
      'client',
      'decrypt_error',
    );
  });

  it('a tampered server CertificateVerify is decrypt_error', () => {
    const r = handshake(rpkClientConfig(), rpkServerConfig(), tamperServer(HandshakeType.CertificateVerify));
    expect(expectFailure(r, 'client', 'decrypt_error').message).toMatch(/CertificateVerify/);
  });

  it('a tampered client Finished or CertificateVerify is decrypt_error at the server', () => {
    for (const type of [HandshakeType.Finished, HandshakeType.CertificateVerify]) {
      const r = handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) =>
        from === 'client' && level === 'handshake' ? rewriteMessage(data, type, flipLast) : data,
      );
      expectFailure(r, 'server', 'decrypt_error');
      expect(r.server.isHandshaking).toBe(true);
    }
  });

  it('a server certificate that is not an Ed25519 SPKI fails the client', () => {
    const r = handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) =>
      from === 'server' && level === 'handshake'
        ? rewriteMessage(data, HandshakeType.Certificate, (raw) => {
            raw[raw.length - 40]! ^= 0xff; // inside the SPKI prefix
            return raw;
          })
        : data,
    );
    expectFailure(r, 'client', 'unknown_ca');
  });

  it('messages out of order are unexpected_message', () => {
    // Server flight without EncryptedExtensions: the client sees a CertificateRequest first.
    const dropEe = handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) =>
      from === 'server' && level === 'handshake'
        ? rewriteMessage(data, HandshakeType.EncryptedExtensions, () => undefined)
        : data,
    );
    expectFailure(dropEe, 'client', 'unexpected_message');
    // Client flight reordered: Finished before Certificate.
    const reorder = handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) => {
      if (from !== 'client' || level !== 'handshake') return data;
      const ms = messagesOf(data);
      return concat([ms[2]!.raw, ms[0]!.raw, ms[1]!.raw]);
    });
    expectFailure(reorder, 'server', 'unexpected_message');
  });

  const editEe = (edit: (exts: Extension[]) => Extension[]) =>
    handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) =>
      from === 'server' && level === 'handshake'
        ? rewriteMessage(data, HandshakeType.EncryptedExtensions, (raw) => {
            const ee = decodeHandshake(raw);
            return ee.kind === 'encrypted_extensions'
              ? encodeHandshake({ ...ee, extensions: edit([...ee.extensions]) })
              : raw;
          })
        : data,
    );

  it('EncryptedExtensions without quic_transport_parameters is missing_extension', () => {
    expectFailure(
      editEe((exts) => exts.filter((e) => e.kind !== 'quic_transport_parameters')),
      'client',
      'missing_extension',
    );
  });

  it('EncryptedExtensions without ALPN is no_application_protocol, with an unoffered one illegal_parameter', () => {
    expectFailure(
      editEe((exts) => exts.filter((e) => e.kind !== 'alpn')),
      'client',
      'no_application_protocol',
    );
    const other = editEe((exts) =>
      exts.map((e) => (e.kind === 'alpn' ? { kind: 'alpn', protocols: [Uint8Array.of(0x68)] } : e)),
    );
    expectFailure(other, 'client', 'illegal_parameter');
  });

  it('an unsolicited extension in EncryptedExtensions is unsupported_extension', () => {
    expectFailure(
      editEe((exts) => [...exts, { kind: 'early_data' }]),
      'client',
      'unsupported_extension',
    );
  });

  it('a server that does not echo the raw public key certificate type fails the client', () => {
    const r = handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) => {
      if (from !== 'server' || level !== 'handshake') return data;
      return rewriteMessage(data, HandshakeType.EncryptedExtensions, (raw) => {
        const ee = decodeHandshake(raw);
        if (ee.kind !== 'encrypted_extensions') return raw;
        const extensions = ee.extensions.filter((e) => e.kind !== 'server_certificate_type_selected');
        return encodeHandshake({ ...ee, extensions });
      });
    });
    expectFailure(r, 'client', 'handshake_failure');
  });
});

describe('ClientHello validation at the server', () => {
  it('missing quic_transport_parameters is missing_extension', () => {
    const r = editClientHello((ch) => ({
      ...ch,
      extensions: ch.extensions.filter((e) => extensionType(e) !== ExtensionType.QuicTransportParameters),
    }));
    expectFailure(r, 'server', 'missing_extension');
  });

  it('a non-empty legacy_session_id is refused in QUIC', () => {
    expectFailure(
      editClientHello((ch) => ({ ...ch, legacySessionId: new Uint8Array(32).fill(1) })),
      'server',
      'illegal_parameter',
    );
  });

  it('no TLS 1.3 in supported_versions is protocol_version', () => {
    const r = editClientHello((ch) => ({
      ...ch,
      extensions: ch.extensions.map((e) =>
        e.kind === 'supported_versions' ? { ...e, versions: [0x0303] } : e,
      ),
    }));
    expectFailure(r, 'server', 'protocol_version');
  });

  it('no common cipher suite is handshake_failure', () => {
    expectFailure(
      editClientHello((ch) => ({ ...ch, cipherSuites: [0x1304] })),
      'server',
      'handshake_failure',
    );
  });

  it('without ed25519 in signature_algorithms the server cannot authenticate', () => {
    const r = editClientHello((ch) => ({
      ...ch,
      extensions: ch.extensions.map((e) =>
        e.kind === 'signature_algorithms' ? { ...e, schemes: [0x0403] } : e,
      ),
    }));
    expectFailure(r, 'server', 'handshake_failure');
  });

  it('a client that does not offer raw public keys is handshake_failure (as rustls)', () => {
    const r = editClientHello((ch) => ({
      ...ch,
      extensions: ch.extensions.filter((e) => e.kind !== 'server_certificate_type'),
    }));
    expectFailure(r, 'server', 'handshake_failure');
  });

  it('an invalid x25519 share is illegal_parameter', () => {
    const r = editClientHello((ch) => ({
      ...ch,
      extensions: ch.extensions.map((e) =>
        e.kind === 'key_share'
          ? { kind: 'key_share', shares: [{ group: NamedGroup.x25519, keyExchange: new Uint8Array(32) }] }
          : e,
      ),
    }));
    expectFailure(r, 'server', 'illegal_parameter');
  });

  it('a second ClientHello without a HelloRetryRequest is unexpected_message', () => {
    const client = createTlsSession(rpkClientConfig());
    const server = createTlsSession(rpkServerConfig());
    const ch = client.poll();
    if (ch?.type !== 'handshake-data') throw new Error('no ClientHello');
    expect(() => server.readHandshake('initial', concat([ch.data, ch.data]))).toThrow(TlsAlert);
  });
});
