import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  base32HexDecode,
  base32HexEncode,
  DecodeError,
  hexDecode,
  hexEncode,
  z32Decode,
  z32Encode,
} from '../src/index.js';
import { FUZZ_RUNS, onlyTypedErrors } from './helpers.js';

const codecs = [
  { name: 'base32', enc: base32Encode, dec: base32Decode },
  { name: 'base32hex', enc: base32HexEncode, dec: base32HexDecode },
  { name: 'z-base-32', enc: z32Encode, dec: z32Decode },
  { name: 'hex', enc: hexEncode, dec: hexDecode },
];

describe('text encodings', () => {
  it('known values (RFC 4648 test vectors, lowercase, unpadded)', () => {
    const f = (s: string) => new TextEncoder().encode(s);
    expect(base32Encode(f('foobar'))).toBe('mzxw6ytboi');
    expect(base32Encode(f('fooba'))).toBe('mzxw6ytb');
    expect(base32Encode(f('f'))).toBe('my');
    expect(base32HexEncode(f('foobar'))).toBe('cpnmuoj1e8');
    expect(base32HexEncode(f('f'))).toBe('co');
    expect(hexEncode(Uint8Array.of(0, 0xab, 0xff))).toBe('00abff');
    expect(z32Encode(Uint8Array.of(0xf0, 0xbf, 0xc7))).toBe('6n9hq');
  });

  for (const c of codecs) {
    it(`${c.name} round-trips random bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
          expect(hexEncode(c.dec(c.enc(b)))).toBe(hexEncode(b));
        }),
        { numRuns: 2000 },
      );
    });

    it(`${c.name} rejects random and mutated text with a DecodeError only (${FUZZ_RUNS} cases)`, () => {
      const mutated = fc
        .tuple(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.string({ minLength: 1, maxLength: 2 }))
        .map(([b, i, junk]) => {
          const s = c.enc(b);
          const at = s.length === 0 ? 0 : i % s.length;
          return s.slice(0, at) + junk + s.slice(at + 1);
        });
      fc.assert(
        fc.property(
          fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), mutated),
          (s) => onlyTypedErrors(() => c.dec(s)),
        ),
        { numRuns: FUZZ_RUNS },
      );
    });
  }

  it('is strict where iroh is strict', () => {
    expect(() => base32Decode('my======')).toThrow(expect.objectContaining({ code: 'InvalidPadding' }));
    expect(() => base32Decode('mz')).toThrow(expect.objectContaining({ code: 'NonCanonical' })); // trailing bits
    expect(() => base32Decode('m')).toThrow(expect.objectContaining({ code: 'InvalidLength' }));
    expect(() => base32Decode('m1')).toThrow(expect.objectContaining({ code: 'InvalidCharacter' }));
    expect(base32Decode('MZXW6YTBOI')).toEqual(new TextEncoder().encode('foobar')); // case-insensitive
    expect(() => base32HexDecode('CO')).toThrow(DecodeError); // lowercase only
    expect(() => z32Decode('6N9HQ')).toThrow(DecodeError);
    expect(() => hexDecode('0')).toThrow(expect.objectContaining({ code: 'InvalidLength' }));
    expect(() => hexDecode('AB')).toThrow(expect.objectContaining({ code: 'InvalidCharacter' }));
  });
});

describe('equalBytes', () => {
  it('compares content and length', async () => {
    const { equalBytes } = await import('../src/index.js');
    expect(equalBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
