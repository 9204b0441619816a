import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/proto/connection/events.js';
import { seededRandom } from '../../src/testing/pair.js';
import { concat, events, makePair, readAvailable, transfer } from '../support/pair-helpers.js';
import { Tap } from '../support/tap.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('loss, reordering and duplication', () => {
  it('completes the handshake under 30% loss in both directions', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { pair, client, server } = makePair({ seed, link: { loss: 0.3 } });
      pair.runUntil(() => !client.isHandshaking && !server.isHandshaking, { deadline: 120_000 });
      expect(client.isClosed).toBe(false);
    }
  });

  it('delivers 2 MiB intact under 5% loss, reordering and duplication', () => {
    const { pair, client, server } = makePair({
      seed: 11,
      link: { latency: 10, jitter: 8, loss: 0.05, duplicate: 0.05 },
    });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking, { deadline: 60_000 });
    const data = seededRandom(9)(2 << 20);
    const got = transfer(pair, client, server, data);
    expect(got.length).toBe(data.length);
    expect(hex(sha256(got))).toBe(hex(sha256(data)));
    expect(client.stats().packetsLost).toBeGreaterThan(0);
  });

  it('both directions at once survive 10% loss', () => {
    const { pair, client, server } = makePair({ seed: 5, link: { latency: 3, jitter: 3, loss: 0.1 } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking, { deadline: 60_000 });
    const up = seededRandom(1)(300_000);
    const down = seededRandom(2)(300_000);
    const a = client.openStream('bi')!;
    client.write(a, up);
    client.finish(a);
    let sid: number | undefined;
    const atServer: Uint8Array[] = [];
    const atClient: Uint8Array[] = [];
    let serverWritten = 0;
    let serverFinished = false;
    pair.runUntil(
      () => {
        sid ??= server.acceptStream('bi');
        if (sid === undefined) return false;
        if (serverWritten < down.length) serverWritten += server.write(sid, down.subarray(serverWritten));
        if (serverWritten === down.length && !serverFinished) {
          server.finish(sid);
          serverFinished = true;
        }
        const s = readAvailable(server, sid, atServer);
        const c = readAvailable(client, a, atClient);
        return s && c;
      },
      { maxSteps: 5_000_000, deadline: 3_600_000 },
    );
    expect(hex(concat(atServer))).toBe(hex(up));
    expect(hex(concat(atClient))).toBe(hex(down));
  });
});

