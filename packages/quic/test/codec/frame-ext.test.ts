/**
 * The extension frames iroh uses (spec iroh-core-wire.md §3.4 multipath, §3.5 n0 NAT traversal, §3.7
 * address discovery): hand-built known answers, truncation, path id bounds, encoder invariants, and
 * property tests (round trips, exact sizes, decoder robustness on random and mutated bytes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../src/proto/coding.js';
import {
  decodeFrames,
  ExtFrameType,
  encodeFrame,
  type Frame,
  frameKindOf,
  frameSize,
  frameTypeOf,
  MAX_PATH_ID_VALUE,
  parseFrames,
} from '../../src/proto/frame.js';
import { RangeSet } from '../../src/proto/range-set.js';
import { TransportError } from '../../src/proto/transport-error.js';
import { expectTransportError, hex, toHex } from './codec-helpers.js';
import { arbExtFrame, arbFrame, arbPathId, arbRangeSet, normalize } from './frame-arbitraries.js';

const encode = (...frames: Frame[]): Uint8Array => {
  const w = new Writer();
  for (const f of frames) encodeFrame(w, f);
  return w.finish();
};
const TOKEN = '101112131415161718191a1b1c1d1e1f';

/** Known-answer vectors, bytes built by hand from the layouts in iroh-core-wire.md §3.4, §3.5, §3.7. */
const KATS: [string, string, Frame][] = [
  [
    'PATH_ACK (two ranges)',
    '3e 01 05 0a 01 01 00 02',
    {
      type: 'ack',
      ackDelay: 10,
      ranges: RangeSet.from([
        [4, 6],
        [0, 3],
      ]),
      ecn: undefined,
      pathId: 1,
    },
  ],
  [
    'PATH_ACK_ECN (2-byte path id)',
    '3f 4040 00 33 00 00 01 02 4040',
    {
      type: 'ack',
      ackDelay: 51,
      ranges: RangeSet.from([[0, 1]]),
      ecn: { ect0: 1, ect1: 2, ce: 64 },
      pathId: 64,
    },
  ],
  ['PATH_ABANDON', '7e75 01 00', { type: 'pathAbandon', pathId: 1, errorCode: 0n }],
  [
    'PATH_ABANDON (max path id, 2-byte code)',
    '7e75 c0000000ffffffff 4100',
    { type: 'pathAbandon', pathId: MAX_PATH_ID_VALUE, errorCode: 256n },
  ],
  ['PATH_STATUS_BACKUP', '7e76 02 05', { type: 'pathStatus', pathId: 2, sequence: 5, available: false }],
  ['PATH_STATUS_AVAILABLE', '7e77 03 4040', { type: 'pathStatus', pathId: 3, sequence: 64, available: true }],
  [
    'PATH_NEW_CONNECTION_ID',
    `7e78 01 02 01 04 01020304 ${TOKEN}`,
    {
      type: 'newConnectionId',
      sequence: 2,
      retirePriorTo: 1,
      connectionId: hex('01020304'),
      resetToken: hex(TOKEN),
      pathId: 1,
    },
  ],
  ['PATH_RETIRE_CONNECTION_ID', '7e79 01 03', { type: 'retireConnectionId', sequence: 3, pathId: 1 }],
  ['MAX_PATH_ID (4-byte path id)', '7e7a 80004000', { type: 'maxPathId', pathId: 16384 }],
  ['PATHS_BLOCKED', '7e7b 07', { type: 'pathsBlocked', pathId: 7 }],
  ['PATH_CIDS_BLOCKED', '7e7c 01 08', { type: 'pathCidsBlocked', pathId: 1, nextSequence: 8 }],
  [
    'ADD_ADDRESS v4 1.2.3.4:513',
    '803d7f90 00 01020304 0201',
    { type: 'addAddress', sequence: 0, ip: hex('01020304'), port: 513 },
  ],
  [
    'ADD_ADDRESS v6 [::1]:4433',
    '803d7f91 01 00000000000000000000000000000001 1151',
    { type: 'addAddress', sequence: 1, ip: hex('00000000000000000000000000000001'), port: 4433 },
  ],
  [
    'REACH_OUT v4 192.168.1.10:50000',
    '803d7f92 01 c0a8010a c350',
    { type: 'reachOut', round: 1, ip: hex('c0a8010a'), port: 50000 },
  ],
  [
    'REACH_OUT v6 [fe80::1]:65535',
    '803d7f93 02 fe800000000000000000000000000001 ffff',
    { type: 'reachOut', round: 2, ip: hex('fe800000000000000000000000000001'), port: 65535 },
  ],
  ['REMOVE_ADDRESS', '803d7f94 03', { type: 'removeAddress', sequence: 3 }],
  [
    'OBSERVED_ADDRESS v4 10.0.0.1:0',
    '809f81a6 00 0a000001 0000',
    { type: 'observedAddress', sequence: 0, ip: hex('0a000001'), port: 0 },
  ],
  [
    'OBSERVED_ADDRESS v6 [2001:db8::2]:443',
    '809f81a7 3f 20010db8000000000000000000000002 01bb',
    { type: 'observedAddress', sequence: 63, ip: hex('20010db8000000000000000000000002'), port: 443 },
  ],
];

