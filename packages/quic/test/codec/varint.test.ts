import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, Reader, VARINT_MAX, varintLength, Writer } from '../../src/proto/coding.js';
import { varintSize } from '../../src/proto/frame.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function codecError(fn: () => unknown): CodecError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CodecError);
  return err as CodecError;
}

describe('QUIC varints (RFC 9000 §16, Appendix A.1)', () => {
  it('decodes the RFC examples', () => {
    expect(new Reader(hex('c2197c5eff14e88c')).varintBig()).toBe(151288809941952652n);
    expect(new Reader(hex('9d7f3e7d')).varint()).toBe(494878333);
    expect(new Reader(hex('7bbd')).varint()).toBe(15293);
    expect(new Reader(hex('25')).varint()).toBe(37);
    expect(new Reader(hex('4025')).varint()).toBe(37); // non-minimal is valid
  });

  it('encodes the RFC examples', () => {
    expect(toHex(new Writer().varint(151288809941952652n).finish())).toBe('c2197c5eff14e88c');
    expect(toHex(new Writer().varint(494878333).finish())).toBe('9d7f3e7d');
    expect(toHex(new Writer().varint(15293).finish())).toBe('7bbd');
    expect(toHex(new Writer().varint(37).finish())).toBe('25');
    expect(toHex(new Writer().varint(37, 2).finish())).toBe('4025');
  });

  it('uses the boundaries of each length', () => {
    for (const [v, len] of [
      [0, 1],
      [63, 1],
      [64, 2],
      [16383, 2],
      [16384, 4],
      [2 ** 30 - 1, 4],
      [2 ** 30, 8],
      [Number.MAX_SAFE_INTEGER, 8],
    ] as const) {
      expect(varintLength(v)).toBe(len);
      expect(varintSize(v)).toBe(len);
      expect(new Writer().varint(v).len).toBe(len);
    }
    expect(varintLength(VARINT_MAX)).toBe(8);
    expect(() => varintLength(VARINT_MAX + 1n)).toThrow(RangeError);
    expect(() => varintLength(-1)).toThrow(RangeError);
    expect(() => varintSize(-1)).toThrow(RangeError);
    expect(() => varintSize(2 ** 53)).toThrow(RangeError);
    expect(() => new Writer().varint(64, 1)).toThrow(RangeError);
  });

  it('rejects numbers above 2^53 - 1 in varint() but reads them with varintBig()', () => {
    const b = hex('c020000000000000');
    expect(codecError(() => new Reader(b).varint()).code).toBe('ValueOutOfRange');
    expect(new Reader(b).varintBig()).toBe(2n ** 53n);
    expect(new Reader(hex('c01fffffffffffff')).varint()).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('reports truncation as UnexpectedEnd', () => {
    for (const s of ['', '40', '80aabb', 'c0aabbccddeeff']) {
      expect(codecError(() => new Reader(hex(s)).varint()).code).toBe('UnexpectedEnd');
      expect(codecError(() => new Reader(hex(s)).varintBig()).code).toBe('UnexpectedEnd');
    }
  });

  it('round-trips every value in every width that fits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: VARINT_MAX }), (v) => {
        const min = varintLength(v);
        for (const width of [1, 2, 4, 8] as const) {
          if (width < min) continue;
          const b = new Writer().varint(v, width).finish();
          expect(b.length).toBe(width);
          const r = new Reader(b);
          expect(r.varintBig()).toBe(v);
          expect(r.eof).toBe(true);
          if (v <= BigInt(Number.MAX_SAFE_INTEGER)) expect(new Reader(b).varint()).toBe(Number(v));
        }
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.maxSafeNat(), (v) => {
        const b = new Writer(1).varint(v).finish();
        expect(b.length).toBe(varintSize(v));
        expect(new Reader(b).varint()).toBe(v);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('fixed-width integers and vectors', () => {
  it('round-trips u8..u64 big-endian', () => {
    const w = new Writer(1).u8(0xab).u16(0xcdef).u24(0x123456).u32(0xfedcba98).u64(0x0123456789abcdefn);
    expect(toHex(w.finish())).toBe('abcdef123456fedcba980123456789abcdef');
    const r = new Reader(w.finish());
    expect([r.u8(), r.u16(), r.u24(), r.u32(), r.u64()]).toEqual([
      0xab,
      0xcdef,
      0x123456,
      0xfedcba98,
      0x0123456789abcdefn,
    ]);
    r.finish();
  });

  it('writes and reads length-prefixed vectors and sub-readers', () => {
    const w = new Writer().vec(2, (x) => x.vec(1, (y) => y.bytes(hex('aabb'))).u8(7));
    expect(toHex(w.finish())).toBe('000402aabb07');
    const r = new Reader(w.finish());
    const sub = r.sub(2);
    expect(toHex(sub.vec(1))).toBe('aabb');
    expect(sub.u8()).toBe(7);
    sub.finish();
    expect(r.eof).toBe(true);
    expect(codecError(() => new Reader(hex('0003aabb')).sub(2)).code).toBe('UnexpectedEnd');
    expect(codecError(() => new Reader(hex('00')).finish()).code).toBe('TrailingBytes');
    expect(() => new Writer().vec(1, (x) => x.bytes(new Uint8Array(256)))).toThrow(RangeError);
  });

  it('returns views from bytes() and take()', () => {
    const data = hex('0102030405');
    const r = new Reader(data);
    const b = r.bytes(2);
    expect(b.buffer).toBe(data.buffer);
    const t = r.take(2);
    expect(t.u16()).toBe(0x0304);
    expect(r.remaining).toBe(1);
    expect(codecError(() => r.bytes(-1)).code).toBe('InvalidValue');
  });
});
