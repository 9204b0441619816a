import { describe, expect, it } from 'vitest';
import type { CloseReason } from '../../src/proto/connection/events.js';
import { TransportErrorCode } from '../../src/proto/transport-error.js';
import { EndpointNet } from '../support/endpoint-net.js';
import { injectFrames } from '../support/inject.js';
import { makePair, readAvailable } from '../support/pair-helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const token = (n: number) => new Uint8Array(16).fill(n);
const cid = (n: number) => new Uint8Array(8).fill(n);

function transportCode(r: CloseReason | undefined): number | undefined {
  return r?.kind === 'transport' ? Number(r.errorCode) : undefined;
}

function settle(p: ReturnType<typeof makePair>, ms = 200): void {
  const until = p.pair.now + ms;
  while (p.pair.step(until)) {
    /* run */
  }
}

/** A confirmed pair, left running until both sides have issued their CIDs. */
function confirmedPair(opts: Parameters<typeof makePair>[0] = {}) {
  const p = makePair(opts);
  p.pair.runUntil(() => !p.client.isHandshaking && !p.server.isHandshaking);
  settle(p);
  return p;
}

describe('connection IDs (RFC 9000 §5.1)', () => {
  it('each side issues CIDs up to the peer’s active_connection_id_limit once the handshake is confirmed', () => {
    const p = makePair({ server: { config: { activeConnectionIdLimit: 3 } } });
    p.pair.runUntil(() => !p.client.isHandshaking && !p.server.isHandshaking);
    settle(p);
    // The server accepts 3 of the client's CIDs; the client accepts 5 (iroh's limit) of the server's.
    expect(p.client.localCids).toHaveLength(3);
    expect(p.server.localCids).toHaveLength(5);
    expect(p.server.remoteCids.all.map(hex)).toEqual(p.client.localCids.map(hex));
    expect(p.client.remoteCids.all.map(hex)).toEqual(p.server.localCids.map(hex));
    // Our own cap applies too.
    const q = makePair({ client: { config: { maxIssuedConnectionIds: 2 } } });
    q.pair.runUntil(() => !q.client.isHandshaking && !q.server.isHandshaking);
    settle(q);
    expect(q.client.localCids).toHaveLength(2);
    expect(q.server.remoteCids.all).toHaveLength(2);
  });

  it('retransmits NEW_CONNECTION_ID (and NEW_TOKEN) frames whose packet was lost', () => {
    const p = makePair({ server: { newToken: Uint8Array.of(1, 2, 3) } });
    const tokens: Uint8Array[] = [];
    const poll = p.client.pollEndpointEvent.bind(p.client);
    p.client.pollEndpointEvent = () => {
      const e = poll();
      if (e?.type === 'new-token') tokens.push(e.token);
      return e;
    };
    p.pair.runUntil(() => !p.server.isHandshaking);
    // The server's first 1-RTT flight after the handshake (HANDSHAKE_DONE, NEW_CONNECTION_ID…) is lost.
    p.pair.links[1] = { ...p.pair.links[1], loss: 1 };
    p.pair.step();
    p.pair.links[1] = { ...p.pair.links[1], loss: 0 };
    expect(p.pair.dropped[1]).toBeGreaterThan(0);
    p.pair.runUntil(() => p.client.remoteCids.all.length === 5 && tokens.length > 0, {
      deadline: p.pair.now + 10_000,
    });
    expect(p.client.remoteCids.all.map(hex)).toEqual(p.server.localCids.map(hex));
    expect(tokens.map((t) => [...t])).toEqual([[1, 2, 3]]);
  });

  it('honours Retire Prior To: retires the older CIDs at once and moves the path to the lowest remaining one', () => {
    // The client holds up to 8 of the server's CIDs; the server issues 4.
    const p = makePair({
      client: { config: { activeConnectionIdLimit: 8 } },
      server: { config: { maxIssuedConnectionIds: 4 } },
    });
    p.pair.runUntil(() => !p.client.isHandshaking && !p.server.isHandshaking);
    settle(p);
    const issued = p.server.localCids.map(hex);
    expect(issued).toHaveLength(4);
    expect(hex(p.client.remoteCids.current)).toBe(issued[0]);
    injectFrames(p.server, p.client, p.pair.now, p.pair.addrs[1], [
      {
        type: 'newConnectionId',
        sequence: 100,
        retirePriorTo: 2,
        connectionId: cid(0xaa),
        resetToken: token(1),
      },
    ]);
    expect(p.client.isClosed).toBe(false);
    // Sequence 0 and 1 are gone; the lowest remaining one (2) is in use now.
    expect(p.client.remoteCids.all.map(hex)).toEqual([issued[2], issued[3], hex(cid(0xaa))]);
    expect(hex(p.client.remoteCids.current)).toBe(issued[2]);
  });

  it('rotating CIDs: the peer retires all older ones (Retire Prior To), switches, and the old ones go', () => {
    const p = confirmedPair();
    const old = p.server.localCids.map(hex);
    expect(old).toHaveLength(5);
    expect(p.server.rotateConnectionIds()).toBe(true);
    settle(p);
    const fresh = p.server.localCids.map(hex);
    expect(fresh).toHaveLength(5);
    expect(fresh.filter((c) => old.includes(c))).toEqual([]);
    expect(p.client.remoteCids.all.map(hex)).toEqual(fresh);
    expect(hex(p.client.remoteCids.current)).toBe(fresh[0]);
    // Traffic still flows on the new CID.
    const id = p.client.openStream('bi')!;
    p.client.write(id, Uint8Array.of(7));
    p.client.finish(id);
    let sid: number | undefined;
    p.pair.runUntil(() => {
      sid ??= p.server.acceptStream('bi');
      return sid !== undefined && readAvailable(p.server, sid, []);
    });
    expect(p.client.isClosed || p.server.isClosed).toBe(false);
  });

  it('closes with CONNECTION_ID_LIMIT_ERROR when the peer exceeds our active_connection_id_limit', () => {
    const p = confirmedPair();
    expect(p.client.remoteCids.all).toHaveLength(5);
    injectFrames(p.server, p.client, p.pair.now, p.pair.addrs[1], [
      {
        type: 'newConnectionId',
        sequence: 50,
        retirePriorTo: 0,
        connectionId: cid(0xbb),
        resetToken: token(2),
      },
    ]);
    expect(transportCode(p.client.closeReason)).toBe(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR);
  });

  it('closes with PROTOCOL_VIOLATION when a CID comes back with another sequence number', () => {
    const p = confirmedPair();
    const reused = p.server.localCids[1]!;
    injectFrames(p.server, p.client, p.pair.now, p.pair.addrs[1], [
      { type: 'newConnectionId', sequence: 9, retirePriorTo: 0, connectionId: reused, resetToken: token(3) },
    ]);
    expect(transportCode(p.client.closeReason)).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
    // A sequence number reused for another CID, likewise.
    const q = confirmedPair({ seed: 8 });
    injectFrames(q.server, q.client, q.pair.now, q.pair.addrs[1], [
      {
        type: 'newConnectionId',
        sequence: 1,
        retirePriorTo: 0,
        connectionId: cid(0xcc),
        resetToken: token(3),
      },
    ]);
    expect(transportCode(q.client.closeReason)).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });

  it('a retransmitted NEW_CONNECTION_ID is accepted as a duplicate', () => {
    const p = makePair({
      client: { config: { activeConnectionIdLimit: 8 } },
      server: { config: { maxIssuedConnectionIds: 4 } },
    });
    p.pair.runUntil(() => !p.client.isHandshaking && !p.server.isHandshaking);
    settle(p);
    const f = {
      type: 'newConnectionId',
      sequence: 40,
      retirePriorTo: 0,
      connectionId: cid(0xdd),
      resetToken: token(4),
    } as const;
    injectFrames(p.server, p.client, p.pair.now, p.pair.addrs[1], [f]);
    injectFrames(p.server, p.client, p.pair.now, p.pair.addrs[1], [f]);
    expect(p.client.isClosed).toBe(false);
    expect(p.client.remoteCids.all.filter((c) => hex(c) === hex(cid(0xdd)))).toHaveLength(1);
  });

  it('closes with PROTOCOL_VIOLATION on NEW_CONNECTION_ID to a peer that uses zero-length CIDs', () => {
    const p = makePair({ server: { localCid: new Uint8Array(0) } });
    p.pair.runUntil(() => !p.client.isHandshaking && !p.server.isHandshaking);
    settle(p);
    expect(p.client.remoteCids.current).toHaveLength(0);
    // The server, with zero-length CIDs, issued none.
    expect(p.server.localCids).toHaveLength(1);
    injectFrames(p.server, p.client, p.pair.now, p.pair.addrs[1], [
      {
        type: 'newConnectionId',
        sequence: 1,
        retirePriorTo: 0,
        connectionId: cid(0xee),
        resetToken: token(5),
      },
    ]);
    expect(transportCode(p.client.closeReason)).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });

  it('RETIRE_CONNECTION_ID: unissued sequence numbers and the packet’s own CID are protocol violations', () => {
    const p = confirmedPair();
    injectFrames(p.client, p.server, p.pair.now, p.pair.addrs[0], [
      { type: 'retireConnectionId', sequence: 99 },
    ]);
    expect(transportCode(p.server.closeReason)).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
    const q = confirmedPair({ seed: 9 });
    const second = q.server.localCids[1]!;
    injectFrames(
      q.client,
      q.server,
      q.pair.now,
      q.pair.addrs[0],
      [{ type: 'retireConnectionId', sequence: 1 }],
      second,
    );
    expect(transportCode(q.server.closeReason)).toBe(TransportErrorCode.PROTOCOL_VIOLATION);
  });
});

