import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Reader, Writer } from '../../src/proto/coding.js';
import { decodeTransportParameters, type TransportParameters } from '../../src/proto/transport-params.js';
import {
  encodeTransportParameters,
  greaseTransportParameter,
  IROH_TRANSPORT_PARAMETERS,
  irohTransportParameters,
  isGreaseTransportParameterId,
  randomBelow,
} from '../../src/proto/transport-params-encode.js';
import { hex, seeded, toHex } from './codec-helpers.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

interface TpFixture {
  extension_data_hex: string;
  parameters: { id: string; name: string; value_hex: string; decoded: string | null }[];
}
interface Fixture {
  initial_client: { scid_hex: string; client_hello_hex: string; transport_parameters: TpFixture };
  resumption_client_hello: { scid_hex: string; client_hello_hex: string };
  qad_client_hello: { scid_hex: string; client_hello_hex: string; transport_parameters: TpFixture };
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/iroh-quic-initial.json', import.meta.url), 'utf8'),
) as Fixture;

/** Minimal TLS 1.3 ClientHello walk (RFC 8446 §4.1.2) to the quic_transport_parameters (0x0039) extension. */
function transportParametersExtension(clientHello: Uint8Array): Uint8Array {
  const r = new Reader(clientHello);
  expect(r.u8()).toBe(1); // HandshakeType client_hello
  const body = r.take(r.u24());
  r.finish();
  expect(body.u16()).toBe(0x0303); // legacy_version
  body.bytes(32); // random
  body.vec(1); // legacy_session_id
  body.vec(2); // cipher_suites
  body.vec(1); // legacy_compression_methods
  const exts = body.sub(2);
  body.finish();
  let found: Uint8Array | undefined;
  while (!exts.eof) {
    const type = exts.u16();
    const data = exts.vec(2);
    if (type === 0x39) {
      expect(found).toBeUndefined();
      found = data;
    }
  }
  if (!found) throw new Error('no quic_transport_parameters extension');
  return found;
}

/** Re-serialises (id, value) pairs as a transport parameters body. */
function serialize(params: { id: bigint; value: Uint8Array }[]): Uint8Array {
  const w = new Writer();
  for (const p of params) w.varint(p.id).varint(p.value.length).bytes(p.value);
  return w.finish();
}
const fixtureEntries = (tp: TpFixture) =>
  tp.parameters.map((p) => ({ id: BigInt(p.id), value: hex(p.value_hex) }));

/** The integer values iroh 1.0.2 sends (spec §3.2), as decoded (2^62 − 1 saturates). */
const IROH_VALUES: Partial<TransportParameters> = {
  maxIdleTimeout: 30000,
  maxUdpPayloadSize: 1472,
  initialMaxData: MAX_SAFE,
  initialMaxStreamDataBidiLocal: 1250000,
  initialMaxStreamDataBidiRemote: 1250000,
  initialMaxStreamDataUni: 1250000,
  initialMaxStreamsBidi: 100,
  initialMaxStreamsUni: 100,
  activeConnectionIdLimit: 5,
  maxDatagramFrameSize: 65535,
  minAckDelay: 1000,
};

