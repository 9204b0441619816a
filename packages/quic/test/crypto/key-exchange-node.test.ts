import { secureRandom } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import { tlsBackend } from '../../src/crypto/backend/tls-node.js';

const X25519 = 0x001d;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('X25519 ephemeral keys on node:crypto', () => {
  it('never hands out the same key twice, also when keys are made ahead of need', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 20; round++) {
      // Several in one turn (the spare is used once at most), then let the refill run.
      for (let i = 0; i < 3; i++) {
        const pair = tlsBackend.keyPair(X25519, secureRandom)!;
        expect(pair.publicKey).toHaveLength(32);
        expect(seen.has(hex(pair.publicKey))).toBe(false);
        seen.add(hex(pair.publicKey));
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(seen.size).toBe(60);
  });

  it('both sides agree on the shared secret', () => {
    const a = tlsBackend.keyPair(X25519, secureRandom)!;
    const b = tlsBackend.keyPair(X25519, secureRandom)!;
    const ab = a.agree(b.publicKey)!;
    expect(ab).toHaveLength(32);
    expect(hex(ab)).toBe(hex(b.agree(a.publicKey)!));
    expect(a.agree(new Uint8Array(32))).toBeUndefined(); // a small-order peer value is refused
  });
});
