/** fast-check generators of valid frames, and a structural comparison helper, shared by the codec tests. */
import fc from 'fast-check';
import { type ExtFrame, type Frame, MAX_PATH_ID_VALUE } from '../../src/proto/frame.js';
import { RangeSet } from '../../src/proto/range-set.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A safe non-negative integer biased to the varint size boundaries. */
export const arbNum = (max = MAX_SAFE): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: 0, max: Math.min(max, 70) }),
    fc.integer({ min: 0, max: Math.min(max, 16_400) }),
    fc.integer({ min: 0, max: Math.min(max, 2 ** 30 + 10) }),
    fc.integer({ min: 0, max }),
    fc.constantFrom(...[0, 63, 64, 16383, 16384, 2 ** 30 - 1, 2 ** 30, max].filter((v) => v <= max)),
  );

/** A multipath path id (≤ 2^32 − 1), biased to the varint size boundaries and the maximum. */
export const arbPathId: fc.Arbitrary<number> = arbNum(MAX_PATH_ID_VALUE);
/** An optional path id: `undefined` (the RFC 9000 frame) or a path id (the multipath variant). */
const arbOptPathId = fc.option(arbPathId, { nil: undefined });

const arbCode = fc.oneof(fc.bigInt({ min: 0n, max: 0x200n }), fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }));
const arbBytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** A non-empty RangeSet (sometimes far from 0). */
export const arbRangeSet: fc.Arbitrary<RangeSet> = fc
  .tuple(
    fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 40 }), fc.constant(MAX_SAFE - 5000)),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 40 })), {
      minLength: 1,
      maxLength: 40,
    }),
  )
  .map(([base, ranges]) =>
    RangeSet.from(ranges.map(([s, l]) => [base + s, base + s + l] as [number, number])),
  );

/** An IP address (4 or 16 bytes) and a port. */
const arbAddr = fc.record({
  ip: fc.oneof(arbBytes(4, 4), arbBytes(16, 16)),
  port: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 0xff, 0x100, 0xffff)),
});

/** The multipath, NAT traversal and address discovery frames of `frame-types-ext.ts`. */
export const arbExtFrame: fc.Arbitrary<ExtFrame> = fc.oneof(
  fc.record({ pathId: arbPathId, errorCode: arbCode }).map((f): ExtFrame => ({ type: 'pathAbandon', ...f })),
  fc
    .record({ pathId: arbPathId, sequence: arbNum(), available: fc.boolean() })
    .map((f): ExtFrame => ({ type: 'pathStatus', ...f })),
  arbPathId.map((pathId): ExtFrame => ({ type: 'maxPathId', pathId })),
  arbPathId.map((pathId): ExtFrame => ({ type: 'pathsBlocked', pathId })),
  fc
    .record({ pathId: arbPathId, nextSequence: arbNum() })
    .map((f): ExtFrame => ({ type: 'pathCidsBlocked', ...f })),
  fc.tuple(arbNum(), arbAddr).map(([sequence, a]): ExtFrame => ({ type: 'addAddress', sequence, ...a })),
  fc.tuple(arbNum(), arbAddr).map(([round, a]): ExtFrame => ({ type: 'reachOut', round, ...a })),
  arbNum().map((sequence): ExtFrame => ({ type: 'removeAddress', sequence })),
  fc.tuple(arbNum(), arbAddr).map(([sequence, a]): ExtFrame => ({ type: 'observedAddress', sequence, ...a })),
);

