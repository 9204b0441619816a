import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexEncode, PostcardError, PostcardReader, PostcardWriter } from '../src/index.js';
import { FUZZ_RUNS, hex, onlyTypedErrors } from './helpers.js';

describe('postcard writer', () => {
  it('writes LEB128 varints as iroh-tickets does for ports', () => {
    const enc = (n: number) => hexEncode(new PostcardWriter().varint(n).finish());
    expect(enc(0)).toBe('00');
    expect(enc(127)).toBe('7f');
    expect(enc(1024)).toBe('8008');
    expect(enc(11204)).toBe('c457');
    expect(enc(443)).toBe('bb03');
    expect(enc(50000)).toBe('d08603');
    expect(hexEncode(new PostcardWriter().varintBig((1n << 64n) - 1n).finish())).toBe('ffffffffffffffffff01');
  });

  it('zigzags signed values', () => {
    const enc = (n: number) => hexEncode(new PostcardWriter().zigzag(n).finish());
    expect([0, -1, 1, -2, 2, -64].map(enc)).toEqual(['00', '01', '02', '03', '04', '7f']);
  });

  it('writes strings, options, sequences and raw arrays', () => {
    const w = new PostcardWriter(1);
    w.str('hé')
      .option(undefined, () => {})
      .option(5, (x, v) => x.u8(v))
      .seq([1, 2], (x, v) => x.varint(v));
    w.raw(Uint8Array.of(9, 9)).bool(true);
    expect(hexEncode(w.finish())).toBe('0368c3a9000105020102090901');
  });
});

describe('postcard reader', () => {
  it('round-trips random values of every kind', () => {
    fc.assert(
      fc.property(
        fc.record({
          u: fc.maxSafeNat(),
          big: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          z: fc.maxSafeInteger(),
          s: fc.string({ unit: 'grapheme', maxLength: 30 }),
          b: fc.uint8Array({ maxLength: 40 }),
          o: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
          q: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 10 }),
          t: fc.boolean(),
        }),
        (v) => {
          const w = new PostcardWriter(2);
          w.varint(v.u).varintBig(v.big).zigzag(v.z).str(v.s).bytes(v.b);
          w.option(v.o, (x, n) => x.varint(n))
            .seq(v.q, (x, n) => x.varint(n))
            .bool(v.t);
          const r = new PostcardReader(w.finish());
          expect(r.varint()).toBe(v.u);
          expect(r.varintBig()).toBe(v.big);
          expect(r.zigzag()).toBe(v.z);
          expect(r.str()).toBe(v.s);
          expect(hexEncode(r.bytes())).toBe(hexEncode(v.b));
          expect(r.option((x) => x.u16())).toBe(v.o);
          expect(r.seq((x) => x.u32())).toEqual(v.q);
          expect(r.bool()).toBe(v.t);
          r.finish();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reports each kind of malformed input with its code and offset', () => {
    const r16 = (bytes: string) => new PostcardReader(hex(bytes)).u16();
    const err = (bytes: string, f: (r: PostcardReader) => unknown) => {
      try {
        f(new PostcardReader(hex(bytes)));
      } catch (e) {
        expect(e).toBeInstanceOf(PostcardError);
        return (e as PostcardError).code;
      }
      throw new Error('expected an error');
    };
    expect(err('', (r) => r.u8())).toBe('UnexpectedEnd');
    expect(err('80', (r) => r.varint())).toBe('UnexpectedEnd');
    expect(r16('ffff03')).toBe(65535);
    expect(err('ffff04', (r) => r.u16())).toBe('VarintOverflow'); // 2^16 does not fit a u16
    expect(err('ffffffffffffffffff02', (r) => r.varintBig())).toBe('VarintOverflow');
    expect(err('ffffffffffffffffff01', (r) => r.varint())).toBe('ValueOutOfRange');
    expect(err('02', (r) => r.bool())).toBe('InvalidBool');
    expect(err('02', (r) => r.option((x) => x.u8()))).toBe('InvalidOption');
    expect(err('02c328', (r) => r.str())).toBe('InvalidUtf8');
    expect(err('05', (r) => r.tag(3))).toBe('UnknownVariant');
    expect(err('0500', (r) => r.bytes(4))).toBe('LengthLimit');
    expect(err('ffffffff0f', (r) => r.seq((x) => x.u8()))).toBe('UnexpectedEnd');
    expect(
      err('0000', (r) => {
        r.u8();
        r.finish();
      }),
    ).toBe('TrailingBytes');
    const trailing = (() => {
      try {
        new PostcardReader(hex('0102')).finish();
      } catch (e) {
        return e as PostcardError;
      }
      throw new Error('expected TrailingBytes');
    })();
    expect(trailing.offset).toBe(0);
    expect(trailing.message).toMatch(/2 trailing bytes/);
  });

  it(`never throws anything but PostcardError on random input (${FUZZ_RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) =>
        onlyTypedErrors(() => {
          const r = new PostcardReader(bytes);
          r.varint(16);
          r.option((x) => x.str(100));
          r.seq((x) => [x.zigzag(32), x.bool(), x.varintBig(), x.bytes(8)], 10);
          r.tag(4);
          r.finish();
        }),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
