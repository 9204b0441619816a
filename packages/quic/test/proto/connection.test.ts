import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/proto/connection/events.js';
import { seededRandom } from '../../src/testing/pair.js';
import { concat, events, makePair, readAvailable } from '../support/pair-helpers.js';

describe('connection stories (scripted handshake, simulated link)', () => {
  it('completes a handshake: both sides established, server confirmed, client confirmed by HANDSHAKE_DONE', () => {
    const { pair, client, server } = makePair();
    const ce: ConnectionEvent[] = [];
    const se: ConnectionEvent[] = [];
    pair.runUntil(() => {
      events(client, ce);
      events(server, se);
      return (
        ce.some((e) => e.type === 'handshake-confirmed') && se.some((e) => e.type === 'handshake-confirmed')
      );
    });
    expect(client.isHandshaking).toBe(false);
    expect(server.isHandshaking).toBe(false);
    expect(ce.map((e) => e.type)).toEqual(['handshake-complete', 'handshake-confirmed']);
    // One round trip for the client to complete, plus one for HANDSHAKE_DONE: about 2 RTT of 10 ms.
    expect(pair.now).toBeLessThan(60);
    // The first client datagram was padded to 1200 bytes.
    expect(client.stats().bytesSent).toBeGreaterThanOrEqual(1200);
  });

  it('echoes a 1-byte message on a bidirectional stream', () => {
    const { pair, client, server } = makePair();
    pair.runUntil(() => !client.isHandshaking);
    const id = client.openStream('bi')!;
    expect(id).toBe(0);
    expect(client.write(id, Uint8Array.of(42))).toBe(1);
    client.finish(id);
    let sid: number | undefined;
    const got: Uint8Array[] = [];
    pair.runUntil(() => {
      sid ??= server.acceptStream('bi');
      return sid !== undefined && readAvailable(server, sid, got);
    });
    expect([...concat(got)]).toEqual([42]);
    server.write(sid!, Uint8Array.of(42));
    server.finish(sid!);
    const back: Uint8Array[] = [];
    pair.runUntil(() => readAvailable(client, id, back));
    expect([...concat(back)]).toEqual([42]);
    // Both sides learn that their data was acknowledged.
    const fin: ConnectionEvent[] = [];
    pair.runUntil(() => events(server, fin).some((e) => e.type === 'stream' && e.event.type === 'finished'));
  });

  it('moves 4 MiB intact and respects flow control', () => {
    const { pair, client, server } = makePair({ link: { latency: 2 } });
    pair.runUntil(() => !client.isHandshaking);
    const data = seededRandom(3)(4 << 20);
    const id = client.openStream('uni')!;
    let written = 0;
    let sid: number | undefined;
    const got: Uint8Array[] = [];
    let done = false;
    pair.runUntil(
      () => {
        if (written < data.length) written += client.write(id, data.subarray(written));
        if (written === data.length && !done) {
          client.finish(id);
          done = true;
        }
        sid ??= server.acceptStream('uni');
        return sid !== undefined && readAvailable(server, sid, got);
      },
      { maxSteps: 2_000_000 },
    );
    const received = concat(got);
    expect(received.length).toBe(data.length);
    expect(Buffer.from(sha256(received)).toString('hex')).toBe(Buffer.from(sha256(data)).toString('hex'));
    expect(client.stats().packetsLost).toBe(0);
  });

  it('closes with an application code and reason that the peer sees', () => {
    const { pair, client, server } = makePair();
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    client.close(pair.now, 7n, new TextEncoder().encode('bye'));
    const se: ConnectionEvent[] = [];
    pair.runUntil(() => events(server, se).some((e) => e.type === 'closed'));
    const closed = se.find((e) => e.type === 'closed');
    expect(closed?.type === 'closed' && closed.reason).toEqual({
      kind: 'application',
      errorCode: 7n,
      reason: new TextEncoder().encode('bye'),
      remote: true,
    });
    pair.runUntil(() => client.isDrained && server.isDrained);
  });
});
