import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DecodedTransportParameters,
  decodeTransportParameters,
  defaultTransportParameters,
  type TransportParameters,
} from '../../src/proto/transport-params.js';
import { encodeTransportParameters } from '../../src/proto/transport-params-encode.js';
import { expectTransportError, hex, seeded, toHex } from './codec-helpers.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function expectTpError(fn: () => unknown): void {
  expect(expectTransportError(fn, 'TRANSPORT_PARAMETER_ERROR').errorCode).toBe(0x08);
}

describe('validation (RFC 9000 §7.4, §18.2)', () => {
  const tp = (s: string) => hex(s);

  it('applies RFC defaults when parameters are absent', () => {
    const p = decodeTransportParameters(new Uint8Array(0), 'server');
    expect(p).toEqual({ ...defaultTransportParameters(), order: [] });
    expect(p).toMatchObject({
      maxUdpPayloadSize: 65527,
      ackDelayExponent: 3,
      maxAckDelay: 25,
      activeConnectionIdLimit: 2,
      maxIdleTimeout: 0,
      initialMaxData: 0,
      maxDatagramFrameSize: undefined,
      minAckDelay: undefined,
    });
  });

  it.each([
    ['duplicate known id', '01 01 05 01 01 06'],
    ['duplicate GREASE id', '1b 00 1b 01 aa'],
    ['max_udp_payload_size 1199', '03 02 44af'],
    ['ack_delay_exponent 21', '0a 01 15'],
    ['max_ack_delay 2^14', '0b 04 80004000'],
    ['active_connection_id_limit 1', '0e 01 01'],
    ['initial_max_streams_bidi 2^60 + 1', '08 08 d000000000000001'],
    ['initial_max_streams_uni 2^60 + 1', '09 08 d000000000000001'],
    ['min_ack_delay > max_ack_delay', '0b 01 01 c0000000ff04de1b 02 43e9'],
    ['value longer than its varint', '01 02 05 00'],
    ['empty integer value', '04 00'],
    ['truncated length', '01'],
    ['value beyond the end', '01 04 05'],
    ['21-byte connection id', `0f 15 ${'00'.repeat(21)}`],
    ['15-byte reset token (server)', `02 0f ${'00'.repeat(15)}`],
    ['disable_active_migration with a value', '0c 01 00'],
    ['grease_quic_bit with a value', '6ab2 01 00'],
    ['NAT traversal of 2 bytes', 'c0003d7f91120401 02 0020'],
    ['NAT traversal value 0', 'c0003d7f91120401 01 00'],
    ['observed_address 3', 'c00000009f81a176 01 03'],
    ['duplicate id with a non-minimal encoding', '01 01 05 4001 01 06'],
    ['initial_max_path_id 2^32', '3e 08 c000000100000000'],
  ])('rejects %s', (_name, bytes) => {
    expectTpError(() => decodeTransportParameters(tp(bytes), 'server'));
  });

  it('accepts values at the limits', () => {
    const p = decodeTransportParameters(
      tp('03 02 44b0 0a 01 14 0b 02 7fff 0e 01 02 08 08 d000000000000000 3e 04 bfffffff'),
      'server',
    );
    expect(p).toMatchObject({
      maxUdpPayloadSize: 1200,
      ackDelayExponent: 20,
      maxAckDelay: 16383,
      activeConnectionIdLimit: 2,
      initialMaxStreamsBidi: MAX_SAFE,
      initialMaxPathId: 0x3fffffff,
    });
    expect(decodeTransportParameters(tp('c0000000ff04de1b 04 800061a8'), 'client').minAckDelay).toBe(25000);
  });

  it('ignores unknown and GREASE parameters but keeps them', () => {
    const p = decodeTransportParameters(tp('1b 02 aabb 4021 00 01 01 05 80ff0000 01 99'), 'client');
    expect(p.maxIdleTimeout).toBe(5);
    expect(p.unknown.map((u) => [u.id, toHex(u.value)])).toEqual([
      [0x1bn, 'aabb'],
      [0x21n, ''],
      [0xff0000n, '99'],
    ]);
  });

  const serverOnly: [string, string][] = [
    ['original_destination_connection_id', '00 04 01020304'],
    ['stateless_reset_token', `02 10 ${'ab'.repeat(16)}`],
    ['retry_source_connection_id', '10 04 01020304'],
    ['preferred_address', `0d 2d 7f000001 1234 ${'00'.repeat(18)} 04 01020304 ${'cd'.repeat(16)}`],
  ];
  it.each(serverOnly)('rejects server-only %s from a client, accepts it from a server', (_name, bytes) => {
    expectTpError(() => decodeTransportParameters(tp(bytes), 'client'));
    expect(() => decodeTransportParameters(tp(bytes), 'server')).not.toThrow();
  });

  it('parses preferred_address fully and re-encodes it', () => {
    const v6 = '20010db8000000000000000000000001';
    const bytes = tp(`0d 31 7f000001 1234 ${v6} 1235 08 0102030405060708 ${'cd'.repeat(16)}`);
    const p = decodeTransportParameters(bytes, 'server');
    const pa = p.preferredAddress!;
    expect(toHex(pa.ipv4!.address)).toBe('7f000001');
    expect(pa.ipv4!.port).toBe(0x1234);
    expect(toHex(pa.ipv6!.address)).toBe(v6);
    expect(pa.ipv6!.port).toBe(0x1235);
    expect(toHex(pa.connectionId)).toBe('0102030405060708');
    expect(toHex(pa.statelessResetToken)).toBe('cd'.repeat(16));
    expect(toHex(encodeTransportParameters(p))).toBe(toHex(bytes));
    // An all-zero family is absent.
    const v4only = decodeTransportParameters(
      tp(`0d 2d 7f000001 1234 ${'00'.repeat(18)} 04 01020304 ${'cd'.repeat(16)}`),
      'server',
    );
    expect(v4only.preferredAddress!.ipv6).toBeUndefined();
  });

  it.each([
    ['zero-length CID', `0d 29 7f000001 1234 ${'00'.repeat(18)} 00 ${'cd'.repeat(16)}`],
    ['no address at all', `0d 2d ${'00'.repeat(24)} 04 01020304 ${'cd'.repeat(16)}`],
    ['trailing byte', `0d 2e 7f000001 1234 ${'00'.repeat(18)} 04 01020304 ${'cd'.repeat(16)} 00`],
    ['truncated token', `0d 2c 7f000001 1234 ${'00'.repeat(18)} 04 01020304 ${'cd'.repeat(15)}`],
  ])('rejects a preferred_address with %s', (_name, bytes) => {
    expectTpError(() => decodeTransportParameters(tp(bytes), 'server'));
  });
});

