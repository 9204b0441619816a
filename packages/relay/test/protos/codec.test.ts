import { describe, expect, test } from 'vitest';
import {
  batchDatagrams,
  classifyClientFrame,
  classifyRelayFrame,
  decodeClientToRelay,
  decodeRelayToClient,
  encodeClientToRelay,
  encodeDatagramsFrame,
  encodeRelayToClient,
  FrameType,
  frameTypeName,
  KeyCache,
  MAX_PACKET_SIZE,
  PROTOCOL_V1,
  PROTOCOL_V2,
  readFrameType,
  splitDatagrams,
  statusDescription,
  statusName,
  takeSegments,
} from '../../src/index.js';
import { fixedKey, NOT_A_POINT } from '../support/keys.js';
import { norm } from '../support/vectors.js';

const key = fixedKey(1).public();
const code = (c: string) => expect.objectContaining({ code: c });

function frame(type: number, contentLength: number): Uint8Array {
  const out = new Uint8Array(1 + contentLength);
  out[0] = type;
  out.set(key.bytesView.subarray(0, Math.min(32, contentLength)), 1);
  return out;
}

describe('frame type varint', () => {
  test('one-byte and non-minimal encodings read the same type', () => {
    expect(readFrameType(Uint8Array.of(9))).toBe(9);
    expect(readFrameType(Uint8Array.of(0x40, 9))).toBe(9);
    expect(readFrameType(Uint8Array.of(0x80, 0, 0, 9))).toBe(9);
    expect(readFrameType(Uint8Array.of(0xc0, 0, 0, 0, 0, 0, 1, 0))).toBe(256);
  });

  test('truncated or empty input is UnexpectedEnd', () => {
    expect(() => readFrameType(new Uint8Array())).toThrow(code('UnexpectedEnd'));
    expect(() => readFrameType(Uint8Array.of(0x40))).toThrow(code('UnexpectedEnd'));
    expect(() => readFrameType(Uint8Array.of(0xc0, 1, 2))).toThrow(code('UnexpectedEnd'));
  });

  test('names', () => {
    expect(frameTypeName(FrameType.Status)).toBe('Status');
    expect(frameTypeName(200)).toBe('Unknown(200)');
  });
});

describe('client → relay validation', () => {
  test('accepts each client frame type at its minimum size', () => {
    expect(classifyClientFrame(frame(4, 33))).toBe(4);
    expect(classifyClientFrame(frame(5, 35))).toBe(5);
    expect(classifyClientFrame(frame(9, 8))).toBe(9);
    expect(classifyClientFrame(frame(10, 8))).toBe(10);
    // Non-minimal type encoding (iroh's VarInt decoding accepts it).
    expect(classifyClientFrame(Uint8Array.of(0x40, 9, 1, 2, 3, 4, 5, 6, 7, 8))).toBe(9);
  });

  test('rejects short, long, unknown and misdirected frames with typed codes', () => {
    expect(() => classifyClientFrame(new Uint8Array())).toThrow(code('UnexpectedEnd'));
    expect(() => classifyClientFrame(frame(4, 32))).toThrow(code('InvalidFrame'));
    expect(() => classifyClientFrame(frame(5, 34))).toThrow(code('InvalidFrame'));
    expect(() => classifyClientFrame(frame(9, 7))).toThrow(code('InvalidFrame'));
    expect(() => classifyClientFrame(frame(10, 9))).toThrow(code('InvalidFrame'));
    expect(() => classifyClientFrame(frame(6, 40))).toThrow(code('InvalidFrameType'));
    expect(() => classifyClientFrame(frame(1, 97))).toThrow(code('InvalidFrameType'));
    expect(() => classifyClientFrame(frame(14, 8))).toThrow(code('UnknownFrameType'));
    expect(() => classifyClientFrame(frame(63, 8))).toThrow(code('UnknownFrameType'));
  });

  test('content up to MAX_PACKET_SIZE is accepted, one byte more is FrameTooLarge', () => {
    expect(classifyClientFrame(frame(4, MAX_PACKET_SIZE))).toBe(4);
    expect(() => classifyClientFrame(frame(4, MAX_PACKET_SIZE + 1))).toThrow(code('FrameTooLarge'));
  });

  test('decodes datagrams, masks ECN to 2 bits, and treats segment size 0 as a single datagram', () => {
    const f = frame(5, 35 + 4);
    f[33] = 0xfe;
    f[34] = 0;
    f[35] = 0;
    const msg = decodeClientToRelay(f);
    if (msg.type !== 'datagrams') throw new Error('type');
    expect(msg.dst.equals(key)).toBe(true);
    expect(msg.datagrams.ecn).toBe(2);
    expect(msg.datagrams.segmentSize).toBeUndefined();
    expect(msg.datagrams.contents.length).toBe(4);
  });

  test('an invalid destination key is InvalidPublicKey', () => {
    const f = frame(4, 40);
    f.set(NOT_A_POINT, 1);
    expect(() => decodeClientToRelay(f)).toThrow(code('InvalidPublicKey'));
    expect(classifyClientFrame(f)).toBe(4);
  });
});

