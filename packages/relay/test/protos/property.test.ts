import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  base64UrlDecode,
  base64UrlEncode,
  type ClientToRelayMsg,
  decodeClientAuthHeader,
  decodeClientToRelay,
  decodeHandshakeFrame,
  decodeRelayToClient,
  encodeClientToRelay,
  encodeRelayToClient,
  KeyCache,
  MAX_PACKET_SIZE,
  PROTOCOL_V1,
  PROTOCOL_V2,
  type ProtocolVersion,
  type RelayToClientMsg,
} from '../../src/index.js';
import { fixedKey } from '../support/keys.js';
import { norm } from '../support/vectors.js';

const KEYS = [1, 2, 3, 4].map((b) => fixedKey(b).public());
const keyArb = fc.constantFrom(...KEYS);
const ecnArb = fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const);
const datagramsArb = fc.oneof(
  fc.record({ ecn: ecnArb, contents: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  fc.record({
    ecn: ecnArb,
    segmentSize: fc.integer({ min: 1, max: 0xffff }),
    contents: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  }),
);
const ping = fc.uint8Array({ minLength: 8, maxLength: 8 });

const clientMsgArb: fc.Arbitrary<ClientToRelayMsg> = fc.oneof(
  fc.record({ type: fc.constant('datagrams' as const), dst: keyArb, datagrams: datagramsArb }),
  fc.record({ type: fc.constant('ping' as const), data: ping }),
  fc.record({ type: fc.constant('pong' as const), data: ping }),
);

const relayMsgArb: fc.Arbitrary<RelayToClientMsg> = fc.oneof(
  fc.record({ type: fc.constant('datagrams' as const), src: keyArb, datagrams: datagramsArb }),
  fc.record({ type: fc.constant('endpointGone' as const), endpointId: keyArb }),
  fc.record({ type: fc.constant('ping' as const), data: ping }),
  fc.record({ type: fc.constant('pong' as const), data: ping }),
  fc.record({ type: fc.constant('health' as const), problem: fc.string({ maxLength: 100 }) }),
  fc.record({
    type: fc.constant('restarting' as const),
    reconnectInMs: fc.nat({ max: 0xffffffff }),
    tryForMs: fc.nat({ max: 0xffffffff }),
  }),
  fc.record({ type: fc.constant('status' as const), status: fc.nat({ max: 255 }) }),
);

const TYPED = new Set(['RelayProtocolError', 'HandshakeError']);

/** Runs `fn`; it may return or throw one of our typed errors, nothing else. */
function typedOrOk(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    const e = err as { name?: string; code?: unknown };
    if (!TYPED.has(String(e.name)) || typeof e.code !== 'string') throw err;
  }
}

const mutated = (arb: fc.Arbitrary<Uint8Array>) =>
  fc
    .tuple(arb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }), fc.nat(), fc.boolean())
    .map(([bytes, flips, cut, truncate]) => {
      const out = bytes.slice();
      for (const [at, v] of flips) if (out.length > 0) out[at % out.length] = v;
      return truncate && out.length > 0 ? out.subarray(0, cut % out.length) : out;
    });

describe('frame codec properties', () => {
  test('client → relay messages round-trip', () => {
    fc.assert(
      fc.property(clientMsgArb, (msg) => {
        const bytes = encodeClientToRelay(msg);
        expect(bytes.length - 1).toBeLessThanOrEqual(MAX_PACKET_SIZE);
        expect(norm(decodeClientToRelay(bytes))).toEqual(norm(msg));
      }),
    );
  });

  test('relay → client messages round-trip in the versions that allow them', () => {
    const cache = new KeyCache();
    fc.assert(
      fc.property(relayMsgArb, (msg) => {
        const bytes = encodeRelayToClient(msg);
        const versions: ProtocolVersion[] =
          msg.type === 'health'
            ? [PROTOCOL_V1]
            : msg.type === 'status'
              ? [PROTOCOL_V2]
              : [PROTOCOL_V1, PROTOCOL_V2];
        for (const v of versions) expect(norm(decodeRelayToClient(bytes, v, cache))).toEqual(norm(msg));
      }),
    );
  });

  test('random bytes never crash the decoders: a message or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        typedOrOk(() => decodeClientToRelay(bytes));
        typedOrOk(() => decodeRelayToClient(bytes, PROTOCOL_V1));
        typedOrOk(() => decodeRelayToClient(bytes, PROTOCOL_V2));
        typedOrOk(() => decodeHandshakeFrame(bytes, ['clientAuth']));
        typedOrOk(() =>
          decodeHandshakeFrame(bytes, ['serverChallenge', 'serverConfirmsAuth', 'serverDeniesAuth']),
        );
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated valid frames never crash the decoders', () => {
    fc.assert(
      fc.property(mutated(clientMsgArb.map(encodeClientToRelay)), (bytes) => {
        typedOrOk(() => decodeClientToRelay(bytes));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(mutated(relayMsgArb.map(encodeRelayToClient)), (bytes) => {
        typedOrOk(() => decodeRelayToClient(bytes, PROTOCOL_V2));
        typedOrOk(() => decodeRelayToClient(bytes, PROTOCOL_V1));
      }),
      { numRuns: 1000 },
    );
  });

  test('a decoded frame re-encodes to the same bytes (canonical one-byte types, non-zero segment size)', () => {
    fc.assert(
      fc.property(mutated(clientMsgArb.map(encodeClientToRelay)), (bytes) => {
        let msg: ClientToRelayMsg;
        try {
          msg = decodeClientToRelay(bytes);
        } catch {
          return;
        }
        const zeroSegment = bytes[0] === 5 && bytes[34] === 0 && bytes[35] === 0;
        if (
          bytes[0]! >= 0x40 ||
          zeroSegment ||
          (msg.type === 'datagrams' && msg.datagrams.contents.length === 0)
        )
          return;
        const again = encodeClientToRelay(msg);
        // Only the ECN byte may differ: its upper 6 bits are dropped.
        if (msg.type === 'datagrams') bytes[33]! &= 3;
        expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('random header strings fail only with ClientAuthHeaderInvalid', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 130 }).map(base64UrlEncode)),
        (s) => {
          try {
            decodeClientAuthHeader(s);
          } catch (err) {
            expect((err as { code?: string }).code).toBe('ClientAuthHeaderInvalid');
          }
        },
      ),
    );
  });

  test('base64url round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect([...base64UrlDecode(base64UrlEncode(bytes))]).toEqual([...bytes]);
      }),
    );
  });
});
