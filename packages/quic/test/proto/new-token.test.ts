import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../../src/proto/endpoint.js';
import { EndpointNet } from '../support/endpoint-net.js';

const A = '10.0.0.1:1';
const B = '10.0.0.2:2';

/** Whether `data` is a Retry packet. */
const isRetry = (data: Uint8Array) => (data[0]! & 0xf0) === 0xf0;

/** A client endpoint that has had one connection to a `requireRetry` server, and closed it. */
function afterFirstConnection(server: Partial<EndpointConfig> = {}) {
  const net = new EndpointNet();
  const a = net.add(A);
  const b = net.add(B, { requireRetry: true, ...server });
  const first = net.connect(a, b);
  net.runUntil(() => !first.isHandshaking && net.connections(b).length === 1);
  net.runUntil(() => a.hasToken(B), 2_000);
  expect(net.log.filter((w) => isRetry(w.data))).toHaveLength(1);
  first.close(net.now, 0n);
  net.runUntil(() => first.isDrained, 5_000);
  return { net, a, b };
}

describe('NEW_TOKEN (RFC 9000 §8.1.3)', () => {
  it('a server issues a token after the handshake; the next connection uses it and skips the Retry', () => {
    const { net, a, b } = afterFirstConnection();
    const before = net.log.length;
    const second = net.connect(a, b);
    expect(a.hasToken(B)).toBe(false); // used once
    net.runUntil(() => !second.isHandshaking && net.connections(b).length === 1);
    expect(net.log.slice(before).filter((w) => isRetry(w.data))).toEqual([]);
    const server = net.connections(b)[0]!;
    expect(net.incoming.at(-1)!.addressValidated).toBe(true);
    expect(net.incoming.at(-1)!.retrySourceCid).toBeUndefined();
    expect(server.remoteAddressValidated).toBe(true);
    expect(second.isClosed).toBe(false);
    // The second connection gets a token of its own, for the one after.
    net.runUntil(() => a.hasToken(B), 2_000);
  });

  it('an expired token is ignored: Retry as usual', () => {
    const { net, a, b } = afterFirstConnection({ tokenLifetimes: { newToken: 1_000 } });
    net.runFor(2_000);
    const before = net.log.length;
    const second = net.connect(a, b);
    net.runUntil(() => !second.isHandshaking && net.connections(b).length === 1);
    expect(net.log.slice(before).filter((w) => isRetry(w.data))).toHaveLength(1);
    expect(net.incoming.at(-1)!.retrySourceCid).toBeDefined();
  });

  it('a token from another IP is ignored: Retry as usual', () => {
    const { net, a, b } = afterFirstConnection();
    net.rebind(a, '10.0.0.77:1');
    const before = net.log.length;
    const second = net.connect(a, b);
    net.runUntil(() => !second.isHandshaking && net.connections(b).length === 1);
    expect(net.log.slice(before).filter((w) => isRetry(w.data))).toHaveLength(1);
    expect(second.isClosed).toBe(false);
  });

  it('without requireRetry a valid token still validates the address, and tokens can be turned off', () => {
    const net = new EndpointNet();
    const a = net.add(A);
    const b = net.add(B);
    const first = net.connect(a, b);
    net.runUntil(() => !first.isHandshaking && a.hasToken(B), 2_000);
    expect(net.incoming[0]!.addressValidated).toBe(false);
    const second = net.connect(a, b);
    net.runUntil(() => !second.isHandshaking);
    expect(net.incoming[1]!.addressValidated).toBe(true);
    // A server that sends no tokens.
    const quiet = new EndpointNet();
    const c = quiet.add(A);
    const conn = quiet.connect(c, quiet.add(B, { sendNewTokens: false }));
    quiet.runUntil(() => !conn.isHandshaking);
    quiet.runFor(500);
    expect(c.hasToken(B)).toBe(false);
  });
});
