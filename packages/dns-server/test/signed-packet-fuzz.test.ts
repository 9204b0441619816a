import { PublicKey } from '@iroh-ts/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EndpointInfo, SignedPacket, SignedPacketError } from '../src/index.js';
import { FUZZ_RUNS, keyFrom, mutated, onlyTypedErrors } from './helpers.js';

const secret = keyFrom(3);
const good = SignedPacket.fromTxtStrings(
  secret,
  '_iroh',
  ['relay=https://r.example./', 'addr=1.2.3.4:5'],
  30,
  {
    timestamp: 123n,
  },
);

describe(`signed packet parser properties (${FUZZ_RUNS} runs)`, () => {
  it('round trips TXT values and timestamps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 60 }), { maxLength: 5 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (values, timestamp) => {
          const p = SignedPacket.fromTxtStrings(secret, '_iroh', values, 30, { timestamp });
          const back = SignedPacket.fromBytes(p.toBytes());
          expect(back.timestamp).toBe(timestamp);
          expect(back.txtRecords('_iroh')).toEqual(values);
          expect(SignedPacket.fromRelayPayload(secret.public(), p.toRelayPayload()).equals(back)).toBe(true);
        },
      ),
      { numRuns: Math.min(FUZZ_RUNS, 500) },
    );
  });

  it('random bytes only ever throw SignedPacketError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (bytes) =>
        onlyTypedErrors(() => SignedPacket.fromBytes(bytes)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('any mutation of a good packet is rejected (never accepted as a different packet)', () => {
    fc.assert(
      fc.property(mutated(good.toBytes()), (bytes) => {
        try {
          const p = SignedPacket.fromBytes(bytes);
          // The signature covers the timestamp, the DNS length and bytes, so nothing else can verify.
          expect(p.equals(good)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(SignedPacketError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('mutated relay payloads only ever throw SignedPacketError', () => {
    const key = PublicKey.fromBytes(secret.public().toBytes());
    fc.assert(
      fc.property(mutated(good.toRelayPayload()), (bytes) =>
        onlyTypedErrors(() => EndpointInfo.fromSignedPacket(SignedPacket.fromRelayPayload(key, bytes))),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('z32Flat', () => {
  it('matches the base z-base-32 encoder', async () => {
    const { z32Encode } = await import('@iroh-ts/base');
    const { z32Flat } = await import('../src/pkarr/z32.js');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => z32Flat(b) === z32Encode(b)));
  });
});
