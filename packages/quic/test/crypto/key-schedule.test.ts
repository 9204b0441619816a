import { createHash, createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { TlsAlert } from '../../src/crypto/tls/alerts.js';
import { CipherSuite } from '../../src/crypto/tls/constants.js';
import {
  binderKey,
  deriveSecret,
  earlySecret,
  emptyHash,
  finishedKey,
  finishedVerifyData,
  type HashAlg,
  handshakeSecret,
  hashForCipherSuite,
  hkdfExpand,
  hkdfExpandLabel,
  hkdfExtract,
  KeySchedule,
  Label,
  masterSecret,
  nextTrafficSecret,
  pskBinder,
  quicKeys,
  quicNextSecret,
  resumptionPsk,
  SHA256,
  SHA384,
  tlsExporter,
  trafficKeys,
} from '../../src/crypto/tls/key-schedule.js';
import {
  decodeHandshake,
  HandshakeFramer,
  truncateForBinders,
  withBinders,
} from '../../src/crypto/tls/messages.js';
import { messageHash, Transcript } from '../../src/crypto/tls/transcript.js';
import { expectAlert, hex, toHex, utf8, vectors } from './tls-helpers.js';

const v = vectors.rfc8448_simple_1rtt as Record<string, string>;
const h = (name: string) => hex(v[name]!);
const EMPTY = new Uint8Array(0);

describe('RFC 8448 §3: simple 1-RTT handshake, key schedule and transcript', () => {
  const ch = h('client_hello');
  const sh = h('server_hello');
  const serverFlight = new HandshakeFramer().push(h('server_flight')).map((m) => m.raw);
  const clientFinished = h('client_finished');

  it('derives every published secret with the KeySchedule stages', () => {
    const transcript = new Transcript(); // the client does not know the hash before ServerHello
    transcript.add(ch);
    transcript.add(sh);
    const suite = decodeHandshake(sh);
    if (suite.kind !== 'server_hello') throw new Error('not a ServerHello');
    const alg = hashForCipherSuite(suite.cipherSuite)!;
    expect(alg).toBe(SHA256);
    transcript.selectHash(alg);
    expect(toHex(transcript.hash())).toBe(v.hash_ch_sh);

    const ks = new KeySchedule(alg);
    expect(toHex(ks.current)).toBe(v.early_secret);
    expect(toHex(deriveSecret(alg, ks.current, Label.derived, emptyHash(alg)))).toBe(v.derived_for_handshake);
    ks.enterHandshake(h('ecdhe_shared_secret'));
    expect(toHex(ks.current)).toBe(v.handshake_secret);
    const chs = ks.clientHandshakeTrafficSecret(transcript.hash());
    const shs = ks.serverHandshakeTrafficSecret(transcript.hash());
    expect(toHex(chs)).toBe(v.client_handshake_traffic_secret);
    expect(toHex(shs)).toBe(v.server_handshake_traffic_secret);
    expect(trafficKeys(alg, shs, 16)).toEqual({
      key: h('server_handshake_key'),
      iv: h('server_handshake_iv'),
    });
    expect(trafficKeys(alg, chs, 16)).toEqual({
      key: h('client_handshake_key'),
      iv: h('client_handshake_iv'),
    });

    for (const m of serverFlight.slice(0, 3)) transcript.add(m);
    const serverVerify = finishedVerifyData(alg, shs, transcript.hash());
    expect(toHex(serverVerify)).toBe(v.server_finished_verify_data);
    transcript.add(serverFlight[3]!);
    expect(toHex(transcript.hash())).toBe(v.hash_ch_server_finished);

    expect(toHex(deriveSecret(alg, ks.current, Label.derived, emptyHash(alg)))).toBe(v.derived_for_master);
    ks.enterMaster();
    expect(toHex(ks.current)).toBe(v.master_secret);
    const cap = ks.clientApplicationTrafficSecret(transcript.hash());
    const sap = ks.serverApplicationTrafficSecret(transcript.hash());
    expect(toHex(cap)).toBe(v.client_application_traffic_secret);
    expect(toHex(sap)).toBe(v.server_application_traffic_secret);
    expect(toHex(ks.exporterMasterSecret(transcript.hash()))).toBe(v.exporter_master_secret);
    expect(trafficKeys(alg, sap, 16)).toEqual({
      key: h('server_application_key'),
      iv: h('server_application_iv'),
    });
    expect(trafficKeys(alg, cap, 16)).toEqual({
      key: h('client_application_key'),
      iv: h('client_application_iv'),
    });

    expect(toHex(finishedKey(alg, chs))).toBe(v.client_finished_key);
    const clientVerify = finishedVerifyData(alg, chs, transcript.hash());
    expect(toHex(clientVerify)).toBe(v.client_finished_verify_data);
    expect(toHex(clientFinished)).toBe(`14000020${v.client_finished_verify_data}`);
    transcript.add(clientFinished);
    expect(toHex(transcript.hash())).toBe(v.hash_ch_client_finished);
    const rms = ks.resumptionMasterSecret(transcript.hash());
    expect(toHex(rms)).toBe(v.resumption_master_secret);
    expect(toHex(resumptionPsk(alg, rms, h('ticket_nonce')))).toBe(v.resumption_psk);
    expect(transcript.messageCount).toBe(7);
  });

  it('the plain functions agree with the stages', () => {
    const early = earlySecret(SHA256);
    expect(toHex(early)).toBe(v.early_secret);
    const hs = handshakeSecret(SHA256, early, h('ecdhe_shared_secret'));
    expect(toHex(hs)).toBe(v.handshake_secret);
    expect(toHex(masterSecret(SHA256, hs))).toBe(v.master_secret);
  });

  it('refuses stages out of order (internal_error)', () => {
    const ks = new KeySchedule(SHA256);
    expect(ks.currentStage).toBe('early');
    expectAlert(() => ks.clientHandshakeTrafficSecret(new Uint8Array(32)), 'internal_error');
    expectAlert(() => ks.enterMaster(), 'internal_error');
    ks.enterHandshake();
    expectAlert(() => ks.binderKey(true), 'internal_error');
    expectAlert(() => ks.enterHandshake(), 'internal_error');
    ks.enterMaster();
    expectAlert(() => ks.serverHandshakeTrafficSecret(new Uint8Array(32)), 'internal_error');
  });
});

describe('RFC 8448 §4: resumption PSK binder over the truncated ClientHello', () => {
  const r = vectors.rfc8448_resumed_0rtt;
  const ch = hex(r.client_hello);
  const psk = h('resumption_psk');

  it('computes the published early secret and binder', () => {
    expect(toHex(earlySecret(SHA256, psk))).toBe(r.early_secret);
    const t = new Transcript(SHA256);
    const binder = pskBinder(SHA256, psk, true, t.hashWith(truncateForBinders(ch)));
    expect(toHex(binder)).toBe(r.binder);
    const ks = new KeySchedule(SHA256, psk);
    expect(toHex(finishedVerifyData(SHA256, ks.binderKey(true), SHA256.hash(truncateForBinders(ch))))).toBe(
      r.binder,
    );
    expect(binderKey(SHA256, ks.current, false)).not.toEqual(ks.binderKey(true));
    // client_early_traffic_secret is taken over the whole ClientHello
    expect(ks.clientEarlyTrafficSecret(SHA256.hash(ch)).length).toBe(32);
    expect(ks.earlyExporterMasterSecret(SHA256.hash(ch)).length).toBe(32);
  });
});

describe('building a resumption ClientHello: placeholder binders, then the real ones', () => {
  it('reproduces RFC 8448 §4 byte for byte', () => {
    const original = hex(vectors.rfc8448_resumed_0rtt.client_hello);
    const placeholder = withBinders(original, [new Uint8Array(32)]);
    expect(placeholder).not.toEqual(original);
    const psk = h('resumption_psk');
    const binder = pskBinder(
      SHA256,
      psk,
      true,
      new Transcript(SHA256).hashWith(truncateForBinders(placeholder)),
    );
    expect(withBinders(placeholder, [binder])).toEqual(original);
  });
});

describe('RFC 9001 Appendix A: QUIC labels', () => {
  const q = vectors.rfc9001_initial as Record<string, string>;
  const x = (k: string) => q[k]!;

  it('derives the Initial secrets and keys from DCID 0x8394c8f03e515708', () => {
    const initial = hkdfExtract(SHA256, hex(x('initial_salt')), hex(x('dcid')));
    expect(toHex(initial)).toBe(x('initial_secret'));
    const client = hkdfExpandLabel(SHA256, initial, 'client in', EMPTY, 32);
    const server = hkdfExpandLabel(SHA256, initial, 'server in', EMPTY, 32);
    expect(toHex(client)).toBe(x('client_initial_secret'));
    expect(toHex(server)).toBe(x('server_initial_secret'));
    expect(quicKeys(SHA256, client, 16)).toEqual({
      key: hex(x('client_key')),
      iv: hex(x('client_iv')),
      hp: hex(x('client_hp')),
    });
    expect(quicKeys(SHA256, server, 16)).toEqual({
      key: hex(x('server_key')),
      iv: hex(x('server_iv')),
      hp: hex(x('server_hp')),
    });
  });

  it('derives ChaCha20 keys and the "quic ku" next secret (A.5)', () => {
    const secret = hex(x('chacha_secret'));
    expect(quicKeys(SHA256, secret, 32)).toEqual({
      key: hex(x('chacha_key')),
      iv: hex(x('chacha_iv')),
      hp: hex(x('chacha_hp')),
    });
    expect(toHex(quicNextSecret(SHA256, secret))).toBe(x('chacha_ku'));
  });
});

/** HKDF-Expand-Label written out with node:crypto, as an independent check of the SHA-384 path. */
function nodeExpandLabel(
  hash: string,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
) {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([context.length]),
    context,
  ]);
  let t = Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let i = 1, n = 0; n < length; i++, n += t.length) {
    t = createHmac(hash, secret)
      .update(Buffer.concat([t, info, Buffer.from([i])]))
      .digest();
    out.push(t);
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}

