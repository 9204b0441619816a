import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/proto/connection/events.js';
import { seededRandom } from '../../src/testing/pair.js';
import { MultiNet, multipathPair, transfer } from '../support/multi-net.js';
import { events } from '../support/pair-helpers.js';

// The client reaches the server through a slow "relay" route first, then opens a direct one.
const C_RELAY = 'relay:client';
const S_RELAY = 'relay:server';
const C_IP = '10.0.0.1:1000';
const S_IP = '10.0.0.2:2000';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function setup(multipath: [boolean, boolean] = [true, true]) {
  const { client, server } = multipathPair({ clientAddr: C_RELAY, serverAddr: S_RELAY, multipath });
  const net = new MultiNet(client, server);
  net.link(C_RELAY, S_RELAY, 20);
  net.link(C_IP, S_IP, 2);
  net.runUntil(() => !client.isHandshaking && !server.isHandshaking);
  const log: [ConnectionEvent[], ConnectionEvent[]] = [[], []];
  // The client's handshake is confirmed by HANDSHAKE_DONE, one more round trip.
  net.runUntil(() => events(client, log[0]).some((e) => e.type === 'handshake-confirmed'));
  return { net, client, server, log };
}

describe('QUIC multipath (draft-ietf-quic-multipath)', () => {
  it('is negotiated only when both sides send initial_max_path_id', () => {
    for (const mp of [
      [true, true],
      [true, false],
      [false, true],
    ] as [boolean, boolean][]) {
      const { client, server } = setup(mp);
      expect(client.multipath).toBe(mp[0] && mp[1]);
      expect(server.multipath).toBe(mp[0] && mp[1]);
    }
  });

  it('without multipath a client cannot open paths and keeps its single path', () => {
    const { net, client, server } = setup([true, false]);
    expect(client.openPath(net.now, C_IP)).toBe('MultipathNotNegotiated');
    const data = seededRandom(3)(50_000);
    expect(hex(sha256(transfer(net, client, server, data)))).toBe(hex(sha256(data)));
    expect(client.pathInfo()).toHaveLength(1);
  });

  it('the client opens a direct path; both sides validate it and data moves there', () => {
    const { net, client, server, log } = setup();
    expect(server.openPath(net.now, C_IP)).toBe('ServerSideNotAllowed');
    const id = client.openPath(net.now, S_IP);
    expect(id).toBe(1);
    net.runUntil(
      () =>
        events(client, log[0]).some((e) => e.type === 'path-opened' && e.id === 1) &&
        events(server, log[1]).some((e) => e.type === 'path-opened' && e.id === 1),
    );
    // The server saw path 1 come from the client's direct address.
    expect(server.pathInfo().find((p) => p.id === 1)?.remote).toBe(C_IP);
    // Relay as backup, as iroh does: the direct path carries the data from now on.
    expect(client.setPathStatus(0, 'backup')).toBe(true);
    net.runFor(100);
    expect(client.pathInfo().find((p) => p.active)?.id).toBe(1);
    expect(server.pathInfo().find((p) => p.active)?.id).toBe(1);
    const relayBefore = net.routes[0].get(S_RELAY)!.bytes;
    const data = seededRandom(4)(300_000);
    expect(hex(sha256(transfer(net, client, server, data)))).toBe(hex(sha256(data)));
    expect(net.routes[0].get(S_IP)!.bytes).toBeGreaterThan(300_000);
    expect(net.routes[0].get(S_RELAY)!.bytes - relayBefore).toBeLessThan(10_000);
  });

  it('a transfer that starts on the relay moves to the direct path without losing a byte', () => {
    const { net, client, server } = setup();
    const data = seededRandom(5)(1_000_000);
    let opened = false;
    const got = transfer(net, client, server, data, (n) => {
      if (!opened && n > 200_000) {
        opened = true;
        expect(client.openPath(net.now, S_IP)).toBe(1);
      }
      if (opened && client.pathInfo().some((p) => p.id === 1 && p.validated))
        client.setPathStatus(0, 'backup');
    });
    expect(opened).toBe(true);
    expect(hex(sha256(got))).toBe(hex(sha256(data)));
    expect(net.routes[0].get(S_IP)!.bytes).toBeGreaterThan(300_000);
  });

  it('falls back to the relay path when the direct path dies, and loses no byte', () => {
    const { net, client, server, log } = setup();
    client.openPath(net.now, S_IP);
    net.runUntil(() => client.pathInfo().some((p) => p.id === 1 && p.validated));
    client.setPathStatus(0, 'backup');
    const data = seededRandom(6)(3_000_000);
    let cut = false;
    let cutAt = 0;
    const got = transfer(net, client, server, data, (n) => {
      if (!cut && n > 200_000) {
        cut = true;
        cutAt = net.now;
        net.setUp(C_IP, S_IP, false);
      }
    });
    expect(hex(sha256(got))).toBe(hex(sha256(data)));
    // The data moved to the relay after two probe timeouts, not after the 15 s path idle timeout: the
    // rest (2.8 MB over a 40 ms RTT relay) arrived within a few seconds of simulated time.
    expect(net.now - cutAt).toBeLessThan(8_000);
    net.runFor(20_000);
    // The dead path was abandoned (idle), and the relay path carries the connection.
    expect(events(client, log[0]).some((e) => e.type === 'path-abandoned' && e.id === 1)).toBe(true);
    expect(client.pathInfo().find((p) => p.active)?.id).toBe(0);
    expect(client.isClosed).toBe(false);
  });

  it('an abandoned path is forgotten and a new path id becomes available (MAX_PATH_ID)', () => {
    const { net, client, server, log } = setup();
    expect(client.openPath(net.now, S_IP)).toBe(1);
    net.runUntil(() => client.pathInfo().some((p) => p.id === 1 && p.validated));
    expect(client.closePath(net.now, 1)).toBe(true);
    net.runUntil(() =>
      events(server, log[1]).some((e) => e.type === 'path-abandoned' && e.id === 1 && e.remote),
    );
    net.runUntil(
      () => !client.pathInfo().some((p) => p.id === 1) && !server.pathInfo().some((p) => p.id === 1),
    );
    // Eight path ids (0-7) are allowed at once; opening and closing more than that needs MAX_PATH_ID.
    for (let i = 0; i < 8; i++) {
      const id = client.openPath(net.now, S_IP);
      expect(typeof id).toBe('number');
      net.runUntil(() => client.pathInfo().some((p) => p.id === id && p.validated));
      client.closePath(net.now, id as number);
      net.runUntil(() => !client.pathInfo().some((p) => p.id === id));
    }
    expect(client.isClosed).toBe(false);
    expect(server.isClosed).toBe(false);
  });

  it("a path that arrives before the client's CIDs for it waits for them instead of being dropped", () => {
    const { client, server } = multipathPair({ clientAddr: C_RELAY, serverAddr: S_RELAY });
    const net = new MultiNet(client, server);
    // The CIDs travel the slow relay; the new path's first packet takes the fast direct route.
    net.link(C_RELAY, S_RELAY, 60);
    net.link(C_IP, S_IP, 1);
    const log: ConnectionEvent[] = [];
    net.runUntil(() => events(client, log).some((e) => e.type === 'handshake-confirmed'));
    const openedAt = net.now;
    expect(client.openPath(net.now, S_IP)).toBe(1);
    net.runUntil(() => events(client, log).some((e) => e.type === 'path-opened' && e.id === 1));
    // Answered once the CIDs arrived (about one relay trip), not after a 2 s validation retry.
    expect(net.now - openedAt).toBeLessThan(500);
  });

  it('the last open path cannot be closed', () => {
    const { net, client } = setup();
    expect(client.closePath(net.now, 0)).toBe(false);
  });
});
