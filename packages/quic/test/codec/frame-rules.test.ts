import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../src/proto/coding.js';
import {
  cryptoDataCapacity,
  cryptoFrameHeaderSize,
  datagramDataCapacity,
  datagramFrameHeaderSize,
  encodeFrame,
  type Frame,
  type FrameKind,
  type FramePacketType,
  frameSize,
  isAckEliciting,
  isFrameAllowed,
  isProbingFrame,
  parseFrames,
  readFrame,
  streamDataCapacity,
  streamFrameHeaderSize,
} from '../../src/proto/frame.js';
import { hex } from './codec-helpers.js';
import { arbFrame, arbFrameList, arbLastFrame, normalize } from './frame-arbitraries.js';

const encode = (...frames: Frame[]): Uint8Array => {
  const w = new Writer();
  for (const f of frames) encodeFrame(w, f);
  return w.finish();
};

describe('packet-type rules and properties', () => {
  const ALL: FrameKind[] = [
    'padding',
    'ping',
    'ack',
    'resetStream',
    'stopSending',
    'crypto',
    'newToken',
    'stream',
    'maxData',
    'maxStreamData',
    'maxStreams',
    'dataBlocked',
    'streamDataBlocked',
    'streamsBlocked',
    'newConnectionId',
    'retireConnectionId',
    'pathChallenge',
    'pathResponse',
    'connectionClose',
    'applicationClose',
    'handshakeDone',
    'datagram',
    'ackFrequency',
    'immediateAck',
  ];
  /** Multipath, NAT traversal and address discovery: 1-RTT only. */
  const EXT: FrameKind[] = [
    'pathAbandon',
    'pathStatus',
    'maxPathId',
    'pathsBlocked',
    'pathCidsBlocked',
    'addAddress',
    'reachOut',
    'removeAddress',
    'observedAddress',
  ];
  const allowed = (packet: FramePacketType) => ALL.filter((k) => isFrameAllowed(k, packet));

  it('follows RFC 9000 Table 3', () => {
    expect(allowed('initial')).toEqual(['padding', 'ping', 'ack', 'crypto', 'connectionClose']);
    expect(allowed('handshake')).toEqual(['padding', 'ping', 'ack', 'crypto', 'connectionClose']);
    const notIn0Rtt: FrameKind[] = [
      'ack',
      'crypto',
      'newToken',
      'pathResponse',
      'handshakeDone',
      'ackFrequency',
      'immediateAck',
    ];
    expect(allowed('zeroRtt')).toEqual(ALL.filter((k) => !notIn0Rtt.includes(k)));
    expect(allowed('oneRtt')).toEqual(ALL);
    for (const k of EXT) {
      expect(isFrameAllowed(k, 'oneRtt')).toBe(true);
      expect(['initial', 'handshake', 'zeroRtt'].some((p) => isFrameAllowed(k, p as FramePacketType))).toBe(
        false,
      );
    }
  });

  it('marks ack-eliciting and probing frames', () => {
    expect(ALL.filter((k) => !isAckEliciting(k))).toEqual([
      'padding',
      'ack',
      'connectionClose',
      'applicationClose',
    ]);
    expect(ALL.filter(isProbingFrame)).toEqual([
      'padding',
      'newConnectionId',
      'pathChallenge',
      'pathResponse',
    ]);
    expect(EXT.every(isAckEliciting)).toBe(true);
    expect(EXT.filter(isProbingFrame)).toEqual(['observedAddress']);
  });
});

describe('round trips', () => {
  it('decode(encode(frame)) == frame and frameSize is exact, for every frame type', () => {
    fc.assert(
      fc.property(fc.oneof(arbFrame, arbLastFrame), (f) => {
        const bytes = encode(f);
        expect(bytes.length).toBe(frameSize(f));
        const out = parseFrames(bytes);
        expect(out.map(normalize)).toEqual([normalize(f)]);
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips whole packet payloads', () => {
    fc.assert(
      fc.property(arbFrameList, (frames) => {
        const bytes = encode(...frames);
        expect(parseFrames(bytes).map(normalize)).toEqual(frames.map(normalize));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sizing helpers for the packet builder', () => {
  it('header sizes match the encoder', () => {
    const s: Frame = { type: 'stream', streamId: 70, offset: 20000, fin: false, data: new Uint8Array(100) };
    expect(streamFrameHeaderSize(70, 20000, 100)).toBe(1 + 2 + 4 + 2);
    expect(frameSize(s)).toBe(109);
    expect(streamFrameHeaderSize(0, 0, 10, false)).toBe(2);
    expect(cryptoFrameHeaderSize(0, 361)).toBe(4);
    expect(datagramFrameHeaderSize(5)).toBe(2);
    expect(datagramFrameHeaderSize(5, false)).toBe(1);
  });

  it('capacities are the largest data length that fits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70000 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.boolean(),
        (space, id, offset, explicit) => {
          const size = (n: number) => streamFrameHeaderSize(id, offset, n, explicit) + n;
          const n = streamDataCapacity(space, id, offset, explicit);
          if (n < 0) expect(size(0)).toBeGreaterThan(space);
          else {
            expect(size(n)).toBeLessThanOrEqual(space);
            expect(size(n + 1)).toBeGreaterThan(space);
          }
          const c = cryptoDataCapacity(space, offset);
          const csize = (k: number) => cryptoFrameHeaderSize(offset, k) + k;
          if (c < 0) expect(csize(0)).toBeGreaterThan(space);
          else {
            expect(csize(c)).toBeLessThanOrEqual(space);
            expect(csize(c + 1)).toBeGreaterThan(space);
          }
          const d = datagramDataCapacity(space, explicit);
          const dsize = (k: number) => datagramFrameHeaderSize(k, explicit) + k;
          if (d < 0) expect(dsize(0)).toBeGreaterThan(space);
          else {
            expect(dsize(d)).toBeLessThanOrEqual(space);
            expect(dsize(d + 1)).toBeGreaterThan(space);
          }
        },
      ),
      { numRuns: 5000 },
    );
    // 63 bytes fit with a 1-byte length in 67 bytes; 64 bytes need a 2-byte length and 68 bytes.
    expect(streamDataCapacity(67, 0, 0)).toBe(63);
    expect(streamDataCapacity(68, 0, 0)).toBe(64);
    expect(cryptoDataCapacity(1, 0)).toBe(-1);
  });

  it('readFrame advances exactly past one frame', () => {
    const r = new Reader(hex('01 06 00 01 aa 1e'));
    expect(readFrame(r)).toEqual({ type: 'ping' });
    expect(readFrame(r)).toMatchObject({ type: 'crypto', offset: 0 });
    expect(r.pos).toBe(5);
  });
});