describe('SHA-384 (TLS_AES_256_GCM_SHA384, what iroh negotiates)', () => {
  it('matches node:crypto for HKDF-Expand-Label at several lengths', () => {
    const secret = SHA384.hash(utf8('secret'));
    for (const [label, ctx, len] of [
      ['c hs traffic', SHA384.hash(utf8('transcript')), 48],
      ['quic key', EMPTY, 32],
      ['quic iv', EMPTY, 12],
      ['quic hp', EMPTY, 32],
      ['quic ku', EMPTY, 48],
      ['long output', EMPTY, 200],
    ] as const) {
      expect(hkdfExpandLabel(SHA384, secret, label, ctx, len)).toEqual(
        nodeExpandLabel('sha384', secret, label, ctx, len),
      );
    }
    expect(SHA384.outputLength).toBe(48);
    expect(emptyHash(SHA384)).toEqual(new Uint8Array(createHash('sha384').digest()));
    expect(hkdfExtract(SHA384, EMPTY, new Uint8Array(48))).toEqual(
      new Uint8Array(createHmac('sha384', Buffer.alloc(48)).update(Buffer.alloc(48)).digest()),
    );
    expect(hashForCipherSuite(CipherSuite.TLS_AES_256_GCM_SHA384)).toBe(SHA384);
    expect(hashForCipherSuite(CipherSuite.TLS_CHACHA20_POLY1305_SHA256)).toBe(SHA256);
    expect(hashForCipherSuite(CipherSuite.TLS_AES_128_CCM_8_SHA256)).toBeUndefined();
  });

  it('runs a whole schedule with 48-byte secrets', () => {
    const ks = new KeySchedule(SHA384);
    ks.enterHandshake(new Uint8Array(32).fill(1));
    const th = SHA384.hash(utf8('ch sh'));
    const chs = ks.clientHandshakeTrafficSecret(th);
    expect(chs.length).toBe(48);
    expect(chs).toEqual(nodeExpandLabel('sha384', ks.current, 'c hs traffic', th, 48));
    expect(quicKeys(SHA384, chs, 32).key.length).toBe(32);
    ks.enterMaster();
    expect(ks.resumptionMasterSecret(th).length).toBe(48);
    expect(nextTrafficSecret(SHA384, chs)).toEqual(nodeExpandLabel('sha384', chs, 'traffic upd', EMPTY, 48));
  });
});