/** Frames that may appear anywhere in a packet (explicit lengths). */
export const arbFrame: fc.Arbitrary<Frame> = fc.oneof(
  fc.integer({ min: 1, max: 50 }).map((length): Frame => ({ type: 'padding', length })),
  fc.constant<Frame>({ type: 'ping' }),
  fc
    .record({
      ackDelay: arbNum(),
      ranges: arbRangeSet,
      ecn: fc.option(fc.record({ ect0: arbNum(), ect1: arbNum(), ce: arbNum() }), { nil: undefined }),
      pathId: arbOptPathId,
    })
    .map((f): Frame => ({ type: 'ack', ...f })),
  fc
    .record({ streamId: arbNum(), errorCode: arbCode, finalSize: arbNum() })
    .map((f): Frame => ({ type: 'resetStream', ...f })),
  fc.record({ streamId: arbNum(), errorCode: arbCode }).map((f): Frame => ({ type: 'stopSending', ...f })),
  fc
    .record({ offset: arbNum(MAX_SAFE - 200), data: arbBytes(0, 100) })
    .map((f): Frame => ({ type: 'crypto', ...f })),
  arbBytes(1, 80).map((token): Frame => ({ type: 'newToken', token })),
  fc
    .record({ streamId: arbNum(), offset: arbNum(MAX_SAFE - 200), fin: fc.boolean(), data: arbBytes(0, 100) })
    .map((f): Frame => ({ type: 'stream', ...f, explicitLength: true })),
  arbNum().map((maximum): Frame => ({ type: 'maxData', maximum })),
  fc.record({ streamId: arbNum(), maximum: arbNum() }).map((f): Frame => ({ type: 'maxStreamData', ...f })),
  fc.record({ bidi: fc.boolean(), maximum: arbNum() }).map((f): Frame => ({ type: 'maxStreams', ...f })),
  arbNum().map((limit): Frame => ({ type: 'dataBlocked', limit })),
  fc.record({ streamId: arbNum(), limit: arbNum() }).map((f): Frame => ({ type: 'streamDataBlocked', ...f })),
  fc.record({ bidi: fc.boolean(), limit: arbNum() }).map((f): Frame => ({ type: 'streamsBlocked', ...f })),
  fc
    .record({
      sequence: arbNum(),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      connectionId: arbBytes(1, 20),
      resetToken: arbBytes(16, 16),
      pathId: arbOptPathId,
    })
    .map(
      ({ fraction, ...f }): Frame => ({
        type: 'newConnectionId',
        ...f,
        retirePriorTo: Math.min(f.sequence, Math.floor(f.sequence * fraction)),
      }),
    ),
  fc
    .record({ sequence: arbNum(), pathId: arbOptPathId })
    .map((f): Frame => ({ type: 'retireConnectionId', ...f })),
  arbBytes(8, 8).map((data): Frame => ({ type: 'pathChallenge', data })),
  arbBytes(8, 8).map((data): Frame => ({ type: 'pathResponse', data })),
  fc
    .record({ errorCode: arbCode, frameType: arbNum(), reason: arbBytes(0, 40) })
    .map((f): Frame => ({ type: 'connectionClose', ...f })),
  fc
    .record({ errorCode: arbCode, reason: arbBytes(0, 40) })
    .map((f): Frame => ({ type: 'applicationClose', ...f })),
  fc.constant<Frame>({ type: 'handshakeDone' }),
  arbBytes(0, 100).map((data): Frame => ({ type: 'datagram', data, explicitLength: true })),
  fc
    .record({
      sequence: arbNum(),
      ackElicitingThreshold: arbNum(),
      requestMaxAckDelay: arbNum(),
      reorderingThreshold: arbNum(),
    })
    .map((f): Frame => ({ type: 'ackFrequency', ...f })),
  fc.constant<Frame>({ type: 'immediateAck' }),
  arbExtFrame,
);

/** A frame that runs to the end of the packet (no Length field). */
export const arbLastFrame: fc.Arbitrary<Frame> = fc.oneof(
  fc
    .record({ streamId: arbNum(), offset: arbNum(MAX_SAFE - 200), fin: fc.boolean(), data: arbBytes(0, 100) })
    .map((f): Frame => ({ type: 'stream', ...f, explicitLength: false })),
  arbBytes(0, 100).map((data): Frame => ({ type: 'datagram', data, explicitLength: false })),
);

/** A valid packet payload as a frame list: adjacent PADDING merged, an optional implicit-length frame last. */
export const arbFrameList: fc.Arbitrary<Frame[]> = fc
  .tuple(fc.array(arbFrame, { minLength: 1, maxLength: 12 }), fc.option(arbLastFrame, { nil: undefined }))
  .map(([frames, last]) => {
    const out: Frame[] = [];
    for (const f of last ? [...frames, last] : frames) {
      const prev = out[out.length - 1];
      if (f.type === 'padding' && prev?.type === 'padding') prev.length += f.length;
      else out.push(f.type === 'padding' ? { ...f } : f);
    }
    return out;
  });

/** A plain-data view of a frame for `toEqual` (RangeSet → pairs, byte views → plain arrays). */
export function normalize(f: Frame): unknown {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) {
    if (v instanceof RangeSet) o[k] = v.toArray();
    else if (v instanceof Uint8Array) o[k] = Array.from(v);
    else if (v !== undefined) o[k] = v;
  }
  return o;
}
