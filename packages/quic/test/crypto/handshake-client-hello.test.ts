import { describe, expect, it } from 'vitest';
import { tlsBackend as nobleBackend } from '../../src/crypto/backend/tls-noble.js';
import { tlsBackend as nodeBackend } from '../../src/crypto/backend/tls-node.js';
import { type Extension, extensionType } from '../../src/crypto/tls/extensions.js';
import { createTlsSession } from '../../src/crypto/tls/index.js';
import { type ClientHello, decodeHandshake } from '../../src/crypto/tls/messages.js';
import { X509_SIGNATURE_SCHEMES } from '../../src/crypto/tls/signatures.js';
import { rpkClientConfig, seededRandom, serverKey } from './handshake-helpers.js';
import { hex, vectors } from './tls-helpers.js';

function firstClientHello(config = rpkClientConfig()): ClientHello {
  const event = createTlsSession(config).poll();
  if (event?.type !== 'handshake-data' || event.level !== 'initial') throw new Error('no ClientHello');
  const ch = decodeHandshake(event.data);
  if (ch.kind !== 'client_hello') throw new Error('not a ClientHello');
  return ch;
}

function values(exts: readonly Extension[]) {
  const get = <K extends Extension['kind']>(kind: K) =>
    exts.find((e): e is Extract<Extension, { kind: K }> => e.kind === kind);
  const shares = get('key_share')?.shares ?? [];
  return {
    types: exts.map(extensionType).sort((a, b) => a - b),
    groups: get('supported_groups')?.groups,
    schemes: get('signature_algorithms')?.schemes,
    clientCertTypes: get('client_certificate_type')?.types,
    serverCertTypes: get('server_certificate_type')?.types,
    versions: get('supported_versions')?.versions,
    pskModes: get('psk_key_exchange_modes')?.modes,
    pointFormats: get('ec_point_formats')?.formats,
    shareGroups: shares.map((s) => s.group),
    shareLengths: shares.map((s) => s.keyExchange.length),
    status: get('status_request')?.responderIds.length,
    ems: get('extended_master_secret') !== undefined,
  };
}