const arbParams: fc.Arbitrary<Partial<TransportParameters>> = (() => {
  const n = (max: number) =>
    fc.oneof(fc.integer({ min: 0, max: Math.min(max, 20000) }), fc.integer({ min: 0, max }));
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const cid = fc.uint8Array({ minLength: 0, maxLength: 20 });
  const ipPort = (len: number) =>
    fc.record({
      address: fc.uint8Array({ minLength: len, maxLength: len }),
      port: fc.integer({ min: 1, max: 65535 }),
    });
  return fc.record(
    {
      originalDestinationConnectionId: opt(cid),
      maxIdleTimeout: n(MAX_SAFE),
      statelessResetToken: opt(fc.uint8Array({ minLength: 16, maxLength: 16 })),
      maxUdpPayloadSize: fc.integer({ min: 1200, max: MAX_SAFE }),
      initialMaxData: n(MAX_SAFE),
      initialMaxStreamDataBidiLocal: n(MAX_SAFE),
      initialMaxStreamDataBidiRemote: n(MAX_SAFE),
      initialMaxStreamDataUni: n(MAX_SAFE),
      initialMaxStreamsBidi: n(MAX_SAFE),
      initialMaxStreamsUni: n(MAX_SAFE),
      ackDelayExponent: fc.integer({ min: 0, max: 20 }),
      maxAckDelay: fc.integer({ min: 1, max: 16383 }),
      disableActiveMigration: fc.boolean(),
      preferredAddress: opt(
        fc.record({
          ipv4: ipPort(4),
          ipv6: opt(ipPort(16)),
          connectionId: fc.uint8Array({ minLength: 1, maxLength: 20 }),
          statelessResetToken: fc.uint8Array({ minLength: 16, maxLength: 16 }),
        }),
      ),
      activeConnectionIdLimit: fc.integer({ min: 2, max: MAX_SAFE }),
      initialSourceConnectionId: opt(cid),
      retrySourceConnectionId: opt(cid),
      maxDatagramFrameSize: opt(n(MAX_SAFE)),
      greaseQuicBit: fc.boolean(),
      minAckDelay: opt(fc.integer({ min: 0, max: 1000 })),
      initialMaxPathId: opt(n(0xffffffff)),
      maxRemoteNatTraversalAddresses: opt(fc.integer({ min: 1, max: 255 })),
      addressDiscovery: opt(fc.constantFrom('sendOnly' as const, 'receiveOnly' as const, 'both' as const)),
    },
    { requiredKeys: [] },
  );
})();

/** Byte fields as plain arrays for `toEqual`. */
const plain = (p: Partial<TransportParameters>): unknown =>
  JSON.parse(
    JSON.stringify(p, (_k, v: unknown) =>
      v instanceof Uint8Array ? Array.from(v) : typeof v === 'bigint' ? `${v}n` : v,
    ),
  );

describe('round trips', () => {
  it('decode(encode(params)) has the same values, with defaults for the rest', () => {
    fc.assert(
      fc.property(arbParams, fc.integer(), (params, seed) => {
        const bytes = encodeTransportParameters(params, { random: seeded(seed) });
        const decoded: DecodedTransportParameters = decodeTransportParameters(bytes, 'server');
        const { order, unknown, ...values } = decoded;
        expect(unknown).toHaveLength(1);
        expect(plain(values)).toEqual(
          plain({ ...defaultTransportParameters(), unknown: undefined, ...params }),
        );
        expect(toHex(encodeTransportParameters(decoded, { order }))).toBe(toHex(bytes));
      }),
      { numRuns: 3000 },
    );
  });
});
