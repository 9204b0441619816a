import { SecretKey } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import { TlsAlert } from '../../src/crypto/tls/alerts.js';
import { ed25519Spki } from '../../src/crypto/tls/messages-auth.js';
import { rawPublicKeyFromCertificate } from '../../src/crypto/tls/raw-public-key.js';

const cert = (raw: Uint8Array) => ({
  kind: 'certificate' as const,
  context: new Uint8Array(0),
  entries: [{ data: ed25519Spki(raw), extensions: [] }],
});

describe('rawPublicKeyFromCertificate', () => {
  it('a returning peer gets the same parsed key (its verifier is imported once)', () => {
    const key = SecretKey.generate().public();
    const first = rawPublicKeyFromCertificate(cert(key.toBytes()), undefined, 'client');
    const again = rawPublicKeyFromCertificate(cert(key.toBytes()), undefined, 'client');
    expect(first.equals(key)).toBe(true);
    expect(again).toBe(first);
  });

  it('still rejects a key that is not a valid point, every time', () => {
    // y = 2 is not the y-coordinate of any point on edwards25519.
    const bad = new Uint8Array(32);
    bad[0] = 2;
    for (let i = 0; i < 2; i++) {
      expect(() => rawPublicKeyFromCertificate(cert(bad), undefined, 'client')).toThrow(TlsAlert);
    }
  });
});