describe('relay → client validation', () => {
  test('Health only on v1, Status only on v2', () => {
    const health = encodeRelayToClient({ type: 'health', problem: 'bad' });
    const status = encodeRelayToClient({ type: 'status', status: 1 });
    expect(decodeRelayToClient(health, PROTOCOL_V1)).toEqual({ type: 'health', problem: 'bad' });
    expect(() => decodeRelayToClient(health, PROTOCOL_V2)).toThrow(code('FrameNotAllowedInVersion'));
    expect(decodeRelayToClient(status, PROTOCOL_V2)).toEqual({ type: 'status', status: 1 });
    expect(() => decodeRelayToClient(status, PROTOCOL_V1)).toThrow(code('FrameNotAllowedInVersion'));
  });

  test('unknown status values decode as themselves', () => {
    expect(decodeRelayToClient(Uint8Array.of(13, 77, 1), PROTOCOL_V2)).toEqual({
      type: 'status',
      status: 77,
    });
    expect(statusName(77)).toBe('unknown');
    expect(statusDescription(77)).toContain('77');
    expect(statusName(2)).toBe('rateLimited');
  });

  test('malformed relay frames', () => {
    expect(() => classifyRelayFrame(Uint8Array.of(13), PROTOCOL_V2)).toThrow(code('InvalidFrame'));
    expect(() => classifyRelayFrame(frame(8, 31), PROTOCOL_V2)).toThrow(code('InvalidFrame'));
    expect(() => classifyRelayFrame(frame(12, 7), PROTOCOL_V2)).toThrow(code('InvalidFrame'));
    expect(() => classifyRelayFrame(frame(4, 40), PROTOCOL_V2)).toThrow(code('InvalidFrameType'));
    expect(() => classifyRelayFrame(frame(0, 16), PROTOCOL_V2)).toThrow(code('InvalidFrameType'));
    expect(() => decodeRelayToClient(Uint8Array.of(11, 0xff, 0xfe), PROTOCOL_V1)).toThrow(
      code('InvalidUtf8'),
    );
    const gone = new Uint8Array(33);
    gone[0] = 8;
    gone.set(NOT_A_POINT, 1);
    expect(() => decodeRelayToClient(gone, PROTOCOL_V2)).toThrow(code('InvalidPublicKey'));
  });

  test('Restarting carries two big-endian u32 millisecond values', () => {
    const bytes = encodeRelayToClient({ type: 'restarting', reconnectInMs: 0xfffffffe, tryForMs: 1 });
    expect(decodeRelayToClient(bytes, PROTOCOL_V1)).toEqual({
      type: 'restarting',
      reconnectInMs: 0xfffffffe,
      tryForMs: 1,
    });
    expect(() => encodeRelayToClient({ type: 'restarting', reconnectInMs: -1, tryForMs: 0 })).toThrow(
      code('InvalidArgument'),
    );
  });
});

