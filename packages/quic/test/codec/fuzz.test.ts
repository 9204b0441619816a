/**
 * Fuzzing of the frame and transport parameter decoders: random, structured-random and mutated inputs must
 * only ever produce a result or a typed {@link TransportError} (never TypeError/RangeError, never a hang),
 * and whatever decodes must re-encode to something that decodes the same.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../src/proto/coding.js';
import {
  ExtFrameType,
  encodeFrame,
  type Frame,
  FrameType,
  parseFrames,
  readFrame,
} from '../../src/proto/frame.js';
import { TransportError } from '../../src/proto/transport-error.js';
import { decodeTransportParameters, TransportParameterId } from '../../src/proto/transport-params.js';
import { encodeTransportParameters } from '../../src/proto/transport-params-encode.js';
import { arbFrameList, normalize } from './frame-arbitraries.js';

const FUZZ_RUNS = Number(process.env.FC_NUM_RUNS ?? (process.env.CI ? 100_000 : 10_000));
const TIMEOUT = 120_000;
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/iroh-quic-initial.json', import.meta.url), 'utf8'),
) as {
  initial_client: { transport_parameters: { extension_data_hex: string } };
  qad_client_hello: { transport_parameters: { extension_data_hex: string } };
};

/** Runs `fn`; returns its result, or `undefined` if it threw a TransportError. Anything else propagates. */
function typed<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TransportError) return undefined;
    throw e;
  }
}

function encodeAll(frames: Frame[]): Uint8Array {
  const w = new Writer();
  for (const f of frames) encodeFrame(w, f);
  return w.finish();
}

/** Merges adjacent PADDING frames (a non-minimal 0x4000 PADDING type after 0x00 bytes decodes as two). */
function mergePadding(frames: Frame[]): unknown[] {
  const out: Frame[] = [];
  for (const f of frames) {
    const prev = out[out.length - 1];
    if (f.type === 'padding' && prev?.type === 'padding')
      out[out.length - 1] = { ...prev, length: prev.length + f.length };
    else out.push(f);
  }
  return out.map(normalize);
}

/** Outcomes seen, to check that the generators reach both the success and the error paths. */
const stats = { ok: 0, err: 0 };

/**
 * Decodes `bytes` frame by frame until the end or the first TransportError. The frames decoded so far
 * must survive encode → decode unchanged, whether or not a later frame was malformed.
 */
function checkFrames(bytes: Uint8Array): void {
  const frames: Frame[] = [];
  const r = new Reader(bytes);
  const done = typed(() => {
    while (!r.eof) frames.push(readFrame(r));
    return true;
  });
  if (done) stats.ok++;
  else stats.err++;
  if (frames.length > 0) expect(parseFrames(encodeAll(frames)).map(normalize)).toEqual(mergePadding(frames));
}

/** Runs a property and checks that at least `minShare` of the runs ended each way (decoded / rejected). */
function assertBothOutcomes(run: () => void, minShare: number): void {
  stats.ok = 0;
  stats.err = 0;
  run();
  const total = stats.ok + stats.err;
  expect(stats.ok / total).toBeGreaterThan(minShare);
  expect(stats.err / total).toBeGreaterThan(minShare);
}

/** Byte-level mutations: overwrite, truncate, insert, or force a varint length prefix. */
const arbMutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }),
  }),
  fc.record({ kind: fc.constant('prefix' as const), at: fc.nat(), bits: fc.integer({ min: 0, max: 3 }) }),
);
type Mutation = typeof arbMutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = input.slice();
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'set') b[at] = m.value;
    else if (m.kind === 'cut') b = b.slice(0, at);
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else b[at] = (b[at]! & 0x3f) | (m.bits << 6);
  }
  return b;
}

/** Sequences of known frame type bytes each followed by a few random bytes: reaches deep into frame bodies. */
const KNOWN_TYPES = [
  ...Object.values(FrameType),
  ...Object.values(ExtFrameType),
  0x09,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x0e,
  0x0f,
];
const arbFrameSoup = fc
  .array(
    fc.tuple(
      fc.constantFrom(...KNOWN_TYPES),
      // Small byte values are over-represented so that varints and lengths are often plausible.
      fc
        .array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 })), { maxLength: 24 })
        .map((a) => Uint8Array.from(a)),
      fc.constantFrom(new Uint8Array(0), Uint8Array.of(0x40), Uint8Array.of(0x80), Uint8Array.of(0xc0)),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((chunks) => {
    const w = new Writer();
    for (const [type, body, prefix] of chunks) w.varint(type).bytes(prefix).bytes(body);
    return w.finish();
  });

