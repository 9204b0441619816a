import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/proto/connection/connection.js';
import { Endpoint, type Incoming } from '../../src/proto/endpoint.js';
import { parseHeader } from '../../src/proto/packet.js';
import { seededRandom } from '../../src/testing/pair.js';
import { readAvailable } from '../support/pair-helpers.js';
import { ScriptedCrypto } from '../support/scripted-crypto.js';

const A = '10.0.0.1:1';
const B = '10.0.0.2:2';

/**
 * Pumps datagrams between two endpoints (zero latency), firing timers as a driver would, until nothing
 * is left to send before `now + 50` ms.
 */
function pump(
  conns: Map<string, Connection[]>,
  eps: Record<string, Endpoint>,
  start: number,
  onIncoming: (i: Incoming) => void,
): void {
  let now = start;
  for (let round = 0; round < 200; round++) {
    let moved = false;
    // Advance to the earliest timer due within 50 ms (pacing, delayed ACKs) and run it.
    const due = [...conns.values()]
      .flat()
      .map((c) => c.pollTimeout(now))
      .filter((t): t is number => t !== undefined && t < start + 50);
    if (due.length > 0) {
      now = Math.max(now, Math.min(...due));
      for (const c of [...conns.values()].flat()) {
        const t = c.pollTimeout(now);
        if (t !== undefined && t <= now) c.handleTimeout(now);
      }
    }
    for (const [addr, list] of conns) {
      for (const c of list) {
        for (let t = c.pollTransmit(now); t; t = c.pollTransmit(now)) {
          moved = true;
          const out = eps[t.destination]!.handleDatagram(now, addr, t.data);
          if (out.kind === 'incoming') onIncoming(out.incoming);
          // Endpoint-level answers (Version Negotiation, Retry) go straight back.
          if (out.kind === 'transmit')
            eps[out.transmit.destination]!.handleDatagram(now, t.destination, out.transmit.data);
        }
      }
    }
    if (!moved && due.length === 0) return;
  }
}

describe('Endpoint', () => {
  it('routes by connection ID and accepts incoming connections', () => {
    const random = seededRandom(3);
    const eps = { [A]: new Endpoint({ random }), [B]: new Endpoint({ random }) };
    const conns = new Map<string, Connection[]>([
      [A, []],
      [B, []],
    ]);
    const client = eps[A]!.connect(0, B, (tp) => new ScriptedCrypto('client', tp));
    conns.get(A)!.push(client);
    const incoming: Incoming[] = [];
    pump(conns, eps, 0, (i) => incoming.push(i));
    expect(incoming).toHaveLength(1);
    expect(incoming[0]!.remote).toBe(A);
    const server = eps[B]!.accept(0, incoming[0]!, (tp) => new ScriptedCrypto('server', tp));
    conns.get(B)!.push(server);
    pump(conns, eps, 1, () => {});
    expect(client.isHandshaking).toBe(false);
    expect(server.isHandshaking).toBe(false);
    const id = client.openStream('bi')!;
    client.write(id, Uint8Array.of(1, 2, 3));
    client.finish(id);
    pump(conns, eps, 2, () => {});
    const sid = server.acceptStream('bi')!;
    const got: Uint8Array[] = [];
    expect(readAvailable(server, sid, got)).toBe(true);
    expect(got.flatMap((c) => [...c])).toEqual([1, 2, 3]);
    expect(eps[B]!.connectionCount).toBe(1);
  });

  it('drops what it cannot use, and answers unknown versions with Version Negotiation', () => {
    const ep = new Endpoint({ random: seededRandom(4) });
    expect(ep.handleDatagram(0, A, new Uint8Array(10)).kind).toBe('dropped');
    // A short header for an unknown connection: answered with a (smaller) stateless reset.
    const short = new Uint8Array(60);
    short[0] = 0x40;
    const reset = ep.handleDatagram(0, A, short);
    expect(reset.kind).toBe('transmit');
    if (reset.kind === 'transmit') expect(reset.transmit.data.length).toBeLessThan(60);
    // An Initial in a datagram under 1200 bytes.
    const small = new Uint8Array(300);
    small.set([0xc0, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x40, 0x40]);
    expect(ep.handleDatagram(0, A, small)).toMatchObject({
      kind: 'dropped',
      reason: expect.stringMatching(/1200/),
    });
    // An unknown version in a 1200-byte datagram gets a Version Negotiation packet offering v1.
    const unknown = new Uint8Array(1200);
    unknown.set([0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 4, 9, 9, 9, 9, 2, 7, 7]);
    const out = ep.handleDatagram(0, A, unknown);
    expect(out.kind).toBe('transmit');
    if (out.kind !== 'transmit') return;
    expect(out.transmit.destination).toBe(A);
    const vn = parseHeader(out.transmit.data, 0, 8);
    expect(vn.type).toBe('version-negotiation');
    expect([...vn.dcid]).toEqual([7, 7]);
    expect([...vn.scid!]).toEqual([9, 9, 9, 9]);
    expect(vn.versions).toContain(1);
  });

  it('validates the client address with a Retry when required, and refuses a token from another address', () => {
    const random = seededRandom(5);
    const eps = { [A]: new Endpoint({ random }), [B]: new Endpoint({ random, requireRetry: true }) };
    const conns = new Map<string, Connection[]>([
      [A, []],
      [B, []],
    ]);
    const client = eps[A]!.connect(0, B, (tp) => new ScriptedCrypto('client', tp));
    conns.get(A)!.push(client);
    const first = client.pollTransmit(0)!;
    const retry = eps[B]!.handleDatagram(0, A, first.data);
    expect(retry.kind).toBe('transmit');
    if (retry.kind !== 'transmit') return;
    expect(parseHeader(retry.transmit.data, 0, 8).type).toBe('retry');
    eps[A]!.handleDatagram(0, B, retry.transmit.data);
    // The client's new Initial carries the token; replayed from another address it is refused.
    const second = client.pollTransmit(2)!;
    expect(eps[B]!.handleDatagram(1, '10.9.9.9:9', second.data)).toMatchObject({
      kind: 'dropped',
      reason: expect.stringMatching(/token/),
    });
    const incoming: Incoming[] = [];
    const accepted = eps[B]!.handleDatagram(1, A, second.data);
    if (accepted.kind === 'incoming') incoming.push(accepted.incoming);
    expect(incoming).toHaveLength(1);
    expect(incoming[0]!.retrySourceCid).toBeDefined();
    const server = eps[B]!.accept(1, incoming[0]!, (tp) => new ScriptedCrypto('server', tp));
    conns.get(B)!.push(server);
    pump(conns, eps, 2, () => {});
    expect(client.isHandshaking).toBe(false);
    expect(server.isHandshaking).toBe(false);
    expect(client.isClosed).toBe(false);
  });

  it('after a Retry, every Initial the client sends carries the token, even a CONNECTION_CLOSE', () => {
    const random = seededRandom(6);
    const server = new Endpoint({ random, requireRetry: true });
    const client = new Endpoint({ random }).connect(0, B, (tp) => new ScriptedCrypto('client', tp));
    const retry = server.handleDatagram(0, A, client.pollTransmit(0)!.data);
    if (retry.kind !== 'transmit') throw new Error('expected a Retry');
    const token = parseHeader(retry.transmit.data, 0, 8).token!;
    client.handleDatagram(0, B, retry.transmit.data);
    client.close(1, 3n);
    const close = client.pollTransmit(1)!;
    const h = parseHeader(close.data, 0, 8);
    expect(h.type).toBe('initial');
    expect([...h.token!]).toEqual([...token]);
  });
});
