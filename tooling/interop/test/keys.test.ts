/**
 * Acceptance (foundation issue): for random secret keys, our public(), toString() and fmtShort() equal
 * real iroh's; signatures made by either side verify on the other; tampered signatures fail on both.
 */

import { PublicKey, SecretKey, Signature } from '@iroh-ts/base';
import * as iroh from '@number0/iroh';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arr, seed32, u8 } from '../src/arbitraries.js';

const message = fc.uint8Array({ maxLength: 300 });

function irohVerifies(id: iroh.EndpointId, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    id.verify(arr(msg), iroh.Signature.fromBytes(arr(sig)));
    return true;
  } catch {
    return false;
  }
}

describe('keys agree with real iroh (@number0/iroh)', () => {
  it('100 random secret keys: public(), toString(), fmtShort(), toBytes()', () => {
    fc.assert(
      fc.property(seed32, (seed) => {
        const ours = SecretKey.fromBytes(seed);
        const theirs = iroh.SecretKey.fromBytes(arr(seed));
        expect(ours.public().toBytes()).toEqual(u8(theirs.public().toBytes()));
        expect(ours.public().toString()).toBe(theirs.public().toString());
        expect(ours.public().fmtShort()).toBe(theirs.public().fmtShort());
        expect(u8(theirs.toBytes())).toEqual(ours.toBytes());
        // Each side parses the other's string forms.
        expect(PublicKey.fromString(theirs.public().toString()).equals(ours.public())).toBe(true);
        expect(iroh.EndpointId.fromString(ours.public().toBase32()).equals(theirs.public())).toBe(true);
        expect(iroh.EndpointId.fromString(ours.public().toString()).equals(theirs.public())).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('signatures cross-verify, and tampered ones fail on both sides', () => {
    fc.assert(
      fc.property(seed32, message, fc.nat(), fc.integer({ min: 1, max: 255 }), (seed, msg, pos, flip) => {
        const ours = SecretKey.fromBytes(seed);
        const theirs = iroh.SecretKey.fromBytes(arr(seed));
        const ourSig = ours.sign(msg);
        const theirSig = u8(theirs.sign(arr(msg)).toBytes());
        expect(ourSig.toBytes()).toEqual(theirSig); // Ed25519 is deterministic
        expect(theirs.sign(arr(msg)).toString()).toBe(ourSig.toString());
        expect(irohVerifies(theirs.public(), msg, ourSig.toBytes())).toBe(true);
        expect(ours.public().isValidSignature(msg, Signature.fromBytes(theirSig))).toBe(true);

        const tampered = theirSig.slice();
        tampered[pos % 64]! ^= flip;
        expect(irohVerifies(theirs.public(), msg, tampered)).toBe(false);
        expect(ours.public().isValidSignature(msg, Signature.fromBytes(tampered))).toBe(false);
        if (msg.length > 0) {
          const other = msg.slice();
          other[pos % msg.length]! ^= flip;
          expect(irohVerifies(theirs.public(), other, theirSig)).toBe(false);
          expect(ours.public().isValidSignature(other, Signature.fromBytes(theirSig))).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('agree on strictness: non-canonical s and small-order keys are rejected by both', () => {
    const seed = new Uint8Array(32).fill(3);
    const msg = new TextEncoder().encode('strict');
    const sig = SecretKey.fromBytes(seed).sign(msg).toBytes();
    // s + L: the same scalar modulo L, but not canonical.
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
    let v = s + L;
    const bad = sig.slice();
    for (let i = 32; i < 64; i++) {
      bad[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    const pk = SecretKey.fromBytes(seed).public();
    expect(irohVerifies(iroh.EndpointId.fromBytes(arr(pk.toBytes())), msg, bad)).toBe(false);
    expect(pk.isValidSignature(msg, Signature.fromBytes(bad))).toBe(false);

    // The identity point as a key, with the trivial forgery (R = identity, s = 0).
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const forged = new Uint8Array(64);
    forged[0] = 1;
    expect(irohVerifies(iroh.EndpointId.fromBytes(arr(identity)), msg, forged)).toBe(false);
    expect(PublicKey.fromBytes(identity).isValidSignature(msg, Signature.fromBytes(forged))).toBe(false);
  });

  it('agree on which 32-byte strings are valid keys', () => {
    fc.assert(
      fc.property(seed32, (bytes) => {
        let irohOk = true;
        try {
          iroh.EndpointId.fromBytes(arr(bytes));
        } catch {
          irohOk = false;
        }
        let ourOk = true;
        try {
          PublicKey.fromBytes(bytes);
        } catch {
          ourOk = false;
        }
        expect(ourOk).toBe(irohOk);
      }),
      { numRuns: 500 },
    );
  });
});
