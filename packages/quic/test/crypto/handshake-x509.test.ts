import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TlsConfig } from '../../src/crypto/session.js';
import { HandshakeType } from '../../src/crypto/tls/constants.js';
import {
  ALPN,
  CLIENT_TP,
  expectFailure,
  flipLast,
  handshake,
  messagesOf,
  rewriteMessage,
  SERVER_TP,
  seededRandom,
} from './handshake-helpers.js';
import { fixture } from './tls-helpers.js';

type Entry = { cert: string; key: string };
const certs = fixture<Record<string, Entry>>('x509/x509-certs.json');
const der = (name: string) => Uint8Array.from(Buffer.from(certs[name]!.cert, 'base64'));
const pkcs8 = (name: string) => Uint8Array.from(Buffer.from(certs[name]!.key, 'base64'));

const leafValidity = new X509Certificate(der('leaf_ec'));
const DAY = 86_400_000;
/** A time inside every fixture certificate's validity. */
const NOW = Date.parse(leafValidity.validFrom) + DAY;

function serverConfig(leaf: string, chain: string[] = []): TlsConfig {
  return {
    side: 'server',
    alpnProtocols: [ALPN],
    transportParameters: SERVER_TP,
    identity: { kind: 'x509', chain: [der(leaf), ...chain.map(der)], privateKeyPkcs8: pkcs8(leaf) },
    verify: { kind: 'x509', roots: [] },
    random: seededRandom('x509-server'),
  };
}

function clientConfig(roots: string[], serverName = 'example.test', now = NOW): TlsConfig {
  return {
    side: 'client',
    alpnProtocols: [ALPN],
    transportParameters: CLIENT_TP,
    verify: { kind: 'x509', roots: roots.map(der) },
    serverName,
    now: () => now,
    random: seededRandom('x509-client'),
  };
}

