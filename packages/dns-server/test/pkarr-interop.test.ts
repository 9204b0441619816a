/** Interop with the npm `pkarr` package, an independent JavaScript pkarr implementation (dns-packet, sodium). */
import { PublicKey, SecretKey } from '@iroh-ts/base';
import { generateKeyPair, SignedPacket as PkarrSignedPacket, z32 } from 'pkarr';
import { describe, expect, it } from 'vitest';
import { EndpointInfo, SignedPacket } from '../src/index.js';

const seed = new Uint8Array(32).fill(42);
const ours = SecretKey.fromBytes(seed);
const theirs = generateKeyPair(Buffer.from(seed));

describe('npm pkarr interop', () => {
  it('derives the same public key and z-base-32 form', () => {
    expect(Buffer.from(theirs.publicKey).equals(Buffer.from(ours.public().toBytes()))).toBe(true);
    expect(z32.encode(theirs.publicKey)).toBe(ours.public().toZ32());
    expect(Buffer.from(z32.decode(ours.public().toZ32())).equals(Buffer.from(ours.public().toBytes()))).toBe(
      true,
    );
  });

  it('accepts packets signed by pkarr', () => {
    const packet = PkarrSignedPacket.fromPacket(
      theirs,
      {
        type: 'response',
        answers: [
          { type: 'TXT', name: '_iroh', ttl: 30, class: 'IN', data: 'relay=https://relay.example./' },
          { type: 'TXT', name: '_iroh', ttl: 30, class: 'IN', data: 'addr=10.1.2.3:4433' },
        ],
      },
      // pkarr's JSDoc types `timestamp` as `object`; it is a number of microseconds.
      { timestamp: 1_700_000_000_000_001 as unknown as object },
    );
    const parsed = SignedPacket.fromRelayPayload(
      PublicKey.fromZ32(z32.encode(theirs.publicKey)),
      packet.bytes(),
    );
    expect(parsed.timestamp).toBe(1_700_000_000_000_001n);
    const info = EndpointInfo.fromSignedPacket(parsed);
    expect(info.relayUrls().map(String)).toEqual(['https://relay.example./']);
    expect(info.ipAddrs().map(String)).toEqual(['10.1.2.3:4433']);
  });

  it('produces packets that pkarr verifies and reads', () => {
    const packet = new EndpointInfo(ours.public())
      .withAddrs([])
      .toSignedPacket(ours, 30, { timestamp: 1_700_000_000_000_000n });
    const withRelay = EndpointInfo.fromTxtStrings(ours.public(), [
      'relay=https://r.example./',
      'addr=1.2.3.4:5',
    ]);
    const p2 = withRelay.toSignedPacket(ours, 30, { timestamp: 1_700_000_000_000_002n });
    for (const p of [packet, p2]) {
      const decoded = PkarrSignedPacket.fromBytes(theirs.publicKey, Buffer.from(p.relayPayload));
      expect(decoded.timestamp()).toBe(Number(p.timestamp));
    }
    const decoded = PkarrSignedPacket.fromBytes(theirs.publicKey, Buffer.from(p2.relayPayload));
    const txt = decoded.resourceRecords('_iroh').map((rr) => {
      const data = (rr as { data: Buffer[] }).data;
      return Buffer.concat(data).toString();
    });
    expect(txt).toEqual(['relay=https://r.example./', 'addr=1.2.3.4:5']);
  });

  it('pkarr rejects our packet under a different key', () => {
    const p = EndpointInfo.fromTxtStrings(ours.public(), ['relay=https://r.example./']).toSignedPacket(ours);
    const other = generateKeyPair(Buffer.alloc(32, 1));
    expect(() => PkarrSignedPacket.fromBytes(other.publicKey, Buffer.from(p.relayPayload))).toThrow();
  });
});