describe('real iroh 1.0.2 transport parameters', () => {
  const ch = hex(fixture.initial_client.client_hello_hex);
  const ext = transportParametersExtension(ch);

  it('finds the extension in the ClientHello (type 0x0039, 108 bytes at offset 253)', () => {
    expect(toHex(ext)).toBe(fixture.initial_client.transport_parameters.extension_data_hex);
    expect(toHex(ch.subarray(249, 253))).toBe('0039006c');
    expect(toHex(ch.subarray(253, 253 + 108))).toBe(toHex(ext));
  });

  it('decodes every value of the spec §3.2 table', () => {
    const p = decodeTransportParameters(ext, 'client');
    expect(p).toMatchObject(IROH_VALUES);
    expect(toHex(p.initialSourceConnectionId!)).toBe(fixture.initial_client.scid_hex);
    expect(p.initialSourceConnectionId!.length).toBe(8);
    expect(p.initialMaxPathId).toBe(7);
    expect(p.maxRemoteNatTraversalAddresses).toBe(0x20);
    // Not sent, so RFC defaults.
    expect(p.ackDelayExponent).toBe(3);
    expect(p.maxAckDelay).toBe(25);
    expect(p.disableActiveMigration).toBe(false);
    expect(p.greaseQuicBit).toBe(false);
    expect(p.addressDiscovery).toBeUndefined();
    expect(p.originalDestinationConnectionId).toBeUndefined();
    expect(p.statelessResetToken).toBeUndefined();
    expect(p.preferredAddress).toBeUndefined();
    // Exactly one GREASE parameter, kept as unknown.
    expect(p.unknown).toHaveLength(1);
    expect(p.unknown[0]!.id).toBe(0x3b1424058b24c3efn);
    expect(isGreaseTransportParameterId(p.unknown[0]!.id)).toBe(true);
    expect(toHex(p.unknown[0]!.value)).toBe('31a8f079e6bd5fda2731');
    expect(p.order).toEqual(fixtureEntries(fixture.initial_client.transport_parameters).map((e) => e.id));
  });

  it('agrees with the per-parameter values listed in the vectors', () => {
    for (const { tp, ch: hello } of [
      { tp: fixture.initial_client.transport_parameters, ch: fixture.initial_client.client_hello_hex },
      { tp: fixture.qad_client_hello.transport_parameters, ch: fixture.qad_client_hello.client_hello_hex },
    ]) {
      const raw = transportParametersExtension(hex(hello));
      expect(toHex(raw)).toBe(tp.extension_data_hex);
      const p = decodeTransportParameters(raw, 'client');
      const byId = new Map<bigint, unknown>([
        [0x01n, p.maxIdleTimeout],
        [0x03n, p.maxUdpPayloadSize],
        [0x05n, p.initialMaxStreamDataBidiLocal],
        [0x06n, p.initialMaxStreamDataBidiRemote],
        [0x07n, p.initialMaxStreamDataUni],
        [0x08n, p.initialMaxStreamsBidi],
        [0x09n, p.initialMaxStreamsUni],
        [0x0en, p.activeConnectionIdLimit],
        [0x20n, p.maxDatagramFrameSize],
        [0x3en, p.initialMaxPathId],
        [0xff04de1bn, p.minAckDelay],
        [0x3d7f91120401n, p.maxRemoteNatTraversalAddresses],
      ]);
      for (const e of tp.parameters) {
        const id = BigInt(e.id);
        if (byId.has(id)) expect(byId.get(id)).toBe(Number(e.decoded));
      }
    }
  });

  it('decodes the QAD ClientHello: observed_address = 1 (receive-only), no multipath or NAT traversal', () => {
    const p = decodeTransportParameters(
      transportParametersExtension(hex(fixture.qad_client_hello.client_hello_hex)),
      'client',
    );
    expect(p.addressDiscovery).toBe('receiveOnly');
    expect(p.maxIdleTimeout).toBe(35000);
    expect(p.initialMaxPathId).toBeUndefined();
    expect(p.maxRemoteNatTraversalAddresses).toBeUndefined();
    expect(toHex(p.initialSourceConnectionId!)).toBe(fixture.qad_client_hello.scid_hex);
    expect(p.unknown.map((u) => u.id)).toEqual([0x14a99d3f830b934en]);
  });

  it('decodes the resumption ClientHello the same way (different order)', () => {
    const p = decodeTransportParameters(
      transportParametersExtension(hex(fixture.resumption_client_hello.client_hello_hex)),
      'client',
    );
    expect(p).toMatchObject({ ...IROH_VALUES, initialMaxPathId: 7, maxRemoteNatTraversalAddresses: 32 });
    expect(toHex(p.initialSourceConnectionId!)).toBe(fixture.resumption_client_hello.scid_hex);
    expect(p.unknown).toHaveLength(1);
  });

  it('re-encodes all three captured extensions byte for byte (order preserved)', () => {
    for (const hello of [
      fixture.initial_client.client_hello_hex,
      fixture.resumption_client_hello.client_hello_hex,
      fixture.qad_client_hello.client_hello_hex,
    ]) {
      const raw = transportParametersExtension(hex(hello));
      const p = decodeTransportParameters(raw, 'client');
      expect(toHex(encodeTransportParameters(p, { order: p.order }))).toBe(toHex(raw));
    }
  });

  it('IROH_TRANSPORT_PARAMETERS reproduce the real bytes minus 0x3e and NAT traversal', () => {
    const entries = fixtureEntries(fixture.initial_client.transport_parameters);
    const grease = entries.filter((e) => isGreaseTransportParameterId(e.id));
    const expected = serialize(entries.filter((e) => e.id !== 0x3en && e.id !== 0x3d7f91120401n));
    const params = irohTransportParameters(hex(fixture.initial_client.scid_hex), { unknown: grease });
    const out = encodeTransportParameters(params, { order: entries.map((e) => e.id) });
    expect(toHex(out)).toBe(toHex(expected));
    expect(IROH_TRANSPORT_PARAMETERS.initialMaxPathId).toBeUndefined();
    expect(IROH_TRANSPORT_PARAMETERS.maxRemoteNatTraversalAddresses).toBeUndefined();
  });
});

