import { CustomAddr, SecretKey, SocketAddr } from '@iroh-ts/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customMapped, endpointMapped, ipMapped, parseMapped, relayMapped } from '../src/socket/addrs.js';

describe('socket-layer addresses', () => {
  it('round-trip every kind', () => {
    const id = SecretKey.generate().public();
    expect(parseMapped(endpointMapped(id))).toMatchObject({ kind: 'endpoint' });
    expect((parseMapped(relayMapped(id)) as { id: typeof id }).id.equals(id)).toBe(true);
    const c = CustomAddr.fromParts(7n, Uint8Array.of(1, 2, 3));
    expect(parseMapped(customMapped(c))).toEqual({ kind: 'custom', addr: c });
    for (const ip of ['127.0.0.1:4433', '[::1]:1']) {
      expect(parseMapped(ipMapped(SocketAddr.parse(ip)))).toEqual({ kind: 'ip', addr: SocketAddr.parse(ip) });
    }
  });

  it('anything else parses to undefined, never throws', () => {
    const prefixed = fc.tuple(fc.constantFrom('', 'iroh-ep:', 'iroh-relay:', 'iroh-custom:'), fc.string());
    fc.assert(
      fc.property(prefixed, ([p, s]) => {
        const m = parseMapped(p + s);
        if (m !== undefined) expect(['ip', 'endpoint', 'relay', 'custom']).toContain(m.kind);
      }),
      { numRuns: 20_000 },
    );
    expect(parseMapped('iroh-ep:nope')).toBeUndefined();
    expect(parseMapped('not an address')).toBeUndefined();
  });
});
