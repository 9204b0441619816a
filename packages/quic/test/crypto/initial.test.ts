import { hexEncode } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import { initialKeys, initialSecrets } from '../../src/crypto/initial.js';
import { openPacket, sealPacket } from '../../src/crypto/packet-protection.js';
import { Writer } from '../../src/proto/coding.js';
import { parseFrames } from '../../src/proto/frame.js';
import { parseHeader, writeLongHeader } from '../../src/proto/packet.js';
import real from '../fixtures/iroh-client-initial-datagram.json' with { type: 'json' };

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('Initial secrets (RFC 9001 Appendix A.1)', () => {
  it('derives the RFC client and server secrets from DCID 8394c8f03e515708', () => {
    const s = initialSecrets(hex('8394c8f03e515708'));
    expect(hexEncode(s.client)).toBe('c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
    expect(hexEncode(s.server)).toBe('3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b');
  });
});

describe('the REAL first datagram of an iroh 1.0.2 client', () => {
  it('decrypts with our Initial keys into a CRYPTO frame holding its ClientHello, then PADDING', () => {
    const datagram = hex(real.datagram_hex);
    expect(datagram.length).toBe(1200);
    const h = parseHeader(datagram, 0, 8);
    expect(h.type).toBe('initial');
    expect(hexEncode(h.dcid)).toBe(real.dcid);
    const server = initialKeys(h.dcid, 'server');
    const opened = openPacket(server.remote, datagram, h, -1);
    expect(opened).toBeDefined();
    expect(opened!.pn).toBe(0);
    expect(opened!.reservedBitsSet).toBe(false);
    const frames = parseFrames(opened!.payload);
    const crypto = frames.find((f) => f.type === 'crypto');
    expect(crypto && crypto.type === 'crypto' && crypto.offset).toBe(0);
    expect(crypto && crypto.type === 'crypto' && hexEncode(crypto.data)).toBe(
      real.client_hello_handshake_message_hex,
    );
    expect(frames.every((f) => f.type === 'crypto' || f.type === 'padding')).toBe(true);
    // The client's own keys cannot open it (wrong direction).
    expect(openPacket(initialKeys(h.dcid, 'client').remote, datagram, h, -1)).toBeUndefined();
  });

  it('re-sealing the decrypted payload with the client keys reproduces the datagram byte for byte', () => {
    const datagram = hex(real.datagram_hex);
    const h = parseHeader(datagram, 0, 8);
    const opened = openPacket(initialKeys(h.dcid, 'server').remote, datagram, h, -1)!;
    const w = new Writer();
    const pnOffset = writeLongHeader(w, {
      type: 'initial',
      version: 1,
      dcid: h.dcid,
      scid: h.scid!,
      token: new Uint8Array(0),
      pn: 0,
      pnLength: 1,
      payloadLength: opened.payload.length + 16,
    });
    const packet = sealPacket(
      initialKeys(h.dcid, 'client').local,
      w.finish(),
      pnOffset,
      1,
      0,
      opened.payload,
    );
    expect(hexEncode(packet)).toBe(real.datagram_hex);
  });
});
