import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressTokens, addressHost, TokenStore } from '../../src/proto/address-token.js';
import { seededRandom } from '../../src/testing/pair.js';

const dcid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

describe('address-validation tokens (RFC 9000 §8.1)', () => {
  const tokens = new AddressTokens(seededRandom(1), { retry: 10_000, newToken: 60_000 });

  it('Retry tokens bind the full address, the original DCID and the time', () => {
    const t = tokens.issueRetry('10.0.0.1:1000', dcid, 5_000);
    expect(tokens.check(t, '10.0.0.1:1000', 6_000)).toEqual({
      kind: 'retry',
      originalDcid: dcid,
      issuedAt: 5_000,
    });
    expect(tokens.check(t, '10.0.0.1:1001', 6_000)).toBeUndefined();
    expect(tokens.check(t, '10.0.0.1:1000', 15_001)).toBeUndefined();
    expect(AddressTokens.isRetryToken(t)).toBe(true);
  });

  it('NEW_TOKEN tokens bind only the IP, live longer, and are not Retry tokens', () => {
    const t = tokens.issueNewToken('10.0.0.1:1000', 5_000);
    expect(AddressTokens.isRetryToken(t)).toBe(false);
    expect(tokens.check(t, '10.0.0.1:2222', 50_000)).toEqual({ kind: 'new-token', issuedAt: 5_000 });
    expect(tokens.check(t, '10.0.0.2:1000', 50_000)).toBeUndefined();
    expect(tokens.check(t, '10.0.0.1:1000', 65_001)).toBeUndefined();
    const v6 = tokens.issueNewToken('[fe80::1]:9', 0);
    expect(tokens.check(v6, '[fe80::1]:10', 1)?.kind).toBe('new-token');
    expect(tokens.check(v6, '[fe80::2]:9', 1)).toBeUndefined();
    // Flipping the kind byte breaks authentication: one kind cannot pass for the other.
    const flipped = t.slice();
    flipped[0] = tokens.issueRetry('10.0.0.1:1000', dcid, 0)[0]!;
    expect(tokens.check(flipped, '10.0.0.1:1000', 5_000)).toBeUndefined();
    // Another endpoint's key.
    const other = new AddressTokens(seededRandom(2));
    expect(other.check(t, '10.0.0.1:1000', 5_000)).toBeUndefined();
  });

  it('never accepts or throws on arbitrary or mutated bytes', () => {
    const issued = tokens.issueNewToken('10.0.0.1:1000', 0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(tokens.check(bytes, '10.0.0.1:1000', 0)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(fc.nat({ max: issued.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const m = issued.slice();
        m[at]! ^= x;
        expect(tokens.check(m, '10.0.0.1:1000', 0)).toBeUndefined();
      }),
    );
  });

  it('addressHost takes the IP of ip:port and [ip6]:port', () => {
    expect(addressHost('1.2.3.4:5')).toBe('1.2.3.4');
    expect(addressHost('[::1]:5')).toBe('[::1]');
    expect(addressHost('opaque')).toBe('opaque');
    expect(addressHost('fe80::1')).toBe('fe80::1');
  });

  it('the client’s token store is bounded and hands each token out once, newest first', () => {
    const store = new TokenStore(2, 2);
    store.insert('a', Uint8Array.of(1));
    store.insert('a', Uint8Array.of(2));
    store.insert('a', Uint8Array.of(3));
    expect([...store.take('a')!]).toEqual([3]);
    expect([...store.take('a')!]).toEqual([2]);
    expect(store.take('a')).toBeUndefined();
    store.insert('a', Uint8Array.of(1));
    store.insert('b', Uint8Array.of(1));
    store.insert('c', Uint8Array.of(1));
    expect(store.size).toBe(2);
    expect(store.take('a')).toBeUndefined(); // the least recently updated server was forgotten
  });
});
