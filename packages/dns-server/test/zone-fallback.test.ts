import { describe, expect, it } from 'vitest';
import type { SignedPacket } from '../src/index.js';
import {
  MemoryStore,
  openStore,
  type PacketFallback,
  type PacketStore,
  ZoneStore,
} from '../src/server/index.js';
import { keyFrom } from './helpers.js';
import { packet } from './support/store-contract.js';

/** A fallback that knows fixed packets and counts its lookups. */
class StubFallback implements PacketFallback {
  lookups = 0;
  constructor(readonly packets: Map<string, SignedPacket>) {}
  async resolve(key: string): Promise<SignedPacket | undefined> {
    this.lookups++;
    return this.packets.get(key);
  }
}

describe('ZoneStore with a fallback', () => {
  it('serves fallback packets on a store miss without storing or caching them', async () => {
    const secret = keyFrom(250);
    const z32 = secret.public().toZ32();
    const p = packet(secret, 10n, 'relay=https://fallback.example./');
    const fallback = new StubFallback(new Map([[z32, p]]));
    const store = new MemoryStore();
    const zones = new ZoneStore(store, { fallback });
    expect((await zones.getPacket(z32))?.bytes).toEqual(p.bytes);
    const zone = await zones.zone(z32);
    expect(zone?.lookup('_iroh', 16)?.count).toBe(1);
    expect(zones.cachedZone(z32)).toBeUndefined();
    expect(await store.get(z32)).toBeUndefined();
    expect(fallback.lookups).toBe(2);
    // once the store has a packet, the fallback is no longer asked
    const stored = packet(secret, 5n, 'relay=https://stored.example./');
    await zones.insert(stored);
    expect((await zones.getPacket(z32))?.bytes).toEqual(stored.bytes);
    expect(await zones.zone(z32)).toBeDefined();
    expect(fallback.lookups).toBe(2);
    expect(await zones.zone(keyFrom(251).public().toZ32())).toBeUndefined();
  });
});

describe('ZoneStore and store resets', () => {
  it('drops every cached zone when the store reports lost notifications', async () => {
    const inner = new MemoryStore();
    let reset: (() => void) | undefined;
    const store: PacketStore = {
      get: (k) => inner.get(k),
      upsert: (p) => inner.upsert(p),
      delete: (k) => inner.delete(k),
      evictOlderThan: (t) => inner.evictOlderThan(t),
      entries: () => inner.entries(),
      size: () => inner.size(),
      subscribe: (listener, onReset) => {
        reset = onReset;
        return inner.subscribe(listener);
      },
    };
    const zones = new ZoneStore(store);
    const keys = [keyFrom(252), keyFrom(253)];
    for (const k of keys) {
      await zones.insert(packet(k, 1n));
      await zones.zone(k.public().toZ32());
      expect(zones.cachedZone(k.public().toZ32())).toBeDefined();
    }
    reset?.();
    for (const k of keys) expect(zones.cachedZone(k.public().toZ32())).toBeUndefined();
  });
});

describe('openStore', () => {
  it('opens a memory store and rejects incomplete configurations', async () => {
    expect(await openStore({ kind: 'memory' })).toBeInstanceOf(MemoryStore);
    await expect(openStore({ kind: 'lmdb', path: '' })).rejects.toMatchObject({ code: 'InvalidOption' });
    await expect(openStore({ kind: 'redis', url: '' })).rejects.toMatchObject({ code: 'InvalidOption' });
    await expect(openStore({ kind: 'postgres' } as never)).rejects.toMatchObject({ code: 'InvalidOption' });
  });
});
