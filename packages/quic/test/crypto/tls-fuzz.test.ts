import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeExtensions,
  type Extension,
  type ExtensionContext,
  encodeExtensions,
  extensionType,
} from '../../src/crypto/tls/extensions.js';
import {
  bindersLength,
  type Certificate,
  type ClientHello,
  decodeHandshake,
  decodeHandshakeBody,
  encodeHandshake,
  HandshakeFramer,
  type HandshakeMessage,
  type HelloRetryRequest,
  type ServerHello,
  truncateForBinders,
  withBinders,
} from '../../src/crypto/tls/messages.js';
import { Reader, Writer } from '../../src/proto/coding.js';
import { FUZZ_RUNS, hex, onlyTypedErrors, vectors } from './tls-helpers.js';

const TIMEOUT = 120_000;
const params = { numRuns: FUZZ_RUNS };
/** Round trips build and compare whole structures: a quarter of the runs keeps them near the decoders' time. */
const roundTripParams = { numRuns: Math.ceil(FUZZ_RUNS / 4) };

// ---------------------------------------------------------------- generators of valid values

const bytes = (minLength: number, maxLength: number) => fc.uint8Array({ minLength, maxLength });
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16s = fc.array(u16, { minLength: 1, maxLength: 8 });
const u8s = fc.array(u8, { minLength: 1, maxLength: 8 });
const opaque = (types: number[]): fc.Arbitrary<Extension> =>
  fc.record({ kind: fc.constant('opaque' as const), type: fc.constantFrom(...types), data: bytes(0, 12) });
const keyShareEntry = fc.record({ group: u16, keyExchange: bytes(1, 40) });