describe('frame decoder fuzzing', () => {
  it(
    'random bytes only produce frames or a TransportError',
    () => {
      fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 1500 }), checkFrames), {
        numRuns: FUZZ_RUNS,
      });
    },
    TIMEOUT,
  );

  it(
    'structured random frame soup only produces frames or a TransportError',
    () => {
      assertBothOutcomes(
        () => fc.assert(fc.property(arbFrameSoup, checkFrames), { numRuns: FUZZ_RUNS }),
        0.05,
      );
    },
    TIMEOUT,
  );

  it(
    'mutated valid payloads only produce frames or a TransportError',
    () => {
      assertBothOutcomes(
        () =>
          fc.assert(
            fc.property(
              arbFrameList,
              fc.array(arbMutation, { minLength: 1, maxLength: 4 }),
              (frames, mutations) => {
                const bytes = mutate(encodeAll(frames), mutations);
                if (bytes.length > 0) checkFrames(bytes);
              },
            ),
            { numRuns: FUZZ_RUNS },
          ),
        0.05,
      );
    },
    TIMEOUT,
  );

  it('a huge ACK range count is refused instead of looped over', () => {
    // A parser that trusted the count would loop ~2^62 times (the suite's timeout would catch it).
    const bytes = hex(`0205 00 ffffffffffffffff 00${'0000'.repeat(500)}`);
    expect(() => parseFrames(bytes)).toThrow(TransportError);
    expect(typed(() => parseFrames(hex('0205 00 bfffffff 00')))).toBeUndefined();
  });
});

/** Re-encodes decoded parameters in their order; the result must decode to the same values. */
function checkParams(bytes: Uint8Array, sender: 'client' | 'server'): void {
  const p = typed(() => decodeTransportParameters(bytes, sender));
  if (p === undefined) {
    stats.err++;
    return;
  }
  stats.ok++;
  const again = decodeTransportParameters(encodeTransportParameters(p, { order: p.order }), sender);
  expect(again).toEqual(p);
}

const KNOWN_IDS = [...Object.values(TransportParameterId).map(BigInt), 0x1bn, 0x3b1424058b24c3efn, 0x21n];
const arbParamSoup = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...KNOWN_IDS), fc.bigInt({ min: 0n, max: (1n << 62n) - 1n })),
      fc.oneof(
        fc.uint8Array({ maxLength: 20 }),
        fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }).map((v) => new Writer().varint(v).finish()),
      ),
    ),
    { maxLength: 20 },
  )
  .map((params) => {
    const w = new Writer();
    for (const [id, value] of params) w.varint(id).varint(value.length).bytes(value);
    return w.finish();
  });

describe('transport parameter decoder fuzzing', () => {
  const real = [
    hex(fixture.initial_client.transport_parameters.extension_data_hex),
    hex(fixture.qad_client_hello.transport_parameters.extension_data_hex),
  ];
  const arbSender = fc.constantFrom('client' as const, 'server' as const);

  it(
    'random bytes only produce parameters or a TransportError',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), arbSender, (b, sender) => checkParams(b, sender)),
        { numRuns: FUZZ_RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'structured random parameter lists only produce parameters or a TransportError',
    () => {
      assertBothOutcomes(
        () =>
          fc.assert(
            fc.property(arbParamSoup, arbSender, (b, sender) => checkParams(b, sender)),
            { numRuns: FUZZ_RUNS },
          ),
        0.05,
      );
    },
    TIMEOUT,
  );

  it(
    'mutated real iroh parameters only produce parameters or a TransportError',
    () => {
      assertBothOutcomes(
        () =>
          fc.assert(
            fc.property(
              fc.constantFrom(...real),
              fc.array(arbMutation, { minLength: 1, maxLength: 4 }),
              arbSender,
              (b, mutations, sender) => checkParams(mutate(b, mutations), sender),
            ),
            { numRuns: FUZZ_RUNS },
          ),
        0.05,
      );
    },
    TIMEOUT,
  );
});
