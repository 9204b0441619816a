import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backend as nobleBackend, nobleVerify } from '../src/ed25519/noble-backend.js';
import { backend as nodeBackend } from '../src/ed25519/node-backend.js';
import { isEd25519Point } from '../src/ed25519/point-check.js';
import { GROUP_ORDER, isSmallOrderEncoding, SMALL_ORDER_ENCODINGS } from '../src/ed25519/strict.js';
import { hexEncode, KeyParsingError, PublicKey, SecretKey, Signature, SignatureError } from '../src/index.js';
import { hex, utf8 } from './helpers.js';

const msg = utf8('iroh-ts');

function withS(sig: Uint8Array, s: bigint): Signature {
  const out = sig.slice();
  let v = s;
  for (let i = 32; i < 64; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return Signature.fromBytes(out);
}

function scalarOf(sig: Uint8Array): bigint {
  let n = 0n;
  for (let i = 63; i >= 32; i--) n = (n << 8n) | BigInt(sig[i]!);
  return n;
}

describe('SecretKey / PublicKey', () => {
  it('generates distinct keys whose signatures verify', () => {
    const a = SecretKey.generate();
    const b = SecretKey.generate();
    expect(a.public().equals(b.public())).toBe(false);
    const sig = a.sign(msg);
    expect(a.public().isValidSignature(msg, sig)).toBe(true);
    expect(b.public().isValidSignature(msg, sig)).toBe(false);
    expect(() => b.public().verify(msg, sig)).toThrow(SignatureError);
  });

  it('uses an injected random source', () => {
    const sk = SecretKey.generate((n) => new Uint8Array(n).fill(0x2a));
    expect(sk.public().toString()).toBe('197f6b23e16c8532c6abc838facd5ea789be0c76b2920334039bfa8b3d368d61');
  });

  it('never prints the secret', () => {
    const sk = SecretKey.generate();
    expect(String(sk)).toBe('SecretKey(..)');
    expect(JSON.stringify({ sk })).not.toContain(hexEncode(sk.toBytes()).slice(0, 8));
  });

  it('rejects bad lengths and non-points with typed errors', () => {
    expect(() => SecretKey.fromBytes(new Uint8Array(31))).toThrow(KeyParsingError);
    expect(() => PublicKey.fromBytes(new Uint8Array(33))).toThrow(/32 bytes/);
    expect(() => Signature.fromBytes(new Uint8Array(63))).toThrow(SignatureError);
    // y = 2 is not on the curve.
    const notAPoint = new Uint8Array(32);
    notAPoint[0] = 2;
    expect(() => PublicKey.fromBytes(notAPoint)).toThrow(expect.objectContaining({ code: 'InvalidKeyData' }));
    expect(() => PublicKey.fromString('zz'.repeat(32))).toThrow(
      expect.objectContaining({ code: 'FailedToDecodeHex' }),
    );
    expect(() => PublicKey.fromString('A'.repeat(64))).toThrow(
      expect.objectContaining({ code: 'FailedToDecodeHex' }),
    );
    expect(() => PublicKey.fromString('aaaa')).toThrow(expect.objectContaining({ code: 'InvalidLength' }));
  });
});

describe('point check (lenient decoding, as curve25519-dalek)', () => {
  const noble = (b: Uint8Array) => {
    try {
      ed25519.Point.fromBytes(b, true);
      return true;
    } catch {
      return false;
    }
  };

  it('agrees with @noble/curves decompression on random and structured encodings', () => {
    const nonCanonical = fc.integer({ min: 0, max: 18 }).map((k) => {
      // y = p + k (k < 19 keeps it below 2^255), both sign bits.
      const b = new Uint8Array(32).fill(0xff);
      b[0] = 0xed + k;
      b[31] = 0x7f;
      return b;
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), nonCanonical),
        fc.boolean(),
        (b, sign) => {
          const x = b.slice();
          x[31] = sign ? x[31]! | 0x80 : x[31]! & 0x7f;
          expect(isEd25519Point(x), hexEncode(x)).toBe(noble(x));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('accepts every small-order encoding and real keys, rejects y = 2', () => {
    for (const enc of SMALL_ORDER_ENCODINGS) expect(isEd25519Point(enc), hexEncode(enc)).toBe(true);
    expect(isEd25519Point(SecretKey.generate().public().toBytes())).toBe(true);
    const two = new Uint8Array(32);
    two[0] = 2;
    expect(isEd25519Point(two)).toBe(false);
  });
});

describe('strict verification (ed25519-dalek verify_strict semantics)', () => {
  const sk = SecretKey.fromBytes(new Uint8Array(32).fill(7));
  const pk = sk.public();
  const sig = sk.sign(msg).toBytes();

  it('rejects a non-canonical s (s + L) that plain RFC 8032 would reduce', () => {
    const s = scalarOf(sig);
    expect(s + GROUP_ORDER < 1n << 256n).toBe(true);
    expect(pk.isValidSignature(msg, withS(sig, s + GROUP_ORDER))).toBe(false);
  });

  it('rejects any single-bit tampering', () => {
    for (let bit = 0; bit < 512; bit += 7) {
      const t = sig.slice();
      t[bit >> 3]! ^= 1 << (bit & 7);
      expect(pk.isValidSignature(msg, Signature.fromBytes(t)), `bit ${bit}`).toBe(false);
    }
  });

  it('lists exactly the encodings that decode to small-order points', () => {
    expect(SMALL_ORDER_ENCODINGS).toHaveLength(14);
    for (const enc of SMALL_ORDER_ENCODINGS) {
      let point: ReturnType<typeof ed25519.Point.fromBytes> | undefined;
      try {
        point = ed25519.Point.fromBytes(enc, true);
      } catch {
        point = undefined;
      }
      // Every listed encoding decodes, including x = 0 with the sign bit set (dalek negates zero freely).
      expect(point, hexEncode(enc)).toBeDefined();
      expect(point!.isSmallOrder(), hexEncode(enc)).toBe(true);
    }
    // The 8 torsion points: multiples of an order-8 point.
    const t8 = ed25519.Point.fromBytes(
      hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'),
    );
    let p = ed25519.Point.ZERO;
    for (let i = 0; i < 8; i++) {
      expect(isSmallOrderEncoding(p.toBytes()), `torsion ${i}`).toBe(true);
      p = p.add(t8);
    }
    expect(isSmallOrderEncoding(pk.toBytes())).toBe(false);
  });

  it('rejects small-order public keys and R even when the equation holds', () => {
    // With A = identity and R = identity, s = 0 satisfies [s]B = R + [k]A for every message.
    const identity = hex('0100000000000000000000000000000000000000000000000000000000000000');
    const weakKey = PublicKey.fromBytes(identity);
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    expect(nobleVerify(identity, msg, forged)).toBe(true); // the bare equation accepts it
    expect(weakKey.isValidSignature(msg, Signature.fromBytes(forged))).toBe(false);
  });

  it('node:crypto and noble backends agree: same keys, same signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        (seed, m) => {
          const a = nodeBackend.signer(seed);
          const b = nobleBackend.signer(seed);
          expect(hexEncode(a.publicKey)).toBe(hexEncode(b.publicKey));
          const s = a.sign(m);
          expect(hexEncode(s)).toBe(hexEncode(b.sign(m)));
          expect(nodeBackend.verifier(a.publicKey)(m, s)).toBe(true);
          expect(nobleBackend.verifier(a.publicKey)(m, s)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('node:crypto and noble verifiers agree on mutated signatures and messages', () => {
    const seed = new Uint8Array(32).fill(9);
    const signer = nodeBackend.signer(seed);
    const base = signer.sign(msg);
    const nodeV = nodeBackend.verifier(signer.publicKey);
    const nobleV = nobleBackend.verifier(signer.publicKey);
    fc.assert(
      fc.property(fc.nat(63), fc.integer({ min: 1, max: 255 }), fc.boolean(), (i, x, mutateMsg) => {
        const s = base.slice();
        const m = msg.slice();
        if (mutateMsg) m[i % m.length]! ^= x;
        else s[i]! ^= x;
        if (scalarOf(s) >= GROUP_ORDER) return; // the caller rejects these before any backend runs
        expect(nodeV(m, s)).toBe(nobleV(m, s));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with noble’s RFC 8032 verify on honest signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 64 }),
        (seed, m) => {
          const k = SecretKey.fromBytes(seed);
          const s = k.sign(m);
          expect(ed25519.verify(s.toBytes(), m, k.public().toBytes(), { zip215: false })).toBe(true);
          expect(k.public().isValidSignature(m, s)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('secureRandom', () => {
  it('returns the requested length, never repeats output, and handles large requests', async () => {
    const { secureRandom } = await import('../src/index.js');
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const b = secureRandom(16);
      expect(b).toHaveLength(16);
      const k = hexEncode(b);
      expect(seen.has(k)).toBe(false);
      seen.add(k);
    }
    expect(secureRandom(0)).toHaveLength(0);
    expect(secureRandom(10_000)).toHaveLength(10_000);
    // Above getRandomValues' 65,536-byte limit, every part is filled.
    const big = secureRandom(200_000);
    expect(big).toHaveLength(200_000);
    for (const at of [0, 65_536, 131_072, 199_000])
      expect(big.subarray(at, at + 1000).some((x) => x !== 0)).toBe(true);
    // Sizes around the pooled limit and across pool refills.
    for (let i = 0; i < 100; i++) {
      for (const n of [1, 255, 256, 257]) {
        const b = secureRandom(n);
        expect(b).toHaveLength(n);
        if (n >= 255) expect(b.some((x) => x !== 0)).toBe(true);
      }
    }
    // Output is a copy: changing it does not affect later values.
    const a = secureRandom(8);
    a.fill(0);
    expect(hexEncode(secureRandom(8))).not.toBe('0000000000000000');
  });
});
