import { hexEncode } from '@iroh-ts/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AeadAlgorithm } from '../../src/crypto/aead.js';
import { backend as nobleBackend } from '../../src/crypto/backend/noble.js';
import { backend as nodeBackend } from '../../src/crypto/backend/node.js';
import {
  openPacket,
  packetKeys,
  packetNonce,
  sealPacket,
  sealPacketInto,
} from '../../src/crypto/packet-protection.js';
import { Writer } from '../../src/proto/coding.js';
import { parseHeader, writeLongHeader, writeShortHeader } from '../../src/proto/packet.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('RFC 9001 Appendix A.5: ChaCha20-Poly1305 short header packet', () => {
  const key = hex('c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8');
  const iv = hex('e0459b3474bdd0e44a41c144');
  const hp = hex('25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4');
  const pn = 654360564;
  const wire = '4cfe4189655e5cd55c41f69080575d7999c25a5bfb';

  it('nonce is iv XOR packet number', () => {
    expect(hexEncode(packetNonce(iv, pn))).toBe('e0459b3474bdd0e46d417eb0');
  });

  it('seals to the RFC bytes and opens again', () => {
    const keys = packetKeys('chacha20-poly1305', key, iv, hp);
    const w = new Writer();
    const pnOffset = writeShortHeader(w, new Uint8Array(0), pn, 3, false);
    expect(hexEncode(w.view())).toBe('4200bff4');
    const packet = sealPacket(keys, w.finish(), pnOffset, 3, pn, Uint8Array.of(0x01));
    expect(hexEncode(packet)).toBe(wire);

    const h = parseHeader(packet, 0, 0);
    expect(h.type).toBe('short');
    const opened = openPacket(keys, packet, h, pn - 1);
    expect(opened?.pn).toBe(pn);
    expect(hexEncode(opened!.payload)).toBe('01');
    expect(opened?.keyPhase).toBe(false);
  });

  it('the noble backend produces the same bytes', () => {
    const aead = nobleBackend.aead('chacha20-poly1305', key);
    const sealed = aead.seal(packetNonce(iv, pn), hex('4200bff4'), Uint8Array.of(1));
    expect(hexEncode(sealed)).toBe(wire.slice(8));
    expect(
      hexEncode(
        nobleBackend.headerProtection('chacha20-poly1305', hp).mask(sealed.subarray(1, 17)).subarray(0, 5),
      ),
    ).toBe('aefefe7d03');
  });
});

describe('packet protection round trips and rejects tampering', () => {
  const algs: AeadAlgorithm[] = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'];
  const keyLen = (a: AeadAlgorithm) => (a === 'aes-128-gcm' ? 16 : 32);

  for (const alg of algs) {
    it(`${alg}: node and noble backends agree, long and short headers round-trip`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ minLength: 12, maxLength: 12 }),
          fc.uint8Array({ minLength: 20, maxLength: 300 }),
          fc.integer({ min: 0, max: 2 ** 40 }),
          fc.constantFrom(1, 2, 3, 4) as fc.Arbitrary<1 | 2 | 3 | 4>,
          fc.boolean(),
          (k, iv, payload, pn, pnLength, long) => {
            const key = k.subarray(0, keyLen(alg));
            const hpKey = k.slice().reverse().subarray(0, keyLen(alg));
            const nodeKeys = packetKeys(alg, key, iv, hpKey);
            const nobleKeys = {
              aead: nobleBackend.aead(alg, key),
              iv,
              hp: nobleBackend.headerProtection(alg, hpKey),
            };
            const w = new Writer();
            const dcid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
            const pnOffset = long
              ? writeLongHeader(w, {
                  type: 'handshake',
                  version: 1,
                  dcid,
                  scid: dcid,
                  pn,
                  pnLength,
                  payloadLength: payload.length + 16,
                })
              : writeShortHeader(w, dcid, pn, pnLength, true);
            const header = w.finish();
            const a = sealPacket(nodeKeys, header, pnOffset, pnLength, pn, payload);
            const b = sealPacket(nobleKeys, header, pnOffset, pnLength, pn, payload);
            expect(hexEncode(a)).toBe(hexEncode(b));
            const h = parseHeader(a, 0, 8);
            expect(h.type).toBe(long ? 'handshake' : 'short');
            expect(h.end).toBe(a.length);
            const opened = openPacket(nodeKeys, a, h, pn - 1);
            expect(opened?.pn).toBe(pn);
            expect(hexEncode(opened!.payload)).toBe(hexEncode(payload));
            if (!long) expect(opened?.keyPhase).toBe(true);
            // Any flipped bit after the header breaks authentication.
            const bad = a.slice();
            bad[a.length - 1 - (pn % 16)]! ^= 0x01;
            expect(openPacket(nodeKeys, bad, parseHeader(bad, 0, 8), pn - 1)).toBeUndefined();
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('backends report their names', () => {
    expect(nodeBackend.name).toBe('node:crypto');
    expect(nobleBackend.name).toBe('@noble/ciphers');
  });
});

describe('sealPacketInto', () => {
  it('writes exactly what sealPacket returns, at the offset, leaving the rest of the buffer alone', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 200 }),
        fc.integer({ min: 0, max: 50 }),
        fc.nat(1000),
        (payload, at, pn) => {
          const keys = packetKeys(
            'aes-128-gcm',
            new Uint8Array(16).fill(1),
            new Uint8Array(12).fill(2),
            new Uint8Array(16).fill(3),
          );
          const w = new Writer();
          const pnOffset = writeShortHeader(w, Uint8Array.of(9, 9, 9, 9), pn, 2, false);
          const expected = sealPacket(keys, w.finish(), pnOffset, 2, pn, payload);
          const dst = new Uint8Array(at + expected.length + 10).fill(0xee);
          const n = sealPacketInto(keys, dst, at, w.finish(), pnOffset, 2, pn, payload);
          expect(n).toBe(expected.length);
          expect(hexEncode(dst.subarray(at, at + n))).toBe(hexEncode(expected));
          expect(dst.subarray(0, at).every((b) => b === 0xee)).toBe(true);
          expect(dst.subarray(at + n).every((b) => b === 0xee)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    const keys = packetKeys('aes-128-gcm', new Uint8Array(16), new Uint8Array(12), new Uint8Array(16));
    expect(() =>
      sealPacketInto(keys, new Uint8Array(10), 0, new Uint8Array(5), 1, 1, 0, new Uint8Array(30)),
    ).toThrow(RangeError);
  });
});