describe('X.509 handshakes', () => {
  for (const [leaf, scheme] of [
    ['leaf_ec', 0x0403],
    ['leaf_ed', 0x0807],
  ] as const) {
    it(`completes with an ${leaf === 'leaf_ec' ? 'ECDSA P-256' : 'Ed25519'} leaf and the right root`, () => {
      const r = handshake(clientConfig(['root_b', 'root_a']), serverConfig(leaf));
      expect(r.error).toBeUndefined();
      expect(r.client.isHandshaking || r.server.isHandshaking).toBe(false);
      const id = r.client.peerIdentity();
      expect(id?.kind).toBe('x509');
      expect(id?.kind === 'x509' && Buffer.from(id.chain[0]!).equals(Buffer.from(der(leaf)))).toBe(true);
      expect(r.server.peerIdentity()).toBeUndefined();
      const flight = r.log.find(
        (d) => d.from === 'server' && d.event.type === 'handshake-data' && d.event.level === 'handshake',
      );
      const data = flight?.event.type === 'handshake-data' ? flight.event.data : new Uint8Array(0);
      // No CertificateRequest in X.509 mode; the CertificateVerify uses the leaf's scheme.
      expect(messagesOf(data).map((m) => m.type)).toEqual([
        HandshakeType.EncryptedExtensions,
        HandshakeType.Certificate,
        HandshakeType.CertificateVerify,
        HandshakeType.Finished,
      ]);
      let cvScheme = -1;
      rewriteMessage(data, HandshakeType.CertificateVerify, (raw) => {
        cvScheme = (raw[4]! << 8) | raw[5]!;
        return raw;
      });
      expect(cvScheme).toBe(scheme);
      const label = new TextEncoder().encode('l');
      expect(r.client.exportKeyingMaterial(label, label, 8)).toEqual(
        r.server.exportKeyingMaterial(label, label, 8),
      );
    });
  }

  it('builds a path through an intermediate (RSA PKCS#1 and RSA-PSS certificate signatures, RSA-PSS CertificateVerify)', () => {
    const r = handshake(clientConfig(['rsa_root']), serverConfig('leaf_rsa', ['rsa_inter']));
    expect(r.error).toBeUndefined();
    expect(r.client.isHandshaking).toBe(false);
  });

  it('fails with unknown_ca without the intermediate', () => {
    expectFailure(handshake(clientConfig(['rsa_root']), serverConfig('leaf_rsa')), 'client', 'unknown_ca');
  });

  it('fails with unknown_ca against the wrong root', () => {
    const r = handshake(clientConfig(['root_b']), serverConfig('leaf_ec'));
    expect(expectFailure(r, 'client', 'unknown_ca').message).toMatch(/trusted root/);
  });

  it('fails with bad_certificate for the wrong name, and matches wildcards and IP SANs', () => {
    expect(
      expectFailure(
        handshake(clientConfig(['root_a'], 'other.test'), serverConfig('leaf_ec')),
        'client',
        'bad_certificate',
      ).message,
    ).toMatch(/other\.test/);
    expect(handshake(clientConfig(['root_a'], 'a.wild.test'), serverConfig('leaf_ec')).error).toBeUndefined();
    expectFailure(
      handshake(clientConfig(['root_a'], 'a.b.wild.test'), serverConfig('leaf_ec')),
      'client',
      'bad_certificate',
    );
    expectFailure(
      handshake(clientConfig(['root_a'], 'wild.test'), serverConfig('leaf_ec')),
      'client',
      'bad_certificate',
    );
    expect(handshake(clientConfig(['root_a'], '127.0.0.1'), serverConfig('leaf_ec')).error).toBeUndefined();
    expectFailure(
      handshake(clientConfig(['root_a'], '127.0.0.2'), serverConfig('leaf_ec')),
      'client',
      'bad_certificate',
    );
  });

  it('fails with certificate_expired outside the validity period (injected clock)', () => {
    const expired = Date.parse(leafValidity.validTo) + DAY;
    const early = Date.parse(leafValidity.validFrom) - DAY;
    expectFailure(
      handshake(clientConfig(['root_a'], 'example.test', expired), serverConfig('leaf_ec')),
      'client',
      'certificate_expired',
    );
    expectFailure(
      handshake(clientConfig(['root_a'], 'example.test', early), serverConfig('leaf_ec')),
      'client',
      'certificate_expired',
    );
  });

  it('refuses a certificate not meant for servers', () => {
    expectFailure(
      handshake(clientConfig(['root_a']), serverConfig('leaf_client_only')),
      'client',
      'unsupported_certificate',
    );
  });

  it('a CA certificate as the end entity is bad_certificate', () => {
    expectFailure(handshake(clientConfig(['root_a']), serverConfig('root_a')), 'client', 'bad_certificate');
  });

  it('a tampered CertificateVerify is decrypt_error', () => {
    for (const leaf of ['leaf_ec', 'leaf_ed', 'leaf_rsa']) {
      const r = handshake(
        clientConfig(['root_a', 'rsa_root']),
        serverConfig(leaf, leaf === 'leaf_rsa' ? ['rsa_inter'] : []),
        (from, level, data) =>
          from === 'server' && level === 'handshake'
            ? rewriteMessage(data, HandshakeType.CertificateVerify, flipLast)
            : data,
      );
      expectFailure(r, 'client', 'decrypt_error');
    }
  });

  it('a garbled certificate is bad_certificate', () => {
    const r = handshake(clientConfig(['root_a']), serverConfig('leaf_ec'), (from, level, data) =>
      from === 'server' && level === 'handshake'
        ? rewriteMessage(data, HandshakeType.Certificate, (raw) => {
            raw[20]! ^= 0xff;
            return raw;
          })
        : data,
    );
    expectFailure(r, 'client', 'bad_certificate');
  });

  it('a certificate whose signature does not verify is decrypt_error (webpki BadSignature)', () => {
    const r = handshake(clientConfig(['root_a']), serverConfig('leaf_ec'), (from, level, data) =>
      from === 'server' && level === 'handshake'
        ? rewriteMessage(data, HandshakeType.Certificate, (raw) => {
            raw[raw.length - 3]! ^= 0x01; // the last byte of the DER: inside the signature
            return raw;
          })
        : data,
    );
    expectFailure(r, 'client', 'decrypt_error');
  });

  it('a raw-public-key client refuses an X.509 server', () => {
    const r = handshake(
      {
        ...clientConfig([]),
        verify: { kind: 'raw-public-key' },
      },
      serverConfig('leaf_ec'),
    );
    expectFailure(r, 'server', 'handshake_failure');
  });
});
