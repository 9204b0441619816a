import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CryptoSession, EncryptionLevel } from '../../src/crypto/session.js';
import { TlsAlert } from '../../src/crypto/tls/alerts.js';
import { HandshakeType } from '../../src/crypto/tls/constants.js';
import { createTlsSession } from '../../src/crypto/tls/index.js';
import { handshake, rpkClientConfig, rpkServerConfig } from './handshake-helpers.js';

/** Runs per property (each builds fresh sessions): FC_HANDSHAKE_RUNS, default 1,500. */
const RUNS = Number(process.env.FC_HANDSHAKE_RUNS ?? 1_500);

type Flight = { level: EncryptionLevel; data: Uint8Array };

/** The flights of a reference handshake; sessions made from the same seeds reproduce them exactly. */
function reference(): { client: Flight[]; server: Flight[] } {
  const { log, error } = handshake();
  if (error !== undefined) throw new Error('reference handshake failed');
  const flights = (side: 'client' | 'server') =>
    log.flatMap((d) =>
      d.from === side && d.event.type === 'handshake-data'
        ? [{ level: d.event.level, data: d.event.data }]
        : [],
    );
  return { client: flights('client'), server: flights('server') };
}

const ref = reference();
const byLevel = (flights: Flight[], level: EncryptionLevel) => flights.find((f) => f.level === level)!.data;

/** Real bytes with a few bytes changed, truncated or extended; or plain garbage. */
function mutated(real: Uint8Array) {
  const edits = fc.array(fc.record({ pos: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), {
    minLength: 1,
    maxLength: 4,
  });
  return fc.oneof(
    edits.map((es) => {
      const out = real.slice();
      for (const e of es) out[e.pos % out.length]! ^= e.xor;
      return out;
    }),
    fc.nat({ max: real.length - 1 }).map((n) => real.slice(0, n)),
    fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.of(...real, ...tail)),
    fc
      .record({ at: fc.nat({ max: real.length }), value: fc.integer({ min: 0, max: 0xffffff }) })
      .map(({ at, value }) => {
        // Overwrite what may be a length field.
        const out = real.slice();
        for (let i = 0; i < 3 && at + i < out.length; i++) out[at + i] = (value >> (8 * (2 - i))) & 0xff;
        return out;
      }),
    fc.uint8Array({ maxLength: 700 }),
  );
}

/** Feeds `data` in up to three chunks; only TlsAlerts other than internal_error may come out. */
function feed(session: CryptoSession, level: EncryptionLevel, data: Uint8Array, cuts: number[]): void {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  try {
    for (const p of [...points, data.length]) {
      session.readHandshake(level, data.subarray(start, p));
      start = p;
    }
    while (session.poll() !== undefined) {}
  } catch (e) {
    if (!(e instanceof TlsAlert)) throw e;
    expect(e.code, e.message).not.toBe('internal_error');
    // A failed session stays failed with the same alert.
    expect(() => session.readHandshake(level, Uint8Array.of(0))).toThrow(e);
  }
}

const cuts = fc.array(fc.nat(), { maxLength: 2 });

function stage(name: string, setup: () => CryptoSession, level: EncryptionLevel, real: Uint8Array) {
  it(`${name}: mutated input only ever fails with a TlsAlert`, () => {
    fc.assert(
      fc.property(mutated(real), cuts, (data, c) => feed(setup(), level, data, c)),
      { numRuns: RUNS },
    );
  });
}

const freshServer = () => createTlsSession(rpkServerConfig());
const freshClient = () => {
  const client = createTlsSession(rpkClientConfig());
  while (client.poll() !== undefined) {}
  return client;
};

describe('handshake robustness (fast-check)', () => {
  stage('server, ClientHello', freshServer, 'initial', byLevel(ref.client, 'initial'));

  stage('client, ServerHello', freshClient, 'initial', byLevel(ref.server, 'initial'));

  stage(
    'client, server handshake flight',
    () => {
      const client = freshClient();
      client.readHandshake('initial', byLevel(ref.server, 'initial'));
      return client;
    },
    'handshake',
    byLevel(ref.server, 'handshake'),
  );

  stage(
    'server, client handshake flight',
    () => {
      const server = freshServer();
      server.readHandshake('initial', byLevel(ref.client, 'initial'));
      return server;
    },
    'handshake',
    byLevel(ref.client, 'handshake'),
  );

  const nst = Uint8Array.of(
    HandshakeType.NewSessionTicket,
    0,
    0,
    16,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    2,
    1,
    9,
    0,
    2,
    7,
    7,
    0,
    0,
  );
  stage(
    'client, after the handshake',
    () => {
      const { client } = handshake();
      return client;
    },
    'one-rtt',
    nst,
  );

  it('the reference flights themselves are accepted (the stages above start from valid states)', () => {
    const client = freshClient();
    client.readHandshake('initial', byLevel(ref.server, 'initial'));
    client.readHandshake('handshake', byLevel(ref.server, 'handshake'));
    expect(client.isHandshaking).toBe(false);
    client.readHandshake('one-rtt', nst);
    const server = freshServer();
    server.readHandshake('initial', byLevel(ref.client, 'initial'));
    server.readHandshake('handshake', byLevel(ref.client, 'handshake'));
    expect(server.isHandshaking).toBe(false);
  });

  it('garbage at any level never escapes as another error type', () => {
    const levels: EncryptionLevel[] = ['initial', 'handshake', 'zero-rtt', 'one-rtt'];
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.constantFrom(...levels),
        fc.uint8Array({ maxLength: 300 }),
        cuts,
        (asClient, level, data, c) => feed(asClient ? freshClient() : freshServer(), level, data, c),
      ),
      { numRuns: RUNS },
    );
  });
});