/** Length of the frame type varint at the start of `b`. */
const typeLength = (b: Uint8Array): number => 1 << (b[0]! >> 6);

describe('extension frame known answers', () => {
  it('covers every extension type code', () => {
    const covered = new Set(KATS.map(([, bytes]) => new Reader(hex(bytes)).varint()));
    expect([...covered].sort((a, b) => a - b)).toEqual(Object.values(ExtFrameType).sort((a, b) => a - b));
  });

  it.each(KATS)('%s decodes from and encodes to %s', (_name, bytes, frame) => {
    const b = hex(bytes);
    expect(parseFrames(b).map(normalize)).toEqual([normalize(frame)]);
    expect(toHex(encode(frame))).toBe(toHex(b));
    expect(frameSize(frame)).toBe(b.length);
    expect(frameTypeOf(frame)).toBe(new Reader(b).varint());
    expect(frameKindOf(frameTypeOf(frame))).toBe(frame.type);
  });

  it.each(KATS)('%s: every strict prefix is a FRAME_ENCODING_ERROR', (_name, bytes) => {
    const b = hex(bytes);
    const type = new Reader(b).varint();
    for (let n = 1; n < b.length; n++) {
      // A cut inside the type varint cannot name the frame: frame type 0 ("unknown").
      const expected = n < typeLength(b) ? 0 : type;
      expectTransportError(() => parseFrames(b.subarray(0, n)), 'FRAME_ENCODING_ERROR', expected);
    }
  });

  it('returns IP addresses as views into the payload', () => {
    const b = hex('01 803d7f90 00 01020304 0201');
    const [, f] = parseFrames(b);
    expect(f?.type).toBe('addAddress');
    if (f?.type !== 'addAddress') return;
    expect(f.ip.buffer).toBe(b.buffer);
    expect(f.ip.byteOffset).toBe(6);
  });

  it('accepts non-minimal type encodings of the extension frames', () => {
    expect(parseFrames(hex('403e 01 00 00 00 00'))).toMatchObject([{ type: 'ack', pathId: 1 }]);
    expect(parseFrames(hex('c000000000003e75 01 00'))).toEqual([
      { type: 'pathAbandon', pathId: 1, errorCode: 0n },
    ]);
  });

  it('decodes a payload mixing core and extension frames', () => {
    const frames: Frame[] = [
      { type: 'ping' },
      { type: 'ack', ackDelay: 3, ranges: RangeSet.from([[0, 10]]), pathId: 2 },
      { type: 'pathStatus', pathId: 1, sequence: 0, available: true },
      { type: 'observedAddress', sequence: 1, ip: hex('7f000001'), port: 8080 },
      { type: 'padding', length: 4 },
    ];
    const seen: string[] = [];
    expect(decodeFrames(encode(...frames), (f) => seen.push(f.type))).toBe(5);
    expect(seen).toEqual(['ping', 'ack', 'pathStatus', 'observedAddress', 'padding']);
  });

  it('maps the wire codes to kinds', () => {
    expect(frameKindOf(0x3e)).toBe('ack');
    expect(frameKindOf(0x3f)).toBe('ack');
    expect(frameKindOf(0x3e78)).toBe('newConnectionId');
    expect(frameKindOf(0x3e79)).toBe('retireConnectionId');
    expect(frameKindOf(0x3e76)).toBe('pathStatus');
    expect(frameKindOf(0x3d7f91)).toBe('addAddress');
    expect(frameKindOf(0x9f81a7)).toBe('observedAddress');
    expect(frameKindOf(0x3e7d)).toBeUndefined();
    expect(frameKindOf(0x3d7f95)).toBeUndefined();
  });
});