describe('HKDF edge cases', () => {
  it('RFC 5869 test case 1 (SHA-256)', () => {
    const prk = hkdfExtract(SHA256, hex('000102030405060708090a0b0c'), hex('0b'.repeat(22)));
    expect(toHex(prk)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    expect(toHex(hkdfExpand(SHA256, prk, hex('f0f1f2f3f4f5f6f7f8f9'), 42))).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('refuses out-of-range lengths and labels', () => {
    expect(() => hkdfExpand(SHA256, new Uint8Array(32), EMPTY, 255 * 32 + 1)).toThrow(RangeError);
    expect(hkdfExpand(SHA256, new Uint8Array(32), EMPTY, 0).length).toBe(0);
    expect(() => hkdfExpandLabel(SHA256, new Uint8Array(32), 'x'.repeat(250), EMPTY, 32)).toThrow(RangeError);
    expect(() => hkdfExpandLabel(SHA256, new Uint8Array(32), 'x', new Uint8Array(256), 32)).toThrow(
      RangeError,
    );
  });
});

describe('Transcript', () => {
  it('buffers until the hash is known, then hashes incrementally', () => {
    const a = utf8('first message');
    const b = utf8('second');
    const t = new Transcript();
    t.add(a);
    expectAlert(() => t.hash(), 'internal_error');
    t.selectHash(SHA384);
    t.selectHash(SHA384);
    expectAlert(() => t.selectHash(SHA256), 'internal_error');
    expect(t.hash()).toEqual(SHA384.hash(a));
    expect(t.hashWith(b)).toEqual(SHA384.hash(new Uint8Array([...a, ...b])));
    expect(t.hash()).toEqual(SHA384.hash(a));
    const c = t.clone();
    c.add(b);
    expect(c.hash()).not.toEqual(t.hash());
    expect(t.hashAlg).toBe(SHA384);
  });

  it('rewrites ClientHello1 as message_hash after a HelloRetryRequest (RFC 8446 §4.4.1)', () => {
    for (const alg of [SHA256, SHA384] as HashAlg[]) {
      const ch1 = utf8('ClientHello1');
      const hrr = utf8('HelloRetryRequest');
      const ch2 = utf8('ClientHello2');
      const t = new Transcript();
      t.add(ch1);
      t.selectHash(alg);
      t.rewriteForHelloRetryRequest();
      t.add(hrr);
      t.add(ch2);
      const synthetic = messageHash(alg, ch1);
      expect(Array.from(synthetic.subarray(0, 4))).toEqual([254, 0, 0, alg.outputLength]);
      expect(t.hash()).toEqual(alg.hash(new Uint8Array([...synthetic, ...hrr, ...ch2])));
      expect(() => t.rewriteForHelloRetryRequest()).toThrow(TlsAlert);
    }
    expectAlert(() => new Transcript().rewriteForHelloRetryRequest(), 'internal_error');
  });
});

/** OpenSSL (through node:tls) as a second implementation of the exporter: a loopback TLS 1.3 PSK session. */
async function opensslExporter(
  label: string,
  context: Buffer,
): Promise<{ secret: Uint8Array; output: Uint8Array }> {
  const key = Buffer.alloc(32, 7);
  const common = { minVersion: 'TLSv1.3' as const, ciphers: 'PSK', ciphersuites: 'TLS_AES_128_GCM_SHA256' };
  const server = tls.createServer({ ...common, pskCallback: () => key }, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise((resolve, reject) => {
      let exporterSecret: string | undefined;
      const c = tls.connect({
        ...common,
        port,
        host: '127.0.0.1',
        pskCallback: () => ({ psk: key, identity: 'id' }),
      });
      c.on('keylog', (line) => {
        const m = /^EXPORTER_SECRET \S+ ([0-9a-f]+)/.exec(line.toString());
        if (m) exporterSecret = m[1];
      });
      c.on('secureConnect', () => {
        const output = new Uint8Array(c.exportKeyingMaterial(40, label, context));
        c.destroy();
        if (exporterSecret === undefined) reject(new Error('no EXPORTER_SECRET in the key log'));
        else resolve({ secret: hex(exporterSecret), output });
      });
      c.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('TLS exporter (RFC 8446 §7.5)', () => {
  it('matches OpenSSL on a real TLS 1.3 session', async () => {
    const { secret, output } = await opensslExporter('EXPORTER-iroh-ts', Buffer.from('context'));
    expect(tlsExporter(SHA256, secret, 'EXPORTER-iroh-ts', utf8('context'), 40)).toEqual(output);
  });

  it('is HKDF-Expand-Label(Derive-Secret(ems, label, ""), "exporter", Hash(context), L)', () => {
    const ems = h('exporter_master_secret');
    const inner = deriveSecret(SHA256, ems, 'EXPORTER-x', emptyHash(SHA256));
    expect(tlsExporter(SHA256, ems, 'EXPORTER-x', EMPTY, 32)).toEqual(
      hkdfExpandLabel(SHA256, inner, 'exporter', SHA256.hash(EMPTY), 32),
    );
    expect(tlsExporter(SHA256, ems, utf8('EXPORTER-x'), EMPTY, 32)).toEqual(
      tlsExporter(SHA256, ems, 'EXPORTER-x', EMPTY, 32),
    );
  });
});
