import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../src/proto/coding.js';
import {
  decodeFrames,
  encodeFrame,
  type Frame,
  frameKindOf,
  frameSize,
  frameTypeOf,
  isAckEliciting,
  isFrameAllowed,
  parseFrames,
} from '../../src/proto/frame.js';
import { RangeSet } from '../../src/proto/range-set.js';
import { expectTransportError, hex, toHex } from './codec-helpers.js';
import { normalize } from './frame-arbitraries.js';

const encode = (...frames: Frame[]): Uint8Array => {
  const w = new Writer();
  for (const f of frames) encodeFrame(w, f);
  return w.finish();
};
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

interface Fixture {
  initial_client: { initial_plaintext_payload_hex: string; client_hello_hex: string };
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/iroh-quic-initial.json', import.meta.url), 'utf8'),
) as Fixture;

/** Known-answer vectors: bytes hand-built from the RFC 9000 §19 / RFC 9221 / ack-frequency layouts. */
const KATS: [string, string, Frame][] = [
  ['PING', '01', { type: 'ping' }],
  [
    'ACK (two ranges)',
    '02 05 0a 01 01 00 02',
    {
      type: 'ack',
      ackDelay: 10,
      ranges: RangeSet.from([
        [4, 6],
        [0, 3],
      ]),
      ecn: undefined,
    },
  ],
  [
    'ACK_ECN',
    '03 00 33 00 00 01 02 4040',
    { type: 'ack', ackDelay: 51, ranges: RangeSet.from([[0, 1]]), ecn: { ect0: 1, ect1: 2, ce: 64 } },
  ],
  [
    'RESET_STREAM',
    '04 04 4100 80004000',
    { type: 'resetStream', streamId: 4, errorCode: 256n, finalSize: 16384 },
  ],
  ['STOP_SENDING', '05 08 07', { type: 'stopSending', streamId: 8, errorCode: 7n }],
  ['CRYPTO', '06 00 03 aabbcc', { type: 'crypto', offset: 0, data: hex('aabbcc') }],
  ['NEW_TOKEN', '07 02 dead', { type: 'newToken', token: hex('dead') }],
  [
    'STREAM 0x0f',
    '0f 01 4064 03 616263',
    { type: 'stream', streamId: 1, offset: 100, fin: true, data: hex('616263'), explicitLength: true },
  ],
  [
    'STREAM 0x08 (to end of packet)',
    '08 04 6869',
    { type: 'stream', streamId: 4, offset: 0, fin: false, data: hex('6869'), explicitLength: false },
  ],
  ['MAX_DATA', '10 80010000', { type: 'maxData', maximum: 65536 }],
  ['MAX_STREAM_DATA', '11 02 4400', { type: 'maxStreamData', streamId: 2, maximum: 1024 }],
  ['MAX_STREAMS bidi', '12 4064', { type: 'maxStreams', bidi: true, maximum: 100 }],
  ['MAX_STREAMS uni', '13 0a', { type: 'maxStreams', bidi: false, maximum: 10 }],
  ['DATA_BLOCKED', '14 3f', { type: 'dataBlocked', limit: 63 }],
  ['STREAM_DATA_BLOCKED', '15 00 01', { type: 'streamDataBlocked', streamId: 0, limit: 1 }],
  ['STREAMS_BLOCKED bidi', '16 05', { type: 'streamsBlocked', bidi: true, limit: 5 }],
  ['STREAMS_BLOCKED uni', '17 06', { type: 'streamsBlocked', bidi: false, limit: 6 }],
  [
    'NEW_CONNECTION_ID',
    '18 02 01 04 01020304 101112131415161718191a1b1c1d1e1f',
    {
      type: 'newConnectionId',
      sequence: 2,
      retirePriorTo: 1,
      connectionId: hex('01020304'),
      resetToken: hex('101112131415161718191a1b1c1d1e1f'),
    },
  ],
  ['RETIRE_CONNECTION_ID', '19 03', { type: 'retireConnectionId', sequence: 3 }],
  ['PATH_CHALLENGE', '1a 0102030405060708', { type: 'pathChallenge', data: hex('0102030405060708') }],
  ['PATH_RESPONSE', '1b 0807060504030201', { type: 'pathResponse', data: hex('0807060504030201') }],
  [
    'CONNECTION_CLOSE (transport)',
    '1c 0a 08 03 626164',
    { type: 'connectionClose', errorCode: 0x0an, frameType: 8, reason: hex('626164') },
  ],
  [
    'CONNECTION_CLOSE (application)',
    '1d 4100 00',
    { type: 'applicationClose', errorCode: 256n, reason: hex('') },
  ],
  ['HANDSHAKE_DONE', '1e', { type: 'handshakeDone' }],
  ['IMMEDIATE_ACK', '1f', { type: 'immediateAck' }],
  ['DATAGRAM 0x30', '30 6869', { type: 'datagram', data: hex('6869'), explicitLength: false }],
  ['DATAGRAM 0x31', '31 02 6869', { type: 'datagram', data: hex('6869'), explicitLength: true }],
  [
    'ACK_FREQUENCY',
    '40af 01 02 800061a8 01',
    {
      type: 'ackFrequency',
      sequence: 1,
      ackElicitingThreshold: 2,
      requestMaxAckDelay: 25000,
      reorderingThreshold: 1,
    },
  ],
  ['PADDING', '000000', { type: 'padding', length: 3 }],
];