describe('ClientHello fidelity', () => {
  const real = decodeHandshake(hex(vectors.iroh_client_hello.message_hex)) as ClientHello;

  it('has the extension set and values of the real iroh 1.0.2 ClientHello', () => {
    const ours = firstClientHello();
    expect(ours.cipherSuites).toEqual(real.cipherSuites);
    expect(ours.cipherSuites).toEqual([0x1302, 0x1301, 0x1303]);
    expect(ours.legacySessionId.length).toBe(0);
    expect(real.legacySessionId.length).toBe(0);
    const mine = values(ours.extensions);
    expect(mine).toEqual(values(real.extensions));
    expect(mine.types).toEqual(
      vectors.iroh_client_hello.extension_types.map((t) => Number.parseInt(t, 16)).sort((a, b) => a - b),
    );
    expect(mine.schemes).toEqual([0x0807]);
    expect(mine.clientCertTypes).toEqual([2]);
  });

  it('sends the iroh SNI, which decodes to the dialled key', () => {
    const ours = firstClientHello();
    const sni = ours.extensions.find((e) => e.kind === 'server_name');
    const name = sni?.kind === 'server_name' ? new TextDecoder().decode(sni.names[0]?.name) : undefined;
    expect(name).toBe(serverKey.public().tlsServerName());
    const realSni = real.extensions.find((e) => e.kind === 'server_name');
    expect(realSni?.kind === 'server_name' && new TextDecoder().decode(realSni.names[0]?.name)).toMatch(
      /^[0-9a-v]{52}\.iroh\.invalid$/,
    );
    expect(
      firstClientHello(rpkClientConfig({ serverName: undefined })).extensions.some(
        (e) => e.kind === 'server_name',
      ),
    ).toBe(false);
  });

  it('shuffles the extension order from the injected randomness', () => {
    const orders = new Set(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((seed) =>
        firstClientHello(rpkClientConfig({}, seed)).extensions.map(extensionType).join(','),
      ),
    );
    expect(orders.size).toBeGreaterThan(1);
    // Deterministic for a given random source.
    const again = firstClientHello(rpkClientConfig({}, 'a')).extensions.map(extensionType).join(',');
    expect(orders.has(again)).toBe(true);
  });

  it('offers the QAD-style signature list and no certificate types in X.509 mode', () => {
    const qad = decodeHandshake(hex(vectors.iroh_qad_client_hello.message_hex)) as ClientHello;
    const ours = firstClientHello(
      rpkClientConfig({
        identity: undefined,
        verify: { kind: 'x509', roots: [] },
        serverName: '127.0.0.1',
        now: () => 0,
      }),
    );
    const mine = values(ours.extensions);
    expect(mine.schemes).toEqual(values(qad.extensions).schemes);
    expect(mine.schemes).toEqual(X509_SIGNATURE_SCHEMES);
    expect(mine.clientCertTypes).toBeUndefined();
    expect(mine.serverCertTypes).toBeUndefined();
    // No SNI for an IP address, like the real QAD client; rustls's TLS 1.2 session_ticket is the only difference.
    const qadTypes = values(qad.extensions).types.filter((t) => t !== 0x0023);
    expect(mine.types).toEqual(qadTypes);
  });

  it('refuses unusable configurations', () => {
    const x509 = { kind: 'x509' as const, roots: [] };
    expect(() => createTlsSession(rpkClientConfig({ verify: x509, identity: undefined }))).toThrow(/clock/);
    expect(() =>
      createTlsSession(
        rpkClientConfig({ verify: x509, identity: undefined, serverName: undefined, now: () => 0 }),
      ),
    ).toThrow(/server name/);
    expect(() => createTlsSession(rpkClientConfig({ cipherSuites: [0x1304] }))).toThrow(RangeError);
    expect(() => createTlsSession(rpkClientConfig({ groups: [0x11ec] }))).toThrow(RangeError);
    expect(() => createTlsSession({ ...rpkClientConfig(), side: 'server', identity: undefined })).toThrow(
      /identity/,
    );
  });
});

describe('TLS backends', () => {
  it('node:crypto and @noble agree on key shares and shared secrets', () => {
    for (const group of [0x001d, 0x0017, 0x0018]) {
      const a1 = nodeBackend.keyPair(group, seededRandom(`a${group}`))!;
      const a2 = nobleBackend.keyPair(group, seededRandom(`a${group}`))!;
      const b = nodeBackend.keyPair(group, seededRandom(`b${group}`))!;
      expect(Buffer.from(a1.publicKey).toString('hex')).toBe(Buffer.from(a2.publicKey).toString('hex'));
      const s1 = a1.agree(b.publicKey)!;
      expect(s1.length).toBe(group === 0x0018 ? 48 : 32);
      expect(Buffer.from(a2.agree(b.publicKey)!).toString('hex')).toBe(Buffer.from(s1).toString('hex'));
      expect(Buffer.from(b.agree(a1.publicKey)!).toString('hex')).toBe(Buffer.from(s1).toString('hex'));
      // Invalid peer values are refused by both.
      const bad = new Uint8Array(a1.publicKey.length);
      expect(a1.agree(bad)).toBeUndefined();
      expect(a2.agree(bad)).toBeUndefined();
      expect(a1.agree(a1.publicKey.subarray(1))).toBeUndefined();
    }
  });

  it('both hash implementations agree', () => {
    for (const name of ['sha256', 'sha384'] as const) {
      const n = nodeBackend.hash(name);
      const j = nobleBackend.hash(name);
      const data = new TextEncoder().encode('hello');
      expect(n.hash(data)).toEqual(j.hash(data));
      expect(n.hmac(data, data)).toEqual(j.hmac(data, data));
      const s = n.create();
      s.update(data);
      const c = s.clone();
      c.update(data);
      expect(s.digest()).toEqual(j.hash(data));
      expect(c.digest()).toEqual(j.hash(new TextEncoder().encode('hellohello')));
    }
  });
});