const chExtension: fc.Arbitrary<Extension> = fc.oneof(
  fc.record({
    kind: fc.constant('server_name' as const),
    names: fc.array(fc.record({ nameType: u8, name: bytes(1, 20) }), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant('supported_groups' as const), groups: u16s }),
  fc.record({ kind: fc.constant('signature_algorithms' as const), schemes: u16s }),
  fc.record({ kind: fc.constant('signature_algorithms_cert' as const), schemes: u16s }),
  fc.record({ kind: fc.constant('ec_point_formats' as const), formats: u8s }),
  fc.record({
    kind: fc.constant('alpn' as const),
    protocols: fc.array(bytes(1, 10), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('status_request' as const),
    responderIds: fc.array(bytes(1, 5), { maxLength: 2 }),
    requestExtensions: bytes(0, 5),
  }),
  fc.record({ kind: fc.constant('client_certificate_type' as const), types: u8s }),
  fc.record({ kind: fc.constant('server_certificate_type' as const), types: u8s }),
  fc.constant({ kind: 'extended_master_secret' as const }),
  fc.constant({ kind: 'early_data' as const }),
  fc.record({ kind: fc.constant('supported_versions' as const), versions: u16s }),
  fc.record({ kind: fc.constant('cookie' as const), cookie: bytes(1, 20) }),
  fc.record({ kind: fc.constant('psk_key_exchange_modes' as const), modes: u8s }),
  fc.record({
    kind: fc.constant('key_share' as const),
    shares: fc.uniqueArray(keyShareEntry, { maxLength: 3, selector: (s) => s.group }),
  }),
  fc.record({ kind: fc.constant('quic_transport_parameters' as const), data: bytes(0, 30) }),
  fc.integer({ min: 1, max: 3 }).chain((n) =>
    fc.record({
      kind: fc.constant('pre_shared_key' as const),
      identities: fc.array(fc.record({ identity: bytes(1, 20), obfuscatedTicketAge: u32 }), {
        minLength: n,
        maxLength: n,
      }),
      binders: fc.array(bytes(32, 48), { minLength: n, maxLength: n }),
    }),
  ),
  opaque([1, 14, 15, 18, 21, 27, 28, 35, 47, 49, 0xff01, 0xfe0d, 0x0a0a, 0x1a1a, 0x4469, 0x1234]),
);

/** A block with unique types, pre_shared_key moved last as RFC 8446 requires. */
function block(ext: fc.Arbitrary<Extension>, maxLength = 8): fc.Arbitrary<Extension[]> {
  return fc
    .uniqueArray(ext, { maxLength, selector: extensionType })
    .map((l) => [
      ...l.filter((e) => e.kind !== 'pre_shared_key'),
      ...l.filter((e) => e.kind === 'pre_shared_key'),
    ]);
}

const sv = fc.record({ kind: fc.constant('supported_versions_selected' as const), version: u16 });
const shExtension: fc.Arbitrary<Extension> = fc.oneof(
  sv,
  fc.record({ kind: fc.constant('key_share_server' as const), share: keyShareEntry }),
  fc.record({ kind: fc.constant('pre_shared_key_selected' as const), selectedIdentity: u16 }),
);
const hrrExtension: fc.Arbitrary<Extension> = fc.oneof(
  sv,
  fc.record({ kind: fc.constant('key_share_hrr' as const), selectedGroup: u16 }),
  fc.record({ kind: fc.constant('cookie' as const), cookie: bytes(1, 20) }),
);
const eeExtension: fc.Arbitrary<Extension> = fc.oneof(
  fc.constant({ kind: 'server_name_ack' as const }),
  fc.record({ kind: fc.constant('supported_groups' as const), groups: u16s }),
  fc.record({
    kind: fc.constant('alpn' as const),
    protocols: fc.array(bytes(1, 10), { minLength: 1, maxLength: 1 }),
  }),
  fc.constant({ kind: 'early_data' as const }),
  fc.record({ kind: fc.constant('client_certificate_type_selected' as const), certType: u8 }),
  fc.record({ kind: fc.constant('server_certificate_type_selected' as const), certType: u8 }),
  fc.record({ kind: fc.constant('quic_transport_parameters' as const), data: bytes(0, 30) }),
  opaque([1, 14, 15, 28, 0xfe0d]),
);
const crExtension: fc.Arbitrary<Extension> = fc.oneof(
  fc.record({ kind: fc.constant('signature_algorithms_cert' as const), schemes: u16s }),
  opaque([5, 18, 27, 47, 48, 0x0a0a, 0x1234]),
);
const certExtension = opaque([5, 18]);
const nstExtension: fc.Arbitrary<Extension> = fc.oneof(
  fc.record({ kind: fc.constant('early_data_max' as const), maxEarlyDataSize: u32 }),
  opaque([0x0a0a, 0x1234, 0x4469]),
);

const clientHelloArb: fc.Arbitrary<ClientHello> = fc.record({
  kind: fc.constant('client_hello' as const),
  legacyVersion: u16,
  random: bytes(32, 32),
  legacySessionId: bytes(0, 32),
  cipherSuites: u16s,
  legacyCompressionMethods: bytes(1, 3),
  extensions: block(chExtension),
});
const serverHelloArb: fc.Arbitrary<ServerHello> = fc.record({
  kind: fc.constant('server_hello' as const),
  legacyVersion: u16,
  random: bytes(32, 32),
  legacySessionIdEcho: bytes(0, 32),
  cipherSuite: u16,
  legacyCompressionMethod: u8,
  extensions: block(shExtension),
});
const hrrArb: fc.Arbitrary<HelloRetryRequest> = fc.record({
  kind: fc.constant('hello_retry_request' as const),
  legacyVersion: u16,
  legacySessionIdEcho: bytes(0, 32),
  cipherSuite: u16,
  legacyCompressionMethod: u8,
  extensions: block(hrrExtension),
});
const certificateArb: fc.Arbitrary<Certificate> = fc.record({
  kind: fc.constant('certificate' as const),
  context: bytes(0, 8),
  entries: fc.array(fc.record({ data: bytes(1, 60), extensions: block(certExtension) }), { maxLength: 3 }),
});
const messageArb: fc.Arbitrary<HandshakeMessage> = fc.oneof(
  clientHelloArb,
  serverHelloArb,
  hrrArb,
  fc.record({ kind: fc.constant('encrypted_extensions' as const), extensions: block(eeExtension) }),
  fc.record({
    kind: fc.constant('certificate_request' as const),
    context: bytes(0, 8),
    extensions: fc
      .tuple(
        fc.record({ kind: fc.constant('signature_algorithms' as const), schemes: u16s }),
        block(crExtension),
      )
      .map(([sig, rest]) => [sig, ...rest]),
  }),
  certificateArb,
  fc.record({ kind: fc.constant('certificate_verify' as const), scheme: u16, signature: bytes(0, 80) }),
  fc.record({ kind: fc.constant('finished' as const), verifyData: bytes(32, 48) }),
  fc.record({
    kind: fc.constant('new_session_ticket' as const),
    lifetime: u32,
    ageAdd: u32,
    nonce: bytes(0, 8),
    ticket: bytes(1, 40),
    extensions: block(nstExtension),
  }),
);

// ---------------------------------------------------------------- mutation of real messages

const seeds: Uint8Array[] = [
  hex(vectors.iroh_client_hello.message_hex),
  hex(vectors.iroh_resumption_client_hello.message_hex),
  hex(vectors.iroh_qad_client_hello.message_hex),
  hex(vectors.rfc8448_resumed_0rtt.client_hello),
  ...['client_hello', 'server_hello', 'new_session_ticket', 'client_finished'].map((k) =>
    hex(vectors.rfc8448_simple_1rtt[k]!),
  ),
  ...new HandshakeFramer().push(hex(vectors.rfc8448_simple_1rtt.server_flight!)).map((m) => m.raw),
];

type Mutation = { op: number; at: number; value: number; len: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.integer({ min: 0, max: 5 }),
  at: fc.nat(),
  value: u8,
  len: fc.integer({ min: 1, max: 8 }),
});

function mutate(input: Uint8Array, ops: Mutation[]): Uint8Array {
  let b = Array.from(input);
  for (const { op, at, value, len } of ops) {
    const i = b.length === 0 ? 0 : at % b.length;
    if (op === 0) b[i] = value;
    else if (op === 1) b[i] = (b[i] ?? 0) ^ (1 << (value & 7));
    else if (op === 2) b.splice(i, 0, ...Array.from({ length: len }, () => value));
    else if (op === 3) b.splice(i, len);
    else if (op === 4) b = b.slice(0, i);
    else b.splice(i, 0, ...b.slice(i, i + len));
  }
  return Uint8Array.from(b);
}

/** Real seeds, mutated; or encoded random valid messages, mutated; or random bytes. */
const fuzzInput: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }))
    .map(([s, m]) => mutate(s, m)),
  fc
    .tuple(messageArb, fc.array(mutation, { maxLength: 4 }))
    .map(([m, ops]) => mutate(encodeHandshake(m), ops)),
  bytes(0, 300),
);