describe('frame known answers', () => {
  it.each(KATS)('%s decodes from and encodes to %s', (_name, bytes, frame) => {
    const b = hex(bytes);
    const frames = parseFrames(b);
    expect(frames.map(normalize)).toEqual([normalize(frame)]);
    expect(toHex(encode(frame))).toBe(toHex(b));
    expect(frameSize(frame)).toBe(b.length);
    expect(frameKindOf(frameTypeOf(frame))).toBe(frame.type);
  });

  it.each(
    KATS.filter(
      ([, , f]) => !(f.type === 'padding' || ('explicitLength' in f && f.explicitLength === false)),
    ),
  )('%s: every strict prefix is a FRAME_ENCODING_ERROR', (_name, bytes) => {
    const b = hex(bytes);
    const type = new Reader(b).varint();
    for (let n = b[0] === 0x40 ? 2 : 1; n < b.length; n++) {
      expectTransportError(() => parseFrames(b.subarray(0, n)), 'FRAME_ENCODING_ERROR', type);
    }
  });

  it('decodes all eight STREAM type variants', () => {
    for (let type = 0x08; type <= 0x0f; type++) {
      const off = (type & 0x04) !== 0;
      const len = (type & 0x02) !== 0;
      const b = hex(`${type.toString(16).padStart(2, '0')} 07 ${off ? '4100' : ''} ${len ? '02' : ''} aabb`);
      const [f] = parseFrames(b);
      expect(f).toEqual({
        type: 'stream',
        streamId: 7,
        offset: off ? 256 : 0,
        fin: (type & 0x01) !== 0,
        data: hex('aabb'),
        explicitLength: len,
      });
      if (off) expect(toHex(encode(f!))).toBe(toHex(b));
    }
  });

  it('returns views into the payload, not copies', () => {
    const b = hex('0f 01 4064 03 616263 31 02 6869');
    const [s, d] = parseFrames(b) as [Frame & { data: Uint8Array }, Frame & { data: Uint8Array }];
    expect(s.data.buffer).toBe(b.buffer);
    expect(s.data.byteOffset).toBe(5);
    expect(d.data.buffer).toBe(b.buffer);
  });

  it('accepts a non-minimal frame type encoding', () => {
    expect(parseFrames(hex('4001 80000001 1e'))).toEqual([
      { type: 'ping' },
      { type: 'ping' },
      { type: 'handshakeDone' },
    ]);
  });

  it('coalesces padding and stops at the next frame', () => {
    const frames = parseFrames(hex('01 0000 01 00'));
    expect(frames).toEqual([
      { type: 'ping' },
      { type: 'padding', length: 2 },
      { type: 'ping' },
      { type: 'padding', length: 1 },
    ]);
  });
});