/** A minimal frame of each path-carrying type, as hex with `{p}` where the path id goes. */
const PATH_FRAMES: [string, number, string][] = [
  ['0x3e', 0x3e, '3e {p} 00 00 00 00'],
  ['0x3f', 0x3f, '3f {p} 00 00 00 00 00 00 00'],
  ['0x3e75', 0x3e75, '7e75 {p} 00'],
  ['0x3e76', 0x3e76, '7e76 {p} 00'],
  ['0x3e77', 0x3e77, '7e77 {p} 00'],
  ['0x3e78', 0x3e78, `7e78 {p} 01 00 04 01020304 ${TOKEN}`],
  ['0x3e79', 0x3e79, '7e79 {p} 00'],
  ['0x3e7a', 0x3e7a, '7e7a {p}'],
  ['0x3e7b', 0x3e7b, '7e7b {p}'],
  ['0x3e7c', 0x3e7c, '7e7c {p} 00'],
];

describe('path id bounds', () => {
  it.each(PATH_FRAMES)('type %s accepts 2^32 - 1 and rejects 2^32 and 2^62 - 1', (_name, type, template) => {
    const [ok] = parseFrames(hex(template.replace('{p}', 'c0000000ffffffff')));
    expect(ok).toMatchObject({ pathId: MAX_PATH_ID_VALUE });
    expect(frameTypeOf(ok!)).toBe(type);
    for (const p of ['c000000100000000', 'ffffffffffffffff']) {
      const te = expectTransportError(
        () => parseFrames(hex(template.replace('{p}', p))),
        'FRAME_ENCODING_ERROR',
        type,
      );
      expect(te.reason).toMatch(/path id/);
    }
  });

  it('the encoder refuses path ids outside 0..2^32 - 1, writing nothing', () => {
    const ranges = RangeSet.from([[0, 1]]);
    const cid = { sequence: 1, retirePriorTo: 0, connectionId: hex('01'), resetToken: hex(TOKEN) };
    for (const pathId of [2 ** 32, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER]) {
      const bad: Frame[] = [
        { type: 'ack', ackDelay: 0, ranges, pathId },
        { type: 'newConnectionId', ...cid, pathId },
        { type: 'retireConnectionId', sequence: 0, pathId },
        { type: 'pathAbandon', pathId, errorCode: 0n },
        { type: 'pathStatus', pathId, sequence: 0, available: true },
        { type: 'maxPathId', pathId },
        { type: 'pathsBlocked', pathId },
        { type: 'pathCidsBlocked', pathId, nextSequence: 0 },
      ];
      for (const f of bad) {
        const w = new Writer();
        expect(() => encodeFrame(w, f), `${f.type} pathId ${pathId}`).toThrow(RangeError);
        expect(w.len).toBe(0);
      }
    }
  });
});

