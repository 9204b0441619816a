import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/proto/connection/events.js';
import { MAX_NAT_PROBE_ATTEMPTS, NatTraversal } from '../../src/proto/connection/nat-traversal.js';
import { seededRandom } from '../../src/testing/pair.js';
import { MultiNet, multipathPair, transfer } from '../support/multi-net.js';
import { events } from '../support/pair-helpers.js';

const C_RELAY = 'relay:client';
const S_RELAY = 'relay:server';
// The addresses each side announces (their NATs' public mappings in this simulation).
const C_IP = '203.0.113.1:40000';
const S_IP = '198.51.100.2:50000';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Connected through the relay only; the direct route is filtered on both sides (port-restricted NATs). */
function setup(opts: { nat?: [boolean, boolean]; filtered?: boolean } = {}) {
  const { client, server } = multipathPair({ clientAddr: C_RELAY, serverAddr: S_RELAY, nat: opts.nat });
  const net = new MultiNet(client, server);
  net.link(C_RELAY, S_RELAY, 30);
  net.link(C_IP, S_IP, 3, { filtered: opts.filtered ?? true });
  const log: [ConnectionEvent[], ConnectionEvent[]] = [[], []];
  net.runUntil(() => events(client, log[0]).some((e) => e.type === 'handshake-confirmed'));
  return { net, client, server, log };
}

describe('n0 NAT traversal (QNT)', () => {
  it('is negotiated only when both sides send the parameter (and multipath is on)', () => {
    expect(setup().client.natTraversal).toBe(true);
    expect(setup({ nat: [true, false] }).client.natTraversal).toBe(false);
    expect(setup({ nat: [false, true] }).server.natTraversal).toBe(false);
    const { client, net } = setup({ nat: [true, false] });
    client.addNatTraversalAddress(C_IP);
    expect(client.initiateNatTraversalRound(net.now)).toBe('ExtensionNotNegotiated');
  });

  it('punches through two port-restricted NATs: relay first, then a direct path', () => {
    const { net, client, server, log } = setup();
    expect(server.addNatTraversalAddress(S_IP)).toBeUndefined();
    expect(client.addNatTraversalAddress(C_IP)).toBeUndefined();
    // The server's ADD_ADDRESS reaches the client over the relay.
    net.runUntil(() => events(client, log[0]).some((e) => e.type === 'nat-address-added' && e.addr === S_IP));
    expect(client.remoteNatTraversalAddresses()).toEqual([S_IP]);
    expect(server.initiateNatTraversalRound(net.now)).toBe('WrongConnectionSide');
    const started = net.now;
    expect(client.initiateNatTraversalRound(net.now)).toEqual([S_IP]);
    net.runUntil(
      () =>
        events(client, log[0]).some((e) => e.type === 'path-opened' && e.remote === S_IP) &&
        events(server, log[1]).some((e) => e.type === 'path-opened' && e.remote === C_IP),
    );
    // The first probes were dropped by the filters until both sides had sent: that is the punch.
    expect(net.routes[0].get(S_IP)!.dropped + net.routes[1].get(C_IP)!.dropped).toBeGreaterThan(0);
    // Within a few relay round trips.
    expect(net.now - started).toBeLessThan(1000);
    const id = client.pathInfo().find((p) => p.remote === S_IP)!.id;
    client.setPathStatus(id, 'available');
    client.setPathStatus(0, 'backup');
    const data = seededRandom(9)(500_000);
    const before = net.routes[0].get(S_IP)!.bytes;
    expect(hex(sha256(transfer(net, client, server, data)))).toBe(hex(sha256(data)));
    expect(net.routes[0].get(S_IP)!.bytes - before).toBeGreaterThan(500_000);
  });

  it('a transfer that starts on the relay moves to the punched path without losing a byte', () => {
    const { net, client, server, log } = setup();
    server.addNatTraversalAddress(S_IP);
    client.addNatTraversalAddress(C_IP);
    net.runUntil(() => client.remoteNatTraversalAddresses().length === 1);
    const data = seededRandom(10)(2_000_000);
    let round = false;
    const got = transfer(net, client, server, data, (n) => {
      if (!round && n > 300_000) {
        round = true;
        client.initiateNatTraversalRound(net.now);
      }
      const p = client.pathInfo().find((q) => q.remote === S_IP && q.validated);
      if (p && p.status === 'backup') {
        client.setPathStatus(p.id, 'available');
        client.setPathStatus(0, 'backup');
      }
    });
    expect(hex(sha256(got))).toBe(hex(sha256(data)));
    expect(events(client, log[0]).some((e) => e.type === 'path-opened' && e.remote === S_IP)).toBe(true);
    expect(net.routes[0].get(S_IP)!.bytes).toBeGreaterThan(300_000);
  });

  it('a path already opened to an address (and blocked by the NATs) is challenged again once a probe gets through', () => {
    const { net, client, server, log } = setup();
    server.addNatTraversalAddress(S_IP);
    client.addNatTraversalAddress(C_IP);
    net.runUntil(() => client.remoteNatTraversalAddresses().length === 1);
    // Opened to an address we were given, as the endpoint does: the server's NAT drops its challenge.
    expect(client.openPath(net.now, S_IP)).toBe(1);
    net.runFor(50);
    expect(client.pathInfo().find((p) => p.id === 1)?.validated).toBe(false);
    const started = net.now;
    client.initiateNatTraversalRound(net.now);
    net.runUntil(() => events(client, log[0]).some((e) => e.type === 'path-opened' && e.id === 1));
    // Validated right after the punch, not at the validation's next retry about 2 s later.
    expect(net.now - started).toBeLessThan(500);
  });

  it('without a route nothing opens: probes stop after 9 attempts per address, the relay carries on', () => {
    const { net, client, server } = setup();
    net.setUp(C_IP, S_IP, false);
    server.addNatTraversalAddress(S_IP);
    client.addNatTraversalAddress(C_IP);
    net.runUntil(() => client.remoteNatTraversalAddresses().length === 1);
    const sentBefore = client.stats().packetsSent;
    client.initiateNatTraversalRound(net.now);
    net.runFor(10_000);
    expect(client.pathInfo().map((p) => p.id)).toEqual([0]);
    // Probes + keep-alives only: bounded, not a flood.
    expect(client.stats().packetsSent - sentBefore).toBeLessThan(40);
    expect(client.isClosed).toBe(false);
    const data = seededRandom(11)(50_000);
    expect(hex(sha256(transfer(net, client, server, data)))).toBe(hex(sha256(data)));
  });
});