describe('real iroh packets', () => {
  it('decodes the iroh 1.0.2 client Initial payload: CRYPTO(ClientHello) + 780 PADDING', () => {
    const payload = hex(fixture.initial_client.initial_plaintext_payload_hex);
    const ch = hex(fixture.initial_client.client_hello_hex);
    expect(payload.length).toBe(1145);
    const frames = parseFrames(payload);
    expect(frames).toHaveLength(2);
    const [crypto, padding] = frames;
    expect(crypto).toMatchObject({ type: 'crypto', offset: 0 });
    expect(crypto?.type === 'crypto' && toHex(crypto.data)).toBe(toHex(ch));
    expect(crypto?.type === 'crypto' && crypto.data.length).toBe(361);
    expect(padding).toEqual({ type: 'padding', length: 780 });
    expect(toHex(encode(...frames))).toBe(toHex(payload));
    expect(frames.some((f) => isAckEliciting(f.type))).toBe(true);
    expect(frames.every((f) => isFrameAllowed(f.type, 'initial'))).toBe(true);
  });

  it('encodes the Initial CONNECTION_CLOSE iroh sends when closing during the handshake', () => {
    // Spec §3.1 / vectors: 0x1c, APPLICATION_ERROR (0x0c), frame type 0, empty reason, 1141 PADDING bytes.
    const close: Frame = {
      type: 'connectionClose',
      errorCode: 0x0cn,
      frameType: 0,
      reason: new Uint8Array(0),
    };
    const bytes = encode(close, { type: 'padding', length: 1141 });
    expect(toHex(bytes.subarray(0, 4))).toBe('1c0c0000');
    expect(bytes.length).toBe(1145);
    expect(parseFrames(bytes).map(normalize)).toEqual([normalize(close), { type: 'padding', length: 1141 }]);
    expect(isFrameAllowed('connectionClose', 'initial')).toBe(true);
    expect(isAckEliciting('connectionClose')).toBe(false);
  });

  it('encodes the first server ACK (largest 0, ack delay 51) minimally', () => {
    expect(toHex(encode({ type: 'ack', ackDelay: 51, ranges: RangeSet.from([[0, 1]]) }))).toBe('0200330000');
  });
});

