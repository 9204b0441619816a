import { describe, expect, it } from 'vitest';
import type { CryptoEvent, SecretsEvent } from '../../src/crypto/session.js';
import { TlsAlert } from '../../src/crypto/tls/alerts.js';
import { CipherSuite, HandshakeType, NamedGroup } from '../../src/crypto/tls/constants.js';
import { createTlsSession } from '../../src/crypto/tls/index.js';
import {
  ALPN,
  CLIENT_TP,
  clientKey,
  expectFailure,
  handshake,
  otherKey,
  pump,
  rpkClientConfig,
  rpkServerConfig,
  SERVER_TP,
  secretsOf,
  serverKey,
  utf8,
} from './handshake-helpers.js';

const hex = (b: Uint8Array | undefined) => (b === undefined ? 'undefined' : Buffer.from(b).toString('hex'));

describe('raw-public-key handshake (iroh)', () => {
  it('completes with matching secrets, ALPN, identities, transport parameters and exporters', () => {
    const { client, server, log, error } = handshake();
    expect(error).toBeUndefined();
    expect(client.isHandshaking).toBe(false);
    expect(server.isHandshaking).toBe(false);

    expect(client.suite()?.code).toBe(CipherSuite.TLS_AES_256_GCM_SHA384);
    expect(server.suite()?.code).toBe(CipherSuite.TLS_AES_256_GCM_SHA384);
    expect(hex(client.alpn())).toBe(hex(ALPN));
    expect(hex(server.alpn())).toBe(hex(ALPN));
    expect(hex(client.peerTransportParameters())).toBe(hex(SERVER_TP));
    expect(hex(server.peerTransportParameters())).toBe(hex(CLIENT_TP));

    const c = client.peerIdentity();
    const s = server.peerIdentity();
    expect(c?.kind === 'raw-public-key' && c.key.equals(serverKey.public())).toBe(true);
    expect(s?.kind === 'raw-public-key' && s.key.equals(clientKey.public())).toBe(true);

    const cs = secretsOf(log, 'client');
    const ss = secretsOf(log, 'server');
    const at = (list: SecretsEvent[], level: string) => list.filter((e) => e.level === level);
    const merge = (list: SecretsEvent[]) => ({
      write: hex(list.find((e) => e.write)?.write),
      read: hex(list.find((e) => e.read)?.read),
    });
    for (const level of ['handshake', 'one-rtt']) {
      const cl = merge(at(cs, level));
      const sl = merge(at(ss, level));
      expect(cl.write).toMatch(/^[0-9a-f]{96}$/);
      expect(cl.read).toMatch(/^[0-9a-f]{96}$/);
      expect(cl.write).toBe(sl.read);
      expect(cl.read).toBe(sl.write);
      expect(cl.write).not.toBe(cl.read);
    }
    const label = utf8('EXPORTER-test');
    const ctx = utf8('ctx');
    const ce = client.exportKeyingMaterial(label, ctx, 32);
    expect(hex(ce)).toBe(hex(server.exportKeyingMaterial(label, ctx, 32)));
    expect(hex(ce)).not.toBe(hex(client.exportKeyingMaterial(label, utf8('other'), 32)));
  });

  it('emits events in the order RFC 9001 needs', () => {
    const { log } = handshake();
    const describe = (e: CryptoEvent) =>
      e.type === 'complete'
        ? 'complete'
        : e.type === 'handshake-data'
          ? `data@${e.level}`
          : `secrets@${e.level}:${e.write ? 'w' : ''}${e.read ? 'r' : ''}`;
    const of = (side: 'client' | 'server') =>
      log.filter((d) => d.from === side).map((d) => describe(d.event));
    expect(of('client')).toEqual([
      'data@initial',
      'secrets@handshake:wr',
      'data@handshake',
      'secrets@one-rtt:wr',
      'complete',
    ]);
    expect(of('server')).toEqual([
      'data@initial',
      'secrets@handshake:wr',
      'data@handshake',
      'secrets@one-rtt:w',
      'secrets@one-rtt:r',
      'complete',
    ]);
  });

  it('negotiates by server preference among offered suites', () => {
    const { client, server, error } = handshake(
      rpkClientConfig({
        cipherSuites: [CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256],
      }),
      rpkServerConfig({
        cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256],
      }),
    );
    expect(error).toBeUndefined();
    expect(client.suite()?.code).toBe(CipherSuite.TLS_AES_128_GCM_SHA256);
    expect(server.suite()?.hash.outputLength).toBe(32);
  });

  it('accepts any client key when the server does not pin one, and reports it', () => {
    const { server, error } = handshake(
      rpkClientConfig({ identity: { kind: 'raw-public-key', secretKey: otherKey } }),
    );
    expect(error).toBeUndefined();
    const id = server.peerIdentity();
    expect(id?.kind === 'raw-public-key' && id.key.equals(otherKey.public())).toBe(true);
  });

  it('fails with unknown_ca when the server key is not the dialled one', () => {
    const result = handshake(
      rpkClientConfig({ verify: { kind: 'raw-public-key', expected: otherKey.public() } }),
    );
    const alert = expectFailure(result, 'client', 'unknown_ca');
    expect(alert.message).toMatch(/not the expected key/);
    expect(alert.quicErrorCode).toBe(0x100 + 48);
    expect(result.client.peerIdentity()).toBeUndefined();
    // The session stays failed.
    expect(() => result.client.readHandshake('handshake', new Uint8Array(1))).toThrow(alert);
  });

  it('fails with no_application_protocol without a common ALPN, or without ALPN', () => {
    const r1 = handshake(rpkClientConfig({ alpnProtocols: [utf8('nope/1')] }));
    expect(expectFailure(r1, 'server', 'no_application_protocol').quicErrorCode).toBe(0x178);
    expectFailure(handshake(rpkClientConfig({ alpnProtocols: [] })), 'server', 'no_application_protocol');
  });

  it('picks the first client ALPN protocol the server supports', () => {
    const { client, server } = handshake(
      rpkClientConfig({ alpnProtocols: [utf8('x/1'), ALPN, utf8('other/1')] }),
      rpkServerConfig({ alpnProtocols: [utf8('other/1'), ALPN] }),
    );
    expect(hex(client.alpn())).toBe(hex(ALPN));
    expect(hex(server.alpn())).toBe(hex(ALPN));
  });

  it('answers a missing client certificate with certificate_required', () => {
    expectFailure(handshake(rpkClientConfig({ identity: undefined })), 'server', 'certificate_required');
  });

  it('rejects a client key other than a pinned one with unknown_ca', () => {
    const result = handshake(
      rpkClientConfig(),
      rpkServerConfig({ verify: { kind: 'raw-public-key', expected: otherKey.public() } }),
    );
    expectFailure(result, 'server', 'unknown_ca');
  });

  it('ignores NewSessionTicket after the handshake but rejects other messages', () => {
    const { client, server } = handshake();
    // lifetime, age_add, nonce<1>, ticket<2>, extensions<2>
    const body = Uint8Array.of(0, 0, 0, 60, 1, 2, 3, 4, 1, 0, 0, 2, 0xaa, 0xbb, 0, 0);
    const nst = Uint8Array.of(HandshakeType.NewSessionTicket, 0, 0, body.length, ...body);
    client.readHandshake('one-rtt', nst.subarray(0, 5));
    client.readHandshake('one-rtt', nst.subarray(5));
    expect(client.poll()).toBeUndefined();
    expect(() => server.readHandshake('one-rtt', nst)).toThrow(TlsAlert);
    expect(() => client.readHandshake('one-rtt', Uint8Array.of(HandshakeType.Finished, 0, 0, 0))).toThrow(
      /expected new_session_ticket|NewSessionTicket|new_session_ticket/,
    );
  });

  it('refuses the exporter before completion', () => {
    const client = createTlsSession(rpkClientConfig());
    expect(() => client.exportKeyingMaterial(utf8('x'), new Uint8Array(0), 16)).toThrow(TlsAlert);
  });

  it('rejects bytes at a level the handshake is not reading', () => {
    const client = createTlsSession(rpkClientConfig());
    let caught: unknown;
    try {
      client.readHandshake('handshake', Uint8Array.of(8, 0, 0, 0));
    } catch (e) {
      caught = e;
    }
    expect((caught as TlsAlert).code).toBe('unexpected_message');
    const server = createTlsSession(rpkServerConfig());
    expect(() => server.readHandshake('zero-rtt', Uint8Array.of(1))).toThrow(TlsAlert);
    // Empty reads at another level are harmless.
    createTlsSession(rpkServerConfig()).readHandshake('handshake', new Uint8Array(0));
  });

  it('rejects a message spanning the key change after the ServerHello', () => {
    const result = handshake(rpkClientConfig(), rpkServerConfig(), (from, level, data) =>
      from === 'server' && level === 'initial'
        ? Uint8Array.of(...data, HandshakeType.EncryptedExtensions, 0)
        : data,
    );
    expectFailure(result, 'client', 'unexpected_message');
  });

  it('works when the peer trickles bytes one at a time', () => {
    const client = createTlsSession(rpkClientConfig());
    const server = createTlsSession(rpkServerConfig());
    const log = pump(client, server, (from, level, data) => {
      const to = from === 'client' ? server : client;
      for (let i = 0; i < data.length - 1; i++) to.readHandshake(level, data.subarray(i, i + 1));
      return data.subarray(data.length - 1);
    });
    expect(log.error).toBeUndefined();
    expect(client.isHandshaking || server.isHandshaking).toBe(false);
  });

  it('offers secp256r1 first and completes on it when the server accepts it', () => {
    const { client, error, log } = handshake(
      rpkClientConfig({ groups: [NamedGroup.secp256r1, NamedGroup.x25519] }),
      rpkServerConfig({ groups: [NamedGroup.x25519, NamedGroup.secp256r1] }),
    );
    expect(error).toBeUndefined();
    expect(client.isHandshaking).toBe(false);
    // No HelloRetryRequest: one ClientHello, one server Initial flight.
    expect(log.filter((d) => d.event.type === 'handshake-data' && d.event.level === 'initial')).toHaveLength(
      2,
    );
  });
});