describe('encoding with a random source', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const scid = hex('0102030405060708');
  const decodeOwn = (b: Uint8Array) => decodeTransportParameters(b, 'client');

  it('shuffles, adds exactly one GREASE parameter, and never uses Math.random', () => {
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random used');
    });
    const orders = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const p = decodeOwn(encodeTransportParameters(irohTransportParameters(scid), { random: seeded(seed) }));
      expect(p).toMatchObject(IROH_VALUES);
      expect(p.unknown).toHaveLength(1);
      expect(isGreaseTransportParameterId(p.unknown[0]!.id)).toBe(true);
      expect(p.unknown[0]!.value.length).toBeLessThan(16);
      expect(p.order).toHaveLength(13);
      expect(p.order).not.toContain(0x3en);
      expect(p.order).not.toContain(0x3d7f91120401n);
      expect(p.order).not.toContain(0x9f81a176n);
      orders.add(p.order.filter((id) => id < 0x100000000n).join(','));
    }
    expect(orders.size).toBeGreaterThan(20);
  });

  it('is deterministic for a given random source, and honours grease: false', () => {
    const a = encodeTransportParameters(irohTransportParameters(scid), { random: seeded(7) });
    const b = encodeTransportParameters(irohTransportParameters(scid), { random: seeded(7) });
    expect(toHex(a)).toBe(toHex(b));
    expect(
      decodeOwn(
        encodeTransportParameters(irohTransportParameters(scid), { random: seeded(7), grease: false }),
      ).unknown,
    ).toEqual([]);
    expect(() => encodeTransportParameters({}, { grease: true })).toThrow(RangeError);
    expect(() => encodeTransportParameters({}, { random: () => new Uint8Array(1) })).toThrow(RangeError);
  });

  it('writes extensions only when set, and integers only when not the default', () => {
    expect(
      encodeTransportParameters({ ackDelayExponent: 3, maxAckDelay: 25, maxUdpPayloadSize: 65527 }),
    ).toEqual(new Uint8Array(0));
    const p = decodeOwn(
      encodeTransportParameters({
        initialMaxPathId: 7,
        maxRemoteNatTraversalAddresses: 32,
        addressDiscovery: 'both',
      }),
    );
    expect(p.order).toEqual([0x3en, 0x9f81a176n, 0x3d7f91120401n]);
    expect(toHex(encodeTransportParameters({ maxRemoteNatTraversalAddresses: 32 }))).toBe(
      'c0003d7f911204010120',
    );
  });

  it('GREASE ids have the form 31·N + 27 below 2^62; randomBelow stays in range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const g = greaseTransportParameter(seeded(seed));
        expect(g.id % 31n).toBe(27n);
        expect(g.id < 1n << 62n).toBe(true);
        expect(g.value.length).toBeLessThanOrEqual(15);
        const x = randomBelow(seeded(seed), n);
        expect(x >= 0 && x < n && Number.isInteger(x)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