describe('extension frame validation', () => {
  it.each([
    ['PATH_NEW_CONNECTION_ID retire_prior_to > sequence', `7e78 00 01 02 04 01020304 ${TOKEN}`, 0x3e78],
    ['PATH_NEW_CONNECTION_ID with empty CID', `7e78 00 01 00 00 ${TOKEN}`, 0x3e78],
    ['PATH_NEW_CONNECTION_ID with 21-byte CID', `7e78 00 01 00 15 ${'00'.repeat(21 + 16)}`, 0x3e78],
    ['PATH_ACK first range below 0', '3e 00 05 00 00 06', 0x3e],
    ['PATH_ACK huge range count', '3e 00 05 00 bfffffff 00', 0x3e],
    ['PATH_STATUS sequence above 2^53-1', '7e76 00 c020000000000000', 0x3e76],
    ['PATH_CIDS_BLOCKED next sequence above 2^53-1', '7e7c 00 ffffffffffffffff', 0x3e7c],
    ['PATH_RETIRE_CONNECTION_ID sequence above 2^53-1', '7e79 00 ffffffffffffffff', 0x3e79],
    ['ADD_ADDRESS sequence above 2^53-1', '803d7f90 c020000000000000 01020304 0201', 0x3d7f90],
    ['REACH_OUT round above 2^53-1', '803d7f93 ffffffffffffffff', 0x3d7f93],
    ['REMOVE_ADDRESS sequence above 2^53-1', '803d7f94 c020000000000000', 0x3d7f94],
    ['OBSERVED_ADDRESS v6 with a 4-byte address', '809f81a7 00 01020304 0201', 0x9f81a7],
  ])('rejects %s', (_name, bytes, type) => {
    expectTransportError(() => parseFrames(hex(bytes)), 'FRAME_ENCODING_ERROR', type);
  });

  it('keeps 62-bit PATH_ABANDON error codes exact', () => {
    const [f] = parseFrames(hex('7e75 00 ffffffffffffffff'));
    expect(f).toEqual({ type: 'pathAbandon', pathId: 0, errorCode: (1n << 62n) - 1n });
    expect(toHex(encode(f!))).toBe('7e7500ffffffffffffffff');
  });

  it('refuses to encode invalid extension frames, writing nothing', () => {
    const ip4 = hex('01020304');
    const bad: Frame[] = [
      { type: 'addAddress', sequence: 0, ip: new Uint8Array(5), port: 1 },
      { type: 'addAddress', sequence: 0, ip: new Uint8Array(0), port: 1 },
      { type: 'reachOut', round: 0, ip: new Uint8Array(15), port: 1 },
      { type: 'observedAddress', sequence: 0, ip: new Uint8Array(17), port: 1 },
      { type: 'addAddress', sequence: 0, ip: ip4, port: 65536 },
      { type: 'reachOut', round: 0, ip: ip4, port: -1 },
      { type: 'observedAddress', sequence: 0, ip: ip4, port: 1.5 },
      { type: 'addAddress', sequence: -1, ip: ip4, port: 1 },
      { type: 'reachOut', round: 2 ** 53, ip: ip4, port: 1 },
      { type: 'observedAddress', sequence: Number.NaN, ip: ip4, port: 1 },
      { type: 'removeAddress', sequence: 0.5 },
      { type: 'pathStatus', pathId: 0, sequence: -1, available: false },
      { type: 'pathCidsBlocked', pathId: 0, nextSequence: 2 ** 60 },
      { type: 'pathAbandon', pathId: 0, errorCode: -1n },
      { type: 'pathAbandon', pathId: 0, errorCode: 1n << 62n },
    ];
    for (const f of bad) {
      const w = new Writer();
      expect(
        () => encodeFrame(w, f),
        JSON.stringify(normalize(f), (_k, v) => String(v)),
      ).toThrow(RangeError);
      expect(w.len).toBe(0);
    }
  });
});

/** Runs `fn`; returns its result, or `undefined` if it threw a TransportError. Anything else propagates. */
function typed<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TransportError) return undefined;
    throw e;
  }
}