describe('timers and limits', () => {
  it('closes on idle timeout when the peer goes silent', () => {
    const { pair, client, server } = makePair({
      client: { config: { keepAliveInterval: undefined, maxIdleTimeout: 2_000 } },
    });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.links = [
      { ...pair.links[0], loss: 1 },
      { ...pair.links[1], loss: 1 },
    ];
    const ce: ConnectionEvent[] = [];
    pair.runUntil(() => events(client, ce).some((e) => e.type === 'closed'), { deadline: pair.now + 10_000 });
    expect(ce.find((e) => e.type === 'closed')).toEqual({ type: 'closed', reason: { kind: 'timeout' } });
    expect(client.isDrained).toBe(true);
  });

  it('keep-alive does not hold a connection open once the peer is gone', () => {
    // Pings are ack-eliciting sends; only the first after the peer was last heard restarts the idle
    // timer (RFC 9000 §10.1), so the connection still times out.
    const { pair, client, server } = makePair({
      client: { config: { keepAliveInterval: 500, maxIdleTimeout: 2_000 } },
    });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.links = [
      { ...pair.links[0], loss: 1 },
      { ...pair.links[1], loss: 1 },
    ];
    const ce: ConnectionEvent[] = [];
    pair.runUntil(() => events(client, ce).some((e) => e.type === 'closed'), { deadline: pair.now + 60_000 });
    expect(ce.find((e) => e.type === 'closed')).toEqual({ type: 'closed', reason: { kind: 'timeout' } });
  });

  it('a handshake nobody answers times out after the idle timeout (virtual clock)', () => {
    const { pair, client } = makePair({
      client: { config: { maxIdleTimeout: 30_000 } },
      link: { loss: 1 },
    });
    const ce: ConnectionEvent[] = [];
    pair.runUntil(() => events(client, ce).some((e) => e.type === 'closed'), { deadline: 600_000 });
    expect(ce.find((e) => e.type === 'closed')).toEqual({ type: 'closed', reason: { kind: 'timeout' } });
    // The Initial retransmissions (PTO probes) must not push the deadline out: 30 s, not minutes.
    expect(pair.now).toBeGreaterThanOrEqual(30_000);
    expect(pair.now).toBeLessThanOrEqual(31_000);
  });

  it('keep-alive holds an idle connection open past the idle timeout', () => {
    const { pair, client, server } = makePair({
      client: { config: { keepAliveInterval: 500, maxIdleTimeout: 2_000 } },
      server: { config: { keepAliveInterval: undefined, maxIdleTimeout: 2_000 } },
    });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    const until = pair.now + 10_000;
    while (pair.now < until && pair.step(until)) {
      /* run */
    }
    expect(client.isClosed).toBe(false);
    expect(server.isClosed).toBe(false);
  });

  it('datagrams flow both ways and respect the size limit', () => {
    const { pair, client, server } = makePair();
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    const max = client.maxDatagramSize()!;
    expect(max).toBeGreaterThan(1000);
    expect(() => client.sendDatagram(new Uint8Array(max + 1))).toThrow(/exceeds/);
    client.sendDatagram(Uint8Array.of(1, 2, 3));
    server.sendDatagram(Uint8Array.of(4));
    let a: Uint8Array | undefined;
    let b: Uint8Array | undefined;
    pair.runUntil(() => {
      a ??= server.readDatagram();
      b ??= client.readDatagram();
      return a !== undefined && b !== undefined;
    });
    expect([...a!]).toEqual([1, 2, 3]);
    expect([...b!]).toEqual([4]);
  });

  it('limits concurrent streams to the peer’s MAX_STREAMS and raises it as streams close', () => {
    const { pair, client, server } = makePair({ server: { config: { maxConcurrentBidiStreams: 2 } } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    const s1 = client.openStream('bi')!;
    const s2 = client.openStream('bi')!;
    expect(client.openStream('bi')).toBeUndefined();
    for (const id of [s1, s2]) {
      client.write(id, Uint8Array.of(1));
      client.finish(id);
    }
    // The server reads both to the end and finishes its sides: the streams close and MAX_STREAMS rises.
    const accepted: number[] = [];
    const done = new Set<number>();
    pair.runUntil(() => {
      for (let id = server.acceptStream('bi'); id !== undefined; id = server.acceptStream('bi'))
        accepted.push(id);
      for (const id of accepted) {
        if (!done.has(id) && readAvailable(server, id, [])) {
          server.finish(id);
          done.add(id);
        }
      }
      return client.openStream('bi') !== undefined;
    });
    expect(accepted).toEqual([s1, s2]);
  });
});

describe('key update (RFC 9001 §6)', () => {
  it('survives key updates started by either side in the middle of a transfer', () => {
    const { pair, client, server } = makePair({ seed: 21, link: { latency: 4, jitter: 4, loss: 0.02 } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking, { deadline: 60_000 });
    // Wait for HANDSHAKE_DONE so that the client's handshake is confirmed too.
    pair.runUntil(() => client.initiateKeyUpdate(), { deadline: 60_000 });
    const data = seededRandom(4)(1 << 20);
    let serverUpdated = false;
    const got = transfer(pair, client, server, data, () => {
      // Once it has followed the client's update, the server starts one of its own, mid-transfer.
      if (!serverUpdated && server.keyUpdates === 1) serverUpdated = server.initiateKeyUpdate();
    });
    expect(hex(sha256(got))).toBe(hex(sha256(data)));
    expect(serverUpdated).toBe(true);
    // One more exchange after the updates: each side must now speak the other's key phase.
    const ping = client.openStream('bi')!;
    client.write(ping, Uint8Array.of(9));
    client.finish(ping);
    let back: number | undefined;
    const echo: Uint8Array[] = [];
    pair.runUntil(() => {
      back ??= server.acceptStream('bi');
      if (back !== undefined && echo.length === 0 && readAvailable(server, back, echo)) {
        server.write(back, Uint8Array.of(10));
        server.finish(back);
      }
      return readAvailable(client, ping, []);
    });
    expect(client.keyUpdates).toBe(2);
    expect(server.keyUpdates).toBe(2);
  });

  it('refuses to start another update before the peer acknowledged the current phase', () => {
    const { pair, client, server } = makePair();
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.runUntil(() => client.initiateKeyUpdate());
    expect(client.initiateKeyUpdate()).toBe(false);
    const id = client.openStream('bi')!;
    client.write(id, Uint8Array.of(1));
    pair.runUntil(() => client.initiateKeyUpdate());
    expect(client.keyUpdates).toBe(2);
  });
});

describe('address changes (NAT rebinding)', () => {
  it('a transfer continues when the client’s address changes mid-way', () => {
    const { pair, client, server } = makePair({ seed: 31, link: { latency: 3 } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.runUntil(() => client.remoteCids.all.length === 5 && server.remoteCids.all.length === 5);
    const tap = new Tap(server);
    const cidBefore = hex(server.remoteCids.current);
    const data = seededRandom(8)(1 << 20);
    let rebound = false;
    const got = transfer(pair, client, server, data, (received) => {
      // Once a third has arrived, the client's NAT mapping changes: it now appears from a new port.
      if (!rebound && received > data.length / 3) {
        pair.addrs[0] = '10.0.0.1:4000';
        rebound = true;
      }
    });
    expect(rebound).toBe(true);
    expect(hex(sha256(got))).toBe(hex(sha256(data)));
    expect(server.remoteAddress).toBe('10.0.0.1:4000');
    // The server validated the new address (PATH_CHALLENGE answered) and moved to a fresh client CID.
    expect(server.remoteAddressValidated).toBe(true);
    expect(
      tap.sent.some((t) => t.destination === '10.0.0.1:4000' && t.frames.includes('pathChallenge')),
    ).toBe(true);
    expect(hex(server.remoteCids.current)).not.toBe(cidBefore);
  });
});

describe('path MTU discovery', () => {
  it('sends the probe after what else is ready in the same flush, never ahead of it', () => {
    const { pair, client, server } = makePair({ link: { mtu: 1500 } });
    // Datagram sizes per flush: per side and instant.
    const flushes = new Map<string, number[]>();
    for (const c of [client, server]) {
      const poll = c.pollTransmit.bind(c);
      c.pollTransmit = (now) => {
        const t = poll(now);
        const key = `${c.side}@${now}`;
        if (t) flushes.set(key, [...(flushes.get(key) ?? []), t.data.length]);
        return t;
      };
    }
    pair.runUntil(() => client.stats().mtu === 1452 && server.stats().mtu === 1452, { deadline: 5_000 });
    const withProbe = [...flushes.values()].filter((sizes) => sizes.includes(1452));
    expect(withProbe.length).toBeGreaterThanOrEqual(2); // one probe per side
    for (const sizes of withProbe) expect(sizes.indexOf(1452)).toBe(sizes.length - 1);
    expect(withProbe.some((sizes) => sizes.length > 1)).toBe(true);
  });

  it('raises the MTU to 1452 when the path carries it, and uses it', () => {
    const { pair, client, server } = makePair({ link: { mtu: 1500 } });
    pair.runUntil(() => client.stats().mtu === 1452 && server.stats().mtu === 1452, { deadline: 5_000 });
    const data = seededRandom(6)(200_000);
    expect(hex(sha256(transfer(pair, client, server, data)))).toBe(hex(sha256(data)));
    expect(client.maxDatagramSize()).toBeGreaterThan(1400);
  });

  it('stays at 1200 when the probe is dropped, without counting the probe as congestion', () => {
    const { pair, client, server } = makePair({ link: { mtu: 1300 } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    const data = seededRandom(7)(500_000);
    expect(hex(sha256(transfer(pair, client, server, data)))).toBe(hex(sha256(data)));
    expect(client.stats().mtu).toBe(1200);
    expect(pair.dropped[0]).toBe(1); // only the client's probe was too large
    expect(client.stats().packetsLost).toBe(1);
  });
});
