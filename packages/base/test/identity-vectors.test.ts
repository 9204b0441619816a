import { describe, expect, it } from 'vitest';
import { KeyParsingError, PublicKey, SecretKey, Signature } from '../src/index.js';
import fixtures from './fixtures/identity-vectors.json' with { type: 'json' };
import { hex, readJson, sharedSpecDir, utf8 } from './helpers.js';

interface KeyVector {
  secret_key_hex: string;
  endpoint_id_hex: string;
  endpoint_id_display: string;
  endpoint_id_fmt_short: string;
  endpoint_id_z32?: string;
  endpoint_id_base32_rfc4648_lower_nopad?: string;
  tls_sni_name_iroh_1_0_x?: string;
  rpk_spki_der_hex: string;
  signature_over_ascii_hello_world_hex: string;
}

function checkKeyVector(name: string, v: KeyVector, spkiPrefix: string): void {
  const sk = SecretKey.fromBytes(hex(v.secret_key_hex));
  const pk = sk.public();
  expect(pk.toString(), name).toBe(v.endpoint_id_hex);
  expect(pk.toString()).toBe(v.endpoint_id_display);
  expect(pk.fmtShort()).toBe(v.endpoint_id_fmt_short);
  expect(spkiPrefix + pk.toString()).toBe(v.rpk_spki_der_hex);
  if (v.endpoint_id_z32) {
    expect(pk.toZ32()).toBe(v.endpoint_id_z32);
    expect(PublicKey.fromZ32(v.endpoint_id_z32).equals(pk)).toBe(true);
  }
  if (v.endpoint_id_base32_rfc4648_lower_nopad) {
    expect(pk.toBase32()).toBe(v.endpoint_id_base32_rfc4648_lower_nopad);
    // iroh accepts base32 in any case, and hex.
    expect(PublicKey.fromString(v.endpoint_id_base32_rfc4648_lower_nopad).equals(pk)).toBe(true);
    expect(PublicKey.fromString(v.endpoint_id_base32_rfc4648_lower_nopad.toUpperCase()).equals(pk)).toBe(
      true,
    );
  }
  if (v.tls_sni_name_iroh_1_0_x) expect(pk.tlsServerName()).toBe(v.tls_sni_name_iroh_1_0_x);
  expect(PublicKey.fromString(v.endpoint_id_hex).equals(pk)).toBe(true);
  expect(SecretKey.fromString(v.secret_key_hex).public().equals(pk)).toBe(true);
  const sig = sk.sign(utf8('hello world'));
  expect(sig.toString()).toBe(v.signature_over_ascii_hello_world_hex);
  expect(() =>
    pk.verify(utf8('hello world'), Signature.fromBytes(hex(v.signature_over_ascii_hello_world_hex))),
  ).not.toThrow();
  expect(pk.isValidSignature(utf8('hello world!'), sig)).toBe(false);
}

describe('identity vectors (transcribed from real iroh)', () => {
  for (const [name, v] of Object.entries(fixtures.identity.keys)) {
    it(`key ${name}`, () => checkKeyVector(name, v as KeyVector, fixtures.identity.spki_der_prefix_hex));
  }

  it('rejects z-base-32 in fromString, as iroh does', () => {
    const z32 = fixtures.identity.keys.zeros.endpoint_id_z32;
    expect(() => PublicKey.fromString(z32)).toThrow(KeyParsingError);
  });
});

describe('identity vectors read from ../shared/spec', () => {
  const dir = sharedSpecDir();
  if (!dir) {
    console.warn(
      'SKIP shared-spec identity vectors: ../shared/spec/iroh-core-vectors.json not found beside the repository',
    );
  }
  it.skipIf(!dir)('match the shared spec file', () => {
    const data = readJson<{ identity: { spki_der_prefix_hex: string; keys: Record<string, KeyVector> } }>(
      `${dir}/iroh-core-vectors.json`,
    );
    const entries = Object.entries(data.identity.keys);
    expect(entries.length).toBeGreaterThan(0);
    for (const [name, v] of entries) checkKeyVector(name, v, data.identity.spki_der_prefix_hex);
  });
});