// ---------------------------------------------------------------- properties

describe('fuzz: decoders throw only typed errors', () => {
  const bodyTypes = [1, 2, 4, 5, 8, 11, 13, 15, 20, 24];
  for (const type of bodyTypes) {
    it(
      `message type ${type} body`,
      () => {
        fc.assert(
          fc.property(fuzzInput, fc.boolean(), (input, quic) =>
            onlyTypedErrors(() =>
              decodeHandshakeBody(type, input.subarray(Math.min(4, input.length)), { quic }),
            ),
          ),
          params,
        );
      },
      TIMEOUT,
    );
  }

  it(
    'complete messages (decodeHandshake), and re-encoding whatever decodes is exact',
    () => {
      const decoded = new Map<string, number>();
      fc.assert(
        fc.property(fuzzInput, (input) =>
          onlyTypedErrors(() => {
            const m = decodeHandshake(input, { quic: false });
            decoded.set(m.kind, (decoded.get(m.kind) ?? 0) + 1);
            // A message that decodes must re-encode to the same bytes, except a hello without an extensions block.
            const again = encodeHandshake(m);
            if (again.length !== input.length) {
              expect(
                m.kind === 'client_hello' || m.kind === 'server_hello' || m.kind === 'hello_retry_request',
              ).toBe(true);
              expect(again.length).toBe(input.length + 2);
            } else {
              expect(again).toEqual(input);
            }
          }),
        ),
        params,
      );
      // The inputs must reach the decoders' success paths, not only their first length check.
      const total = [...decoded.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(FUZZ_RUNS / 50);
      expect(decoded.size).toBeGreaterThanOrEqual(8);
    },
    TIMEOUT,
  );

  it(
    'extension blocks in every context',
    () => {
      const contexts: ExtensionContext[] = [
        'client_hello',
        'server_hello',
        'hello_retry_request',
        'encrypted_extensions',
        'certificate_request',
        'certificate',
        'new_session_ticket',
      ];
      fc.assert(
        fc.property(fuzzInput, fc.constantFrom(...contexts), fc.nat(8), (input, ctx, skip) =>
          onlyTypedErrors(() => decodeExtensions(new Reader(input, Math.min(skip, input.length)), ctx)),
        ),
        params,
      );
    },
    TIMEOUT,
  );

  it(
    'PSK binder truncation and patching',
    () => {
      fc.assert(
        fc.property(fuzzInput, (input) =>
          onlyTypedErrors(() => {
            const t = truncateForBinders(input);
            expect(t.length).toBeLessThan(input.length);
            expect(t).toEqual(input.subarray(0, t.length));
            const m = decodeHandshake(input);
            const psk = m.kind === 'client_hello' ? m.extensions.at(-1) : undefined;
            if (psk?.kind === 'pre_shared_key') {
              expect(input.length - t.length).toBe(bindersLength(psk.binders.map((b) => b.length)));
              expect(withBinders(input, psk.binders)).toEqual(input);
            }
          }),
        ),
        params,
      );
    },
    TIMEOUT,
  );

  it(
    'the framer, fed in random chunks, never hangs and returns exactly the framed bytes',
    () => {
      fc.assert(
        fc.property(
          fc.array(fuzzInput, { maxLength: 4 }),
          fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
          fc.integer({ min: 0, max: 600 }),
          (inputs, chunkSizes, max) => {
            const stream = Uint8Array.from(inputs.flatMap((i) => Array.from(i)));
            const framer = new HandshakeFramer({ maxMessageSize: max });
            const got: number[] = [];
            return onlyTypedErrors(() => {
              for (let pos = 0, k = 0; pos < stream.length; k++) {
                const n = chunkSizes[k % chunkSizes.length]!;
                for (const m of framer.push(stream.subarray(pos, pos + n))) {
                  expect(m.raw.length).toBe(m.body.length + 4);
                  expect(m.body.length).toBeLessThanOrEqual(max);
                  got.push(...m.raw);
                }
                pos += n;
              }
              expect(got.length + framer.buffered).toBe(stream.length);
              expect(Uint8Array.from(got)).toEqual(stream.subarray(0, got.length));
            });
          },
        ),
        params,
      );
    },
    TIMEOUT,
  );
});

describe('round trips of random valid messages', () => {
  it(
    'encode → decode → encode is the identity',
    () => {
      fc.assert(
        fc.property(messageArb, (m) => {
          const bytes = encodeHandshake(m);
          const back = decodeHandshake(bytes);
          expect(back).toEqual(m);
          expect(encodeHandshake(back)).toEqual(bytes);
        }),
        roundTripParams,
      );
    },
    TIMEOUT,
  );

  it(
    'extension blocks round-trip in their own context',
    () => {
      const cases: [ExtensionContext, fc.Arbitrary<Extension[]>][] = [
        ['client_hello', block(chExtension, 20)],
        ['server_hello', block(shExtension)],
        ['hello_retry_request', block(hrrExtension)],
        ['encrypted_extensions', block(eeExtension)],
        ['certificate', block(certExtension)],
        ['new_session_ticket', block(nstExtension)],
      ];
      const arb = fc.oneof(...cases.map(([ctx, a]) => a.map((exts) => [ctx, exts] as const)));
      fc.assert(
        fc.property(arb, ([ctx, exts]) => {
          const w = new Writer();
          encodeExtensions(w, exts);
          const r = new Reader(w.finish());
          expect(decodeExtensions(r, ctx)).toEqual(exts);
          expect(r.eof).toBe(true);
        }),
        roundTripParams,
      );
    },
    TIMEOUT,
  );
});
