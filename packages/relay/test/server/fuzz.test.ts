import fc from 'fast-check';
import { expect, test } from 'vitest';
import { encodeClientToRelay } from '../../src/index.js';
import { fixedKey } from '../support/keys.js';
import { RawClient } from '../support/raw-client.js';
import { connected, nextDatagrams, startRelay } from '../support/relay.js';

const [A, B] = [fixedKey(1), fixedKey(2)];

const frameArb = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  // Valid-looking frames with mutations.
  fc
    .tuple(
      fc.constantFrom(
        encodeClientToRelay({ type: 'ping', data: new Uint8Array(8) }),
        encodeClientToRelay({
          type: 'datagrams',
          dst: B.public(),
          datagrams: { ecn: 0, contents: Uint8Array.of(1) },
        }),
        encodeClientToRelay({
          type: 'datagrams',
          dst: A.public(),
          datagrams: { ecn: 2, segmentSize: 2, contents: Uint8Array.of(1, 2, 3) },
        }),
      ),
      fc.nat(),
      fc.nat({ max: 255 }),
    )
    .map(([f, at, v]) => {
      const out = f.slice();
      out[at % out.length] = v;
      return out;
    }),
);

test('random frames from one client never disturb the relay or other clients', async () => {
  const server = await startRelay();
  const ca = await connected(server.url, A);
  const cb = await connected(server.url, B);
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.boolean(),
      fc.array(frameArb, { minLength: 1, maxLength: 5 }),
      async (authenticate, frames) => {
        const raw = await RawClient.open(server.url);
        if (authenticate) await raw.handshake(fixedKey(77));
        for (const f of frames) raw.send(f);
        // Either the relay closes the client, or it answers a ping: it must react in one of those ways.
        raw.send(encodeClientToRelay({ type: 'ping', data: new Uint8Array(8).fill(0xee) }));
        const outcome = await Promise.race([
          raw.closed.then((c) => `closed ${c.code}`),
          (async () => {
            for (;;) {
              const f = await raw.next(5000);
              if (f[0] === 10 && f[1] === 0xee) return 'pong';
            }
          })(),
        ]);
        expect(outcome).toMatch(/^(closed 100[289]|pong)$/);
        raw.ws.terminate();
        n++;
        const got = nextDatagrams(cb, A.public());
        ca.sendDatagram(B.public(), Uint8Array.of(n & 0xff));
        expect([...(await got).datagrams.contents]).toEqual([n & 0xff]);
      },
    ),
    { numRuns: 40 },
  );
  const health = await fetch(new URL('/healthz', server.url));
  expect(health.status).toBe(200);
});