describe('encoding rules', () => {
  test('empty datagrams, bad segment sizes and oversize frames are rejected', () => {
    expect(() =>
      encodeClientToRelay({ type: 'datagrams', dst: key, datagrams: { ecn: 0, contents: new Uint8Array() } }),
    ).toThrow(code('EmptyDatagram'));
    expect(() =>
      encodeClientToRelay({
        type: 'datagrams',
        dst: key,
        datagrams: { ecn: 0, segmentSize: 0, contents: new Uint8Array(4) },
      }),
    ).toThrow(code('InvalidArgument'));
    expect(() =>
      encodeClientToRelay({
        type: 'datagrams',
        dst: key,
        datagrams: { ecn: 0, contents: new Uint8Array(MAX_PACKET_SIZE) },
      }),
    ).toThrow(code('FrameTooLarge'));
    const biggest = encodeClientToRelay({
      type: 'datagrams',
      dst: key,
      datagrams: { ecn: 0, contents: new Uint8Array(MAX_PACKET_SIZE - 33) },
    });
    expect(biggest.length - 1).toBe(MAX_PACKET_SIZE);
    expect(() => encodeClientToRelay({ type: 'ping', data: new Uint8Array(7) })).toThrow(
      code('InvalidArgument'),
    );
    expect(() =>
      encodeDatagramsFrame(true, new Uint8Array(31), { ecn: 0, contents: Uint8Array.of(1) }),
    ).toThrow(code('InvalidArgument'));
  });
});

describe('datagram batches', () => {
  const d = (n: number, fill: number) => new Uint8Array(n).fill(fill);

  test('batch and split are inverse', () => {
    const parts = [d(5, 1), d(5, 2), d(3, 3)];
    const batch = batchDatagrams(parts, 2);
    expect(batch.segmentSize).toBe(5);
    expect(batch.ecn).toBe(2);
    expect(splitDatagrams(batch).map((p) => [...p])).toEqual(parts.map((p) => [...p]));
    expect(splitDatagrams({ ecn: 0, contents: d(9, 1) })).toHaveLength(1);
    expect(batchDatagrams([d(4, 1)]).segmentSize).toBeUndefined();
  });

  test('batch rejects empty and unequal datagrams', () => {
    expect(() => batchDatagrams([])).toThrow(code('EmptyDatagram'));
    expect(() => batchDatagrams([d(4, 1), d(0, 1)])).toThrow(code('EmptyDatagram'));
    expect(() => batchDatagrams([d(4, 1), d(3, 1), d(4, 1)])).toThrow(code('InvalidArgument'));
    expect(() => batchDatagrams([d(4, 1), d(5, 1)])).toThrow(code('InvalidArgument'));
  });

  test('takeSegments splits at segment boundaries and drops the segment size of single datagrams', () => {
    const batch = batchDatagrams([d(4, 1), d(4, 2), d(4, 3), d(2, 4)]);
    const [a, rest] = takeSegments(batch, 2);
    expect(a.contents.length).toBe(8);
    expect(a.segmentSize).toBe(4);
    const [b, rest2] = takeSegments(rest!, 1);
    expect(b.contents.length).toBe(4);
    expect(b.segmentSize).toBeUndefined();
    expect(rest2!.contents.length).toBe(2);
    expect(rest2!.segmentSize).toBeUndefined();
    const [c, none] = takeSegments(rest2!, 5);
    expect(c.contents.length).toBe(2);
    expect(none).toBeUndefined();
  });
});

describe('KeyCache', () => {
  test('returns equal keys, evicts beyond capacity, rejects non-points', () => {
    const cache = new KeyCache(2);
    const a = fixedKey(1).public().toBytes();
    const b = fixedKey(2).public().toBytes();
    const c = fixedKey(3).public().toBytes();
    const first = cache.get(a);
    expect(cache.get(a)).toBe(first);
    cache.get(b);
    cache.get(c);
    expect(cache.size).toBe(2);
    expect(cache.get(a)).not.toBe(first);
    expect(cache.get(a).equals(first)).toBe(true);
    expect(() => cache.get(NOT_A_POINT)).toThrow(code('InvalidPublicKey'));
  });
});

describe('message round trips', () => {
  test('every relay → client message type', () => {
    const msgs = [
      {
        type: 'datagrams',
        src: key,
        datagrams: { ecn: 1, segmentSize: 2, contents: Uint8Array.of(1, 2, 3) },
      },
      { type: 'endpointGone', endpointId: key },
      { type: 'pong', data: new Uint8Array(8).fill(9) },
    ] as const;
    for (const msg of msgs) {
      expect(norm(decodeRelayToClient(encodeRelayToClient(msg), PROTOCOL_V2))).toEqual(norm(msg));
    }
  });
});