describe('frame validation', () => {
  it('rejects unknown frame types with FRAME_ENCODING_ERROR carrying the type', () => {
    for (const [bytes, type] of [
      ['20', 0x20],
      ['2f', 0x2f],
      ['3c', 0x3c],
      ['403d', 0x3d], // between DATAGRAM_LEN 0x31 and PATH_ACK 0x3e
      ['7e74', 0x3e74], // just below PATH_ABANDON 0x3e75
      ['7e7d', 0x3e7d], // just above PATH_CIDS_BLOCKED 0x3e7c
      ['80 3d7f95', 0x3d7f95], // just above REMOVE_ADDRESS 0x3d7f94
      ['80 9f81a5', 0x9f81a5], // just below OBSERVED_ADDRESS 0x9f81a6
      ['ffffffffffffffff', MAX_SAFE],
    ] as const) {
      const te = expectTransportError(() => parseFrames(hex(bytes)), 'FRAME_ENCODING_ERROR', type);
      expect(te.errorCode).toBe(0x07);
    }
  });

  it('rejects an empty payload with PROTOCOL_VIOLATION', () => {
    expectTransportError(() => decodeFrames(new Uint8Array(0), () => {}), 'PROTOCOL_VIOLATION');
  });

  it('delivers frames before a malformed one', () => {
    const seen: string[] = [];
    expectTransportError(
      () => decodeFrames(hex('01 1e 21'), (f) => seen.push(f.type)),
      'FRAME_ENCODING_ERROR',
      0x21,
    );
    expect(seen).toEqual(['ping', 'handshakeDone']);
  });

  it.each([
    ['first range below 0', '02 05 00 00 06', 0x02],
    ['gap below 0', '02 05 00 01 01 03 00', 0x02],
    ['range length below 0', '02 05 00 01 01 00 03', 0x02],
    ['huge range count', '02 05 00 bfffffff 00', 0x02],
    ['NEW_CONNECTION_ID with empty CID', `18 01 00 00 ${'00'.repeat(16)}`, 0x18],
    ['NEW_CONNECTION_ID with 21-byte CID', `18 01 00 15 ${'00'.repeat(21 + 16)}`, 0x18],
    ['retire_prior_to > sequence', `18 01 02 04 01020304 ${'00'.repeat(16)}`, 0x18],
    ['empty NEW_TOKEN', '07 00', 0x07],
    ['MAX_STREAMS above 2^60', '12 d000000000000001', 0x12],
    ['STREAMS_BLOCKED above 2^60', '17 d000000000000001', 0x17],
    ['stream id above 2^53-1', '0a c020000000000000 00', 0x0a],
    ['STREAM offset + length above 2^53-1', '0e 00 c01fffffffffffff 02 aabb', 0x0e],
    ['CRYPTO offset + length above 2^53-1', '06 c01fffffffffffff 01 aa', 0x06],
    ['STREAM length beyond payload', '0a 00 05 aabb', 0x0a],
    ['DATAGRAM length beyond payload', '31 05 aabb', 0x31],
    ['CONNECTION_CLOSE reason beyond payload', '1c 00 00 05 aa', 0x1c],
    ['RETIRE_CONNECTION_ID sequence above 2^53-1', '19 ffffffffffffffff', 0x19],
  ])('rejects %s', (_name, bytes, type) => {
    expectTransportError(() => parseFrames(hex(bytes)), 'FRAME_ENCODING_ERROR', type);
  });

  it('accepts the limits themselves', () => {
    expect(parseFrames(hex('12 d000000000000000'))).toEqual([
      { type: 'maxStreams', bidi: true, maximum: MAX_SAFE },
    ]);
    expect(parseFrames(hex('0e 00 c01ffffffffffffd 02 aabb'))[0]).toMatchObject({ offset: MAX_SAFE - 2 });
    expect(parseFrames(hex('02 05 00 01 01 00 02'))[0]).toMatchObject({ type: 'ack' });
  });

  it('saturates flow-control limits at 2^53-1 and writes them back as 2^62-1', () => {
    const b = hex('10 ffffffffffffffff');
    const [f] = parseFrames(b);
    expect(f).toEqual({ type: 'maxData', maximum: MAX_SAFE });
    expect(toHex(encode(f!))).toBe(toHex(b));
    expect(parseFrames(hex('10 c020000000000000'))).toEqual([{ type: 'maxData', maximum: MAX_SAFE }]);
    expect(parseFrames(hex('10 c01fffffffffffff'))).toEqual([{ type: 'maxData', maximum: MAX_SAFE }]);
    expect(parseFrames(hex('10 c01ffffffffffffe'))).toEqual([{ type: 'maxData', maximum: MAX_SAFE - 1 }]);
    expect(toHex(encode({ type: 'maxStreams', bidi: false, maximum: MAX_SAFE }))).toBe('13d000000000000000');
  });

  it('keeps 62-bit error codes exact', () => {
    const [f] = parseFrames(hex('1d ffffffffffffffff 00'));
    expect(f).toMatchObject({ type: 'applicationClose', errorCode: (1n << 62n) - 1n });
  });

  it('refuses to encode invalid frames', () => {
    const bad: Frame[] = [
      { type: 'ack', ackDelay: 0, ranges: new RangeSet() },
      { type: 'newToken', token: new Uint8Array(0) },
      { type: 'pathChallenge', data: new Uint8Array(7) },
      {
        type: 'newConnectionId',
        sequence: 1,
        retirePriorTo: 0,
        connectionId: new Uint8Array(21),
        resetToken: new Uint8Array(16),
      },
      {
        type: 'newConnectionId',
        sequence: 1,
        retirePriorTo: 2,
        connectionId: new Uint8Array(4),
        resetToken: new Uint8Array(16),
      },
      { type: 'maxStreams', bidi: true, maximum: 2 ** 60 + 2 ** 20 },
      { type: 'padding', length: 0 },
    ];
    for (const f of bad) {
      const w = new Writer();
      expect(() => encodeFrame(w, f)).toThrow(RangeError);
      expect(w.len).toBe(0);
    }
    expect(() => encode({ type: 'maxData', maximum: -1 })).toThrow(RangeError);
    expect(() => encode({ type: 'retireConnectionId', sequence: 1.5 })).toThrow(RangeError);
  });
});