/** Decodes `bytes`; whatever decodes must re-encode (frameSize bytes each) and decode to the same frames. */
function checkDecode(bytes: Uint8Array): boolean {
  const frames = typed(() => parseFrames(bytes));
  if (frames === undefined) return false;
  for (const f of frames) {
    if (f.type !== 'padding') expect(encode(f).length).toBe(frameSize(f));
    expect(parseFrames(encode(f)).map(normalize)).toEqual([normalize(f)]);
  }
  return true;
}

/** The multipath variants of the RFC 9000 frames, always with a path id. */
const arbPathVariant: fc.Arbitrary<Frame> = fc.oneof(
  fc
    .record({
      ackDelay: fc.nat(),
      ranges: arbRangeSet,
      ecn: fc.option(fc.record({ ect0: fc.nat(), ect1: fc.nat(), ce: fc.nat() }), { nil: undefined }),
      pathId: arbPathId,
    })
    .map((f): Frame => ({ type: 'ack', ...f })),
  fc
    .record({
      sequence: fc.nat(),
      connectionId: fc.uint8Array({ minLength: 1, maxLength: 20 }),
      resetToken: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      pathId: arbPathId,
    })
    .map((f): Frame => ({ type: 'newConnectionId', ...f, retirePriorTo: f.sequence >> 1 })),
  fc
    .record({ sequence: fc.nat(), pathId: arbPathId })
    .map((f): Frame => ({ type: 'retireConnectionId', ...f })),
);
const arbAnyExt: fc.Arbitrary<Frame> = fc.oneof(arbExtFrame, arbPathVariant);

const EXT_TYPES = Object.values(ExtFrameType);

describe('extension frame properties', () => {
  it('decode(encode(f)) == f, frameSize is exact and the type code is the first varint', () => {
    fc.assert(
      fc.property(arbAnyExt, (f) => {
        const bytes = encode(f);
        expect(bytes.length).toBe(frameSize(f));
        expect(parseFrames(bytes).map(normalize)).toEqual([normalize(f)]);
        const type = new Reader(bytes).varint();
        expect(type).toBe(frameTypeOf(f));
        expect(EXT_TYPES).toContain(type);
        expect(frameKindOf(type)).toBe(f.type);
        if ('ip' in f) expect(type & 1).toBe(f.ip.length === 16 ? 1 : 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('every strict prefix of an encoded extension frame is a FRAME_ENCODING_ERROR', () => {
    fc.assert(
      fc.property(arbAnyExt, (f) => {
        const bytes = encode(f);
        for (let n = 1; n < bytes.length; n++) {
          const expected = n < typeLength(bytes) ? 0 : frameTypeOf(f);
          expectTransportError(() => parseFrames(bytes.subarray(0, n)), 'FRAME_ENCODING_ERROR', expected);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('extension types followed by random bytes only produce frames or a TransportError', () => {
    let ok = 0;
    let err = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...EXT_TYPES),
        // Small values are over-represented so that varints are often short and plausible.
        fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 48,
        }),
        (type, body) => {
          const bytes = new Writer().varint(type).bytes(Uint8Array.from(body)).finish();
          if (checkDecode(bytes)) ok++;
          else err++;
        },
      ),
      { numRuns: 10_000 },
    );
    // Both outcomes must be reached for the property to mean anything.
    expect(ok).toBeGreaterThan(500);
    expect(err).toBeGreaterThan(500);
  });

  it('mutated payloads of extension frames only produce frames or a TransportError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(arbAnyExt, arbFrame), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), {
          minLength: 1,
          maxLength: 4,
        }),
        (frames, edits) => {
          let b = encode(...frames);
          for (const [at, value, cut] of edits) {
            if (b.length === 0) return;
            if (cut) b = b.slice(0, at % b.length);
            else b[at % b.length] = value;
          }
          if (b.length > 0) checkDecode(b);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('uniformly random bytes behind an extension type never throw anything but TransportError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXT_TYPES), fc.uint8Array({ maxLength: 64 }), (type, body) => {
        checkDecode(new Writer().varint(type).bytes(body).finish());
      }),
      { numRuns: 5000 },
    );
  });
});
