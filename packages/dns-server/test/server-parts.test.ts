import { TransportAddr } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import { EndpointInfo, type SignedPacket } from '../src/index.js';
import {
  CachedZone,
  DnsServerMetrics,
  Evictor,
  type IntervalTimers,
  MemoryStore,
  peerIp,
  RateLimiter,
  smartIp,
  ZoneCache,
  ZoneStore,
} from '../src/server/index.js';
import { keyFrom } from './helpers.js';

const DAY_US = 86_400_000_000n;

function packetAt(byte: number, timestamp: bigint, relay = 'https://r./'): SignedPacket {
  const k = keyFrom(byte);
  return new EndpointInfo(k.public(), [TransportAddr.relay(relay)]).toSignedPacket(k, 30, { timestamp });
}

describe('MemoryStore', () => {
  it('stores only more recent packets and notifies subscribers of changes', async () => {
    const store = new MemoryStore();
    const seen: string[] = [];
    const unsubscribe = store.subscribe((k) => seen.push(k));
    const a1 = packetAt(1, 10n);
    const a2 = packetAt(1, 20n, 'https://r2./');
    expect(await store.upsert(a1)).toBe('inserted');
    expect(await store.upsert(a1)).toBe('unchanged');
    expect(await store.upsert(a2)).toBe('updated');
    expect(await store.upsert(a1)).toBe('unchanged');
    expect((await store.get(a1.z32))!.timestamp).toBe(20n);
    expect(seen).toEqual([a1.z32, a1.z32]);
    expect(await store.delete(a1.z32)).toBe(true);
    expect(await store.delete(a1.z32)).toBe(false);
    unsubscribe();
    await store.upsert(a1);
    expect(seen).toHaveLength(3);
    expect(await store.size()).toBe(1);
  });

  it('evicts by packet timestamp and iterates the rest', async () => {
    const store = new MemoryStore();
    await store.upsert(packetAt(1, 5n * DAY_US));
    await store.upsert(packetAt(2, 9n * DAY_US));
    expect(await store.evictOlderThan(6n * DAY_US)).toEqual([keyFrom(1).public().toZ32()]);
    const rest: string[] = [];
    for await (const p of store.entries()) rest.push(p.z32);
    expect(rest).toEqual([keyFrom(2).public().toZ32()]);
  });
});

describe('ZoneCache', () => {
  it('drops the least recently used zone beyond capacity', () => {
    const cache = new ZoneCache(2);
    const z = CachedZone.fromSignedPacket(packetAt(1, 1n));
    cache.set('a', z);
    cache.set('b', z);
    cache.get('a');
    cache.set('c', z);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(z);
    expect(cache.get('c')).toBe(z);
    expect(() => new ZoneCache(0)).toThrow(RangeError);
  });
});

describe('ZoneStore', () => {
  it('invalidates its cache when a shared store reports a change made elsewhere', async () => {
    const store = new MemoryStore();
    const metrics = new DnsServerMetrics();
    const zones = new ZoneStore(store, { metrics });
    const p1 = packetAt(3, 1n, 'https://one./');
    await store.upsert(p1);
    const z1 = await zones.zone(p1.z32);
    expect(z1?.lookup('_iroh', 16)?.count).toBe(1);
    expect(await zones.zone(p1.z32)).toBe(z1);
    await store.upsert(packetAt(3, 2n, 'https://two./')); // another writer, not through `zones`
    const z2 = await zones.zone(p1.z32);
    expect(z2).not.toBe(z1);
    expect(z2?.timestamp).toBe(2n);
    expect(metrics.cacheHits.get()).toBe(1n);
    expect(metrics.cacheMisses.get()).toBe(2n);
    zones.close();
  });
});

describe('Evictor', () => {
  it('removes packets older than 7 days on its interval', async () => {
    let now = 10 * 86_400_000;
    let tick: (() => void) | undefined;
    const timers: IntervalTimers = {
      setInterval: (fn) => {
        tick = fn;
        return 1;
      },
      clearInterval: () => {
        tick = undefined;
      },
    };
    const metrics = new DnsServerMetrics();
    const zones = new ZoneStore(new MemoryStore(), { metrics });
    await zones.insert(packetAt(1, 2n * DAY_US)); // 8 days old
    await zones.insert(packetAt(2, 4n * DAY_US)); // 6 days old
    const evictor = new Evictor(zones, { now: () => now, timers });
    evictor.start();
    tick!();
    await new Promise((r) => setImmediate(r));
    expect(await zones.getPacket(keyFrom(1).public().toZ32())).toBeUndefined();
    expect(await zones.getPacket(keyFrom(2).public().toZ32())).toBeDefined();
    now += 2 * 86_400_000;
    expect(await evictor.runOnce()).toBe(1);
    expect(metrics.storePacketsExpired.get()).toBe(2n);
    evictor.stop();
    expect(tick).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('allows a burst of 2 then one per 4 s, per client', () => {
    const rl = new RateLimiter();
    expect(rl.check('a', 0).allowed).toBe(true);
    expect(rl.check('a', 0).allowed).toBe(true);
    expect(rl.check('a', 0)).toEqual({ allowed: false, retryAfterMs: 4000 });
    expect(rl.check('b', 0).allowed).toBe(true);
    expect(rl.check('a', 3999).allowed).toBe(false);
    expect(rl.check('a', 4000).allowed).toBe(true);
    expect(rl.check('a', 4000).allowed).toBe(false);
    expect(rl.check('a', 16_000).allowed).toBe(true);
    expect(rl.check('a', 16_000).allowed).toBe(true);
    expect(rl.check('a', 16_000).allowed).toBe(false);
    rl.sweep(1_000_000);
    expect(rl.size).toBe(0);
  });
});

describe('client IP extraction', () => {
  it('simple uses the peer; smart prefers X-Forwarded-For, X-Real-IP, Forwarded', () => {
    const peer = '::ffff:10.0.0.1';
    expect(peerIp({ peer, headers: { 'x-forwarded-for': '1.1.1.1' } })).toBe('10.0.0.1');
    expect(smartIp({ peer, headers: { 'x-forwarded-for': '1.1.1.1, 2.2.2.2' } })).toBe('1.1.1.1');
    expect(smartIp({ peer, headers: { 'x-forwarded-for': 'junk', 'x-real-ip': '3.3.3.3' } })).toBe('3.3.3.3');
    expect(smartIp({ peer, headers: { forwarded: 'for="[2001:db8::1]:80";proto=https' } })).toBe(
      '2001:db8::1',
    );
    expect(smartIp({ peer, headers: {} })).toBe('10.0.0.1');
  });
});