describe('connection IDs through the Endpoint', () => {
  function established(net: EndpointNet) {
    const a = net.add('10.0.0.1:1');
    const b = net.add('10.0.0.2:2');
    const client = net.connect(a, b);
    net.runUntil(() => net.connections(b).length === 1 && !client.isHandshaking);
    const server = net.connections(b)[0]!;
    net.runFor(100);
    return { a, b, client, server };
  }

  it('routes every issued CID to its connection', () => {
    const net = new EndpointNet();
    const { a, b, client, server } = established(net);
    expect(server.localCids).toHaveLength(5);
    expect(client.localCids).toHaveLength(5);
    // The server's five CIDs and the client's original DCID; the client's five.
    expect(b.routedCids).toBe(6);
    expect(a.routedCids).toBe(5);
    for (const [ep, conn, peer] of [
      [b, server, client],
      [a, client, server],
    ] as const) {
      for (const c of conn.localCids) {
        // An (undecryptable) short packet to that CID: routed to the connection, not answered with a reset.
        const packet = new Uint8Array(60);
        packet[0] = 0x40;
        packet.set(c, 1);
        const out = ep.handleDatagram(net.now, '10.9.9.9:9', packet);
        expect(out.kind).toBe('connection');
        if (out.kind === 'connection') expect(out.connection).toBe(conn);
      }
      expect(peer.isClosed).toBe(false);
    }
  });

  it('after a RETIRE_CONNECTION_ID the route goes and a replacement CID is issued and routed', () => {
    const net = new EndpointNet();
    const { a, client, server } = established(net);
    const before = client.localCids.map(hex);
    // The client's NAT rebinds: the server moves to a fresh client CID and, once the old path is
    // given up, retires the one it used there (sequence 0).
    net.rebind(a, '10.0.0.1:7');
    const id = client.openStream('uni')!;
    client.write(id, new Uint8Array(5000));
    client.finish(id);
    net.runUntil(() => !client.localCids.map(hex).includes(before[0]!), 10_000);
    expect(client.localCids).toHaveLength(5);
    const after = client.localCids.map(hex);
    expect(after.filter((c) => !before.includes(c))).toHaveLength(1);
    expect(a.routedCids).toBe(5);
    // The retired CID is no longer routed: a packet to it is answered with a stateless reset.
    const packet = new Uint8Array(60);
    packet[0] = 0x40;
    packet.set(Buffer.from(before[0]!, 'hex'), 1);
    expect(a.handleDatagram(net.now, '10.9.9.9:9', packet).kind).toBe('transmit');
    expect(hex(server.remoteCids.current)).not.toBe(before[0]);
    expect(server.isClosed || client.isClosed).toBe(false);
  });

  it('rotated CIDs are routed, and the retired ones are not any more', () => {
    const net = new EndpointNet();
    const { b, client, server } = established(net);
    const old = server.localCids.map(hex);
    server.rotateConnectionIds();
    net.runFor(200);
    expect(server.localCids.map(hex).filter((c) => old.includes(c))).toEqual([]);
    expect(b.routedCids).toBe(6);
    expect(hex(client.remoteCids.current)).toBe(hex(server.localCids[0]!));
    for (const c of old) {
      const packet = new Uint8Array(60);
      packet[0] = 0x40;
      packet.set(Buffer.from(c, 'hex'), 1);
      expect(b.handleDatagram(net.now, '10.9.9.9:9', packet).kind).toBe('transmit'); // a stateless reset
    }
  });
});