describe('NatTraversal state machine', () => {
  it('retries with backoff initial_rtt/10, then ×2 per attempt, capped at 2 s, 9 probes per address', () => {
    const n = new NatTraversal('client', 32, 32, 333);
    n.addLocal('10.0.0.1:1');
    n.onAddAddress(0, Uint8Array.of(10, 0, 0, 2), 2);
    expect(n.startRound(0)).toEqual(['10.0.0.2:2']);
    const times: number[] = [];
    let probes = 0;
    let now = 0;
    for (let i = 0; i < 20 && n.retryAt !== undefined; i++) {
      if (n.pendingProbes.size > 0) {
        probes++;
        n.markProbeSent('10.0.0.2:2', Uint8Array.of(i, 0, 0, 0, 0, 0, 0, 0));
      }
      times.push(n.retryAt - now);
      now = n.retryAt;
      n.onRetryTimer(now);
    }
    if (n.pendingProbes.size > 0) probes++;
    expect(probes).toBe(MAX_NAT_PROBE_ATTEMPTS);
    expect(times.slice(0, 4).map((t) => Math.round(t * 10) / 10)).toEqual([33.3, 33.3, 66.6, 133.2]);
    expect(Math.max(...times)).toBeLessThanOrEqual(2000);
  });

  it('IPv4-mapped IPv6 candidates become IPv4; the limit on remote addresses holds', () => {
    const n = new NatTraversal('client', 1, 32, 333);
    const mapped = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4);
    expect(n.onAddAddress(0, mapped, 7)).toBe('1.2.3.4:7');
    expect(n.onAddAddress(1, Uint8Array.of(5, 6, 7, 8), 9)).toBe('TooManyAddresses');
    expect(n.onRemoveAddress(0)).toBe('1.2.3.4:7');
  });

  it('a server resets its probes for a newer round and ignores older ones', () => {
    const n = new NatTraversal('server', 32, 32, 333);
    n.onReachOut(0, 2, Uint8Array.of(1, 1, 1, 1), 1);
    expect([...n.pendingProbes]).toEqual(['1.1.1.1:1']);
    n.onReachOut(0, 1, Uint8Array.of(2, 2, 2, 2), 2);
    expect([...n.pendingProbes]).toEqual(['1.1.1.1:1']);
    n.onReachOut(0, 3, Uint8Array.of(3, 3, 3, 3), 3);
    expect([...n.pendingProbes]).toEqual(['3.3.3.3:3']);
    expect(n.round).toBe(3);
  });

  it('only a response from the probed address with the probe data counts', () => {
    const n = new NatTraversal('client', 32, 32, 333);
    n.addLocal('10.0.0.1:1');
    n.onAddAddress(0, Uint8Array.of(10, 0, 0, 2), 2);
    n.startRound(0);
    const data = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    n.markProbeSent('10.0.0.2:2', data);
    expect(n.onPathResponse('10.0.0.9:2', data)).toBe(false);
    expect(n.onPathResponse('10.0.0.2:2', Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9))).toBe(false);
    expect(n.onPathResponse('10.0.0.2:2', data)).toBe(true);
    expect(n.pathsToOpen).toEqual(['10.0.0.2:2']);
  });
});
