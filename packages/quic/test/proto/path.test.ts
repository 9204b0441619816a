import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/proto/connection/events.js';
import { seededRandom } from '../../src/testing/pair.js';
import { injectFrames } from '../support/inject.js';
import { events, makePair, transfer } from '../support/pair-helpers.js';
import { Tap } from '../support/tap.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const CLIENT = '10.0.0.1:1000';

describe('path validation (RFC 9000 §8.2, §9)', () => {
  it('follows the client to a new IP: challenges it, uses a fresh CID, respects 3× until validated, resets congestion state', () => {
    const { pair, client, server } = makePair({ seed: 41, link: { latency: 3 } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.runUntil(() => server.stats().mtu === 1452, { deadline: pair.now + 5_000 });
    const tap = new Tap(server);
    const clientTap = new Tap(client);
    const cidBefore = hex(server.remoteCids.current);
    const moved = '10.0.0.9:5000';
    // The server's state at the moment the new path is validated.
    let atValidation: { rtt: number; mtu: number; cwnd: number } | undefined;
    const handle = server.handleDatagram.bind(server);
    server.handleDatagram = (now, from, data) => {
      const was = server.remoteAddressValidated;
      handle(now, from, data);
      if (!was && server.remoteAddressValidated && server.remoteAddress === moved) {
        const st = server.stats();
        atValidation = { rtt: st.rtt, mtu: st.mtu, cwnd: st.cwnd };
      }
    };
    const data = seededRandom(8)(600_000);
    let rebound = false;
    const got = transfer(pair, client, server, data, (received) => {
      if (!rebound && received > data.length / 3) {
        pair.addrs[0] = moved;
        rebound = true;
      }
    });
    expect(hex(sha256(got))).toBe(hex(sha256(data)));
    expect(server.remoteAddress).toBe(moved);
    expect(server.remoteAddressValidated).toBe(true);
    // A fresh peer CID on the new path.
    expect(hex(server.remoteCids.current)).not.toBe(cidBefore);
    // PATH_CHALLENGE to the new address (padded to 1200 bytes when the budget allows), and the
    // client's PATH_RESPONSE.
    const challenges = tap.sent.filter((s) => s.destination === moved && s.frames.includes('pathChallenge'));
    expect(challenges.length).toBeGreaterThan(0);
    expect(clientTap.sent.some((s) => s.frames.includes('pathResponse'))).toBe(true);
    // The old path was challenged too (§9.3.3); it no longer answers.
    expect(tap.sent.some((s) => s.destination === CLIENT && s.frames.includes('pathChallenge'))).toBe(true);
    // Until validated, never more than 3× what came from the new address.
    let sent = 0;
    for (const s of tap.sent) {
      if (s.destination !== moved || s.validated) continue;
      sent += s.size;
      expect(sent).toBeLessThanOrEqual(3 * tap.bytesFrom(moved, s.at));
    }
    // The IP changed: congestion control, RTT and MTU started over (§9.4).
    expect(atValidation).toBeDefined();
    expect(atValidation!.mtu).toBe(1200);
    expect(atValidation!.rtt).toBe(333);
  });

  it('a port-only change (NAT rebinding) keeps the congestion state', () => {
    const { pair, client, server } = makePair({ seed: 42, link: { latency: 3 } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.runUntil(() => server.stats().mtu === 1452, { deadline: pair.now + 5_000 });
    const log: ConnectionEvent[] = [];
    const data = seededRandom(9)(300_000);
    let rebound = false;
    transfer(pair, client, server, data, (received) => {
      events(server, log);
      if (!rebound && received > data.length / 3) {
        pair.addrs[0] = '10.0.0.1:4000';
        rebound = true;
      }
    });
    events(server, log);
    expect(log.filter((e) => e.type === 'path-changed')).toEqual([
      { type: 'path-changed', remote: '10.0.0.1:4000', validated: false },
      { type: 'path-changed', remote: '10.0.0.1:4000', validated: true },
    ]);
    expect(server.stats().mtu).toBe(1452);
    expect(server.rtt).toBeLessThan(100);
  });

  it('a spoofed address that never answers the challenge does not steal the path', () => {
    const { pair, client, server } = makePair({ seed: 43, link: { latency: 5 } });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.runUntil(() => client.remoteCids.all.length === 5);
    const tap = new Tap(server);
    const spoof = '6.6.6.6:666';
    // An attacker on the path copies one of the client's datagrams and races it to the server from
    // its own address (the copy arrives first; the genuine one is then a duplicate).
    let copied = false;
    let shortSent = 0;
    const poll = client.pollTransmit.bind(client);
    client.pollTransmit = (now) => {
      const t = poll(now);
      if (t && (t.data[0]! & 0x80) === 0) shortSent++;
      if (t && !copied && shortSent === 50) {
        copied = true;
        server.handleDatagram(now, spoof, t.data.slice());
      }
      return t;
    };
    const log: ConnectionEvent[] = [];
    const data = seededRandom(10)(300_000);
    const got = transfer(pair, client, server, data, () => events(server, log));
    events(server, log);
    expect(copied).toBe(true);
    expect(hex(sha256(got))).toBe(hex(sha256(data)));
    expect(server.remoteAddress).toBe(CLIENT);
    expect(server.remoteAddressValidated).toBe(true);
    // The server did try the spoofed address, and returned as soon as the real client spoke again.
    expect(log.filter((e) => e.type === 'path-changed')).toEqual([
      { type: 'path-changed', remote: spoof, validated: false },
      { type: 'path-changed', remote: CLIENT, validated: true },
    ]);
    // It sent the spoofed address at most 3× the one datagram it got from there.
    expect(tap.bytesTo(spoof)).toBeGreaterThan(0);
    expect(tap.bytesTo(spoof)).toBeLessThanOrEqual(3 * tap.bytesFrom(spoof));
  });

  it('goes back to the validated path when the new address never answers, even if the client is silent', () => {
    const { pair, client, server } = makePair({
      seed: 44,
      link: { latency: 5 },
      client: { config: { keepAliveInterval: undefined } },
      server: { config: { keepAliveInterval: undefined } },
    });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.runUntil(() => client.remoteCids.all.length === 5);
    const tap = new Tap(server);
    const spoof = '6.6.6.6:666';
    // A genuine client packet, replayed from the spoofed address before the original arrives.
    client.sendDatagram(Uint8Array.of(1));
    const t = client.pollTransmit(pair.now)!;
    server.handleDatagram(pair.now, spoof, t.data);
    expect(server.remoteAddress).toBe(spoof);
    expect(server.remoteAddressValidated).toBe(false);
    // The client hears nothing of this and sends nothing: no packet brings the server back.
    pair.links[0] = { ...pair.links[0], loss: 1 };
    const until = pair.now + 5_000;
    while (pair.step(until)) {
      /* run */
    }
    expect(server.remoteAddress).toBe(CLIENT);
    expect(server.isClosed).toBe(false);
    expect(tap.bytesTo(spoof)).toBeLessThanOrEqual(3 * t.data.length);
    // Once the link works again, so does the connection.
    pair.links[0] = { ...pair.links[0], loss: 0 };
    const data = seededRandom(12)(50_000);
    expect(hex(sha256(transfer(pair, client, server, data)))).toBe(hex(sha256(data)));
  });

  it('a probe from a new address gets a PATH_RESPONSE there, without migrating', () => {
    const { pair, client, server } = makePair({ seed: 45 });
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.runUntil(() => client.remoteCids.all.length === 5);
    const tap = new Tap(server);
    const probe = '10.0.0.1:7777';
    injectFrames(client, server, pair.now, probe, [
      { type: 'pathChallenge', data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
      { type: 'padding', length: 1100 },
    ]);
    server.pollTransmit(pair.now);
    const answer = tap.sent.find((s) => s.destination === probe);
    expect(answer?.frames).toContain('pathResponse');
    expect(answer!.size).toBeGreaterThanOrEqual(1200);
    expect(server.remoteAddress).toBe(CLIENT);
  });

  it('clients drop packets from unknown server addresses after the handshake', () => {
    const { pair, client, server } = makePair();
    pair.runUntil(() => !client.isHandshaking && !server.isHandshaking);
    pair.runUntil(() => client.remoteCids.all.length === 5);
    // A frame that would close the connection, from elsewhere: dropped.
    injectFrames(server, client, pair.now, '10.6.6.6:1', [{ type: 'retireConnectionId', sequence: 99 }]);
    expect(client.isClosed).toBe(false);
    injectFrames(server, client, pair.now, pair.addrs[1], [{ type: 'retireConnectionId', sequence: 99 }]);
    expect(client.isClosed).toBe(true);
  });
});
