import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, Writer } from '../../src/proto/coding.js';
import {
  decodePacketNumber,
  packetNumberLength,
  parseHeader,
  writeLongHeader,
} from '../../src/proto/packet.js';

const FUZZ_RUNS = Number(process.env.FC_NUM_RUNS ?? (process.env.CI ? 100_000 : 10_000));
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('packet numbers (RFC 9000 Appendix A)', () => {
  it('decodes the RFC example', () => {
    expect(decodePacketNumber(0xa82f30ea, 0x9b32, 16)).toBe(0xa82f9b32);
  });

  it('chooses lengths as in the RFC example', () => {
    expect(packetNumberLength(0xac5c02, 0xabe8b3)).toBe(2);
    expect(packetNumberLength(0xace8fe, 0xabe8b3)).toBe(3);
    expect(packetNumberLength(0, undefined)).toBe(1);
  });

  it('encode then decode recovers the packet number for any in-window history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 50 }),
        fc.integer({ min: 0, max: 2 ** 20 }),
        (largestAcked, ahead) => {
          const pn = largestAcked + 1 + ahead;
          const len = packetNumberLength(pn, largestAcked);
          const truncated = pn % 2 ** (8 * len);
          // The receiver has seen anything from largestAcked up to pn - 1.
          expect(decodePacketNumber(largestAcked, truncated, 8 * len)).toBe(pn);
          expect(decodePacketNumber(pn - 1, truncated, 8 * len)).toBe(pn);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('parseHeader', () => {
  it('parses the real iroh client Initial header', () => {
    // First bytes of the REAL datagram (iroh 1.0.2): Initial, v1, 20-byte DCID, 8-byte SCID, no token.
    const start = hex('c800000001140839c7645aa0d8d3dae8db1775448180975cc63808da92f9489b9c1b9700448a');
    const datagram = new Uint8Array(1200);
    datagram.set(start);
    const h = parseHeader(datagram, 0, 8);
    expect(h.type).toBe('initial');
    expect(h.version).toBe(1);
    expect(Buffer.from(h.dcid).toString('hex')).toBe('0839c7645aa0d8d3dae8db1775448180975cc638');
    expect(Buffer.from(h.scid!).toString('hex')).toBe('da92f9489b9c1b97');
    expect(h.token?.length).toBe(0);
    expect(h.pnOffset).toBe(38);
    expect(h.end).toBe(38 + 1162);
  });

  it('splits coalesced packets', () => {
    const w = new Writer();
    const dcid = Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9);
    writeLongHeader(w, {
      type: 'initial',
      version: 1,
      dcid,
      scid: dcid,
      pn: 0,
      pnLength: 1,
      payloadLength: 30,
    });
    w.bytes(new Uint8Array(30));
    const first = w.len;
    writeLongHeader(w, {
      type: 'handshake',
      version: 1,
      dcid,
      scid: dcid,
      pn: 0,
      pnLength: 2,
      payloadLength: 40,
    });
    w.bytes(new Uint8Array(40));
    const d = w.finish();
    const a = parseHeader(d, 0, 8);
    expect(a.type).toBe('initial');
    expect(a.end).toBe(first);
    const b = parseHeader(d, a.end, 8);
    expect(b.type).toBe('handshake');
    expect(b.end).toBe(d.length);
  });

  it('recognises version negotiation and unknown versions', () => {
    const vn = hex('80000000000401020304080102030405060708ff00001d00000001');
    const h = parseHeader(vn, 0, 8);
    expect(h.type).toBe('version-negotiation');
    expect(h.versions).toEqual([0xff00001d, 1]);
    const unknown = new Uint8Array(1200);
    unknown.set(hex('c01a2a3a4a0401020304080102030405060708'));
    expect(parseHeader(unknown, 0, 8).version).toBe(0x1a2a3a4a);
  });

  it('drops packets with the fixed bit cleared (iroh never greases it)', () => {
    const d = new Uint8Array(100);
    d[0] = 0x80; // long header, fixed bit 0
    d[4] = 1;
    expect(() => parseHeader(d, 0, 8)).toThrow(CodecError);
    d[0] = 0x00; // short header, fixed bit 0
    expect(() => parseHeader(d, 0, 8)).toThrow(/fixed bit/);
  });

  it(`only throws CodecError on random and mutated input (${FUZZ_RUNS} cases)`, () => {
    const base = (() => {
      const w = new Writer();
      const dcid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
      writeLongHeader(w, {
        type: 'initial',
        version: 1,
        dcid,
        scid: dcid,
        token: Uint8Array.of(7),
        pn: 3,
        pnLength: 2,
        payloadLength: 40,
      });
      w.bytes(new Uint8Array(40));
      return w.finish();
    })();
    const mutated = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(20)).map(([i, x, cut]) => {
      const b = base.slice(0, Math.max(1, base.length - cut));
      b[i % b.length]! ^= x;
      return b;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), mutated), fc.nat(20), (d, cidLen) => {
        try {
          let at = 0;
          while (at < d.length) {
            const h = parseHeader(d, at, cidLen);
            expect(h.end).toBeGreaterThan(at);
            expect(h.end).toBeLessThanOrEqual(d.length);
            at = h.end;
          }
        } catch (e) {
          if (!(e instanceof CodecError)) throw e;
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
