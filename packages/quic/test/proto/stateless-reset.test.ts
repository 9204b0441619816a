import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/proto/connection/connection.js';
import type { ConnectionEvent } from '../../src/proto/connection/events.js';
import { Endpoint } from '../../src/proto/endpoint.js';
import { StatelessResets } from '../../src/proto/stateless-reset.js';
import { seededRandom } from '../../src/testing/pair.js';
import { EndpointNet } from '../support/endpoint-net.js';
import { injectFrames } from '../support/inject.js';
import { events, makePair } from '../support/pair-helpers.js';

const A = '10.0.0.1:1';
const B = '10.0.0.2:2';

function established(net: EndpointNet) {
  const a = net.add(A);
  const b = net.add(B);
  const client = net.connect(a, b);
  net.runUntil(() => net.connections(b).length === 1 && !client.isHandshaking);
  const server = net.connections(b)[0]!;
  net.runFor(100);
  return { a, b, client, server };
}

/** Makes the client send something ack-eliciting. */
function poke(client: Connection): void {
  const id = client.openStream('uni')!;
  client.write(id, new Uint8Array(100));
}

describe('stateless reset (RFC 9000 §10.3)', () => {
  for (const rotated of [false, true]) {
    it(`a server that lost the connection resets it, and the client drains with the stateless-reset reason${rotated ? ' (CID from NEW_CONNECTION_ID)' : ' (handshake CID)'}`, () => {
      const net = new EndpointNet();
      const { a, b, client, server } = established(net);
      if (rotated) {
        // The client then sends to a CID (and knows a token) from a NEW_CONNECTION_ID frame.
        server.rotateConnectionIds();
        net.runFor(100);
      }
      events(client);
      net.lose(b, server);
      const before = net.log.length;
      poke(client);
      const log: ConnectionEvent[] = [];
      net.runUntil(() => events(client, log).some((e) => e.type === 'closed'), 5_000);
      expect(log.find((e) => e.type === 'closed')).toEqual({
        type: 'closed',
        reason: { kind: 'stateless-reset' },
      });
      expect(client.closeReason).toEqual({ kind: 'stateless-reset' });
      // The reset: shorter than what triggered it, at least 21 bytes.
      const wire = net.log.slice(before);
      const trigger = wire.find((w) => w.from === A)!;
      const reset = wire.find((w) => w.from === B)!;
      expect(reset.data.length).toBeLessThan(trigger.data.length);
      expect(reset.data.length).toBeGreaterThanOrEqual(21);
      expect(reset.data[0]! & 0xc0).toBe(0x40);
      // Draining: the client sends nothing more, then forgets the connection.
      const resetAt = reset.at + net.latency;
      net.runFor(5_000);
      expect(net.log.filter((w) => w.from === A && w.at > resetAt)).toEqual([]);
      expect(client.isDrained).toBe(true);
      expect(a.connectionCount).toBe(0);
    });
  }

  it('is not sent for a packet too short to answer with a smaller one, and a reset loop dies out', () => {
    const random = seededRandom(3);
    const resets = new StatelessResets(random);
    const cid = new Uint8Array(8).fill(1);
    expect(resets.build(0, cid, 21)).toBeUndefined();
    expect(resets.build(0, cid, 22)!.length).toBe(21);
    expect(resets.build(0, cid, 43)!.length).toBe(42);
    const big = resets.build(0, cid, 1200)!;
    expect(big.length).toBeGreaterThanOrEqual(43);
    expect(big.length).toBeLessThan(1200);
    // The token is the same for the same CID, and ends the reset.
    expect([...big.subarray(big.length - 16)]).toEqual([...resets.token(cid)]);
    // At the endpoint: a short packet below the smallest parseable size is just dropped.
    const ep = new Endpoint({ random });
    const tiny = new Uint8Array(22);
    tiny[0] = 0x40;
    expect(ep.handleDatagram(0, A, tiny).kind).toBe('dropped');
    // Two endpoints that both do not know the other's CIDs: each reset is smaller than the last.
    const other = new Endpoint({ random });
    let packet = random(200);
    packet[0] = 0x40 | (packet[0]! & 0x3f);
    const sizes: number[] = [];
    let turn = 0;
    for (;;) {
      const out = (turn++ % 2 === 0 ? ep : other).handleDatagram(0, A, packet);
      if (out.kind !== 'transmit') break;
      packet = out.transmit.data;
      sizes.push(packet.length);
    }
    expect(sizes.length).toBeGreaterThan(0);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeLessThan(sizes[i - 1]!);
  });

  it('sends at most the configured number of resets per second', () => {
    const ep = new Endpoint({ random: seededRandom(4), maxStatelessResetsPerSecond: 10 });
    const packet = new Uint8Array(100);
    packet[0] = 0x40;
    let sent = 0;
    for (let i = 0; i < 50; i++) if (ep.handleDatagram(500, A, packet).kind === 'transmit') sent++;
    expect(sent).toBe(10);
    expect(ep.handleDatagram(1600, A, packet).kind).toBe('transmit');
  });

  it('only tokens of peer CIDs we have sent with count, and only when nothing in the datagram decrypts', () => {
    const p = makePair({
      client: { config: { activeConnectionIdLimit: 8 } },
      server: { config: { maxIssuedConnectionIds: 4 } },
    });
    p.pair.runUntil(() => !p.client.isHandshaking && !p.server.isHandshaking);
    p.pair.runUntil(() => p.client.remoteCids.all.length === 4);
    const token = new Uint8Array(16).fill(9);
    injectFrames(p.server, p.client, p.pair.now, p.pair.addrs[1], [
      {
        type: 'newConnectionId',
        sequence: 50,
        retirePriorTo: 0,
        connectionId: new Uint8Array(8).fill(0x77),
        resetToken: token,
      },
    ]);
    const reset = seededRandom(5)(40);
    reset[0] = 0x40;
    reset.set(token, reset.length - 16);
    // The CID with that token is not in use yet: not a reset.
    p.client.handleDatagram(p.pair.now, p.pair.addrs[1], reset);
    expect(p.client.isClosed).toBe(false);
    // The peer retires every other CID: the client now sends with it, and the token counts.
    injectFrames(p.server, p.client, p.pair.now, p.pair.addrs[1], [
      {
        type: 'newConnectionId',
        sequence: 51,
        retirePriorTo: 50,
        connectionId: new Uint8Array(8).fill(0x78),
        resetToken: new Uint8Array(16).fill(8),
      },
    ]);
    expect(Buffer.from(p.client.remoteCids.current).toString('hex')).toBe('77'.repeat(8));
    p.client.handleDatagram(p.pair.now, p.pair.addrs[1], reset);
    expect(p.client.closeReason).toEqual({ kind: 'stateless-reset' });
    expect(p.client.pollTransmit(p.pair.now)).toBeUndefined();
  });
});
