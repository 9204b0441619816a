import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, DecodeError } from '../src/index.js';

describe('base64url (unpadded, strict)', () => {
  it('matches Node for every length and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = base64UrlEncode(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(Buffer.from(base64UrlDecode(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses padding, foreign characters, impossible lengths and non-zero trailing bits', () => {
    const bad: [string, string][] = [
      ['AAA=', 'InvalidCharacter'],
      ['AA+A', 'InvalidCharacter'],
      ['AA/A', 'InvalidCharacter'],
      ['Aé', 'InvalidCharacter'],
      ['A', 'InvalidLength'],
      ['AAAAA', 'InvalidLength'],
      ['AB', 'NonCanonical'],
      ['AAB', 'NonCanonical'],
    ];
    for (const [text, code] of bad) {
      let err: unknown;
      try {
        base64UrlDecode(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).code, text).toBe(code);
    }
  });

  it('never throws anything but DecodeError on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (text) => {
        try {
          base64UrlDecode(text);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
