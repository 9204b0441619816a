/** Behaviour every {@link PacketStore} must show, run against each implementation. */
import type { SecretKey } from '@iroh-ts/base';
import { expect, it } from 'vitest';
import { SignedPacket } from '../../src/index.js';
import type { PacketStore } from '../../src/server/index.js';
import { keyFrom } from '../helpers.js';

/** A packet of `secret` with one TXT record `value` at `_iroh` and the given timestamp. */
export function packet(
  secret: SecretKey,
  timestamp: bigint,
  value = 'relay=https://relay.example./',
): SignedPacket {
  return SignedPacket.fromTxtStrings(secret, '_iroh', [value], 30, { timestamp });
}

async function collect(store: PacketStore): Promise<Map<string, SignedPacket>> {
  const out = new Map<string, SignedPacket>();
  for await (const p of store.entries()) {
    expect(out.has(p.z32)).toBe(false);
    out.set(p.z32, p);
  }
  return out;
}

/**
 * Registers the contract tests. `open` gives a fresh, empty store for each test; it is closed afterwards.
 * `keyBase` keeps the keys of different suites apart.
 */
export function storeContract(open: () => Promise<PacketStore>, keyBase: number): void {
  const a = keyFrom(keyBase);
  const b = keyFrom(keyBase + 1);

  it('keeps only the more recent packet of each key', async () => {
    const store = await open();
    try {
      const p100 = packet(a, 100n);
      expect(await store.get(a.public().toZ32())).toBeUndefined();
      expect(await store.upsert(p100)).toBe('inserted');
      expect(await store.upsert(p100)).toBe('unchanged');
      expect(await store.upsert(packet(a, 99n))).toBe('unchanged');
      // equal timestamps: the greater DNS bytes win ('y' > 'x' in the TXT value)
      const px = packet(a, 200n, 'relay=https://x./');
      const py = packet(a, 200n, 'relay=https://y./');
      expect(await store.upsert(py)).toBe('updated');
      expect(await store.upsert(px)).toBe('unchanged');
      expect((await store.get(a.public().toZ32()))?.bytes).toEqual(py.bytes);
      const p300 = packet(a, 300n);
      expect(await store.upsert(p300)).toBe('updated');
      const got = await store.get(a.public().toZ32());
      expect(got?.bytes).toEqual(p300.bytes);
      expect(got?.timestamp).toBe(300n);
      expect(await store.size()).toBe(1);
    } finally {
      await store.close?.();
    }
  });

  it('settles concurrent upserts of one key on the most recent packet', async () => {
    const store = await open();
    try {
      const timestamps = [5n, 40n, 17n, 33n, 40n, 2n, 39n, 12n, 25n, 31n];
      const results = await Promise.all(timestamps.map((t) => store.upsert(packet(b, t))));
      expect(results.filter((r) => r === 'inserted')).toHaveLength(1);
      expect((await store.get(b.public().toZ32()))?.timestamp).toBe(40n);
      expect(await store.size()).toBe(1);
    } finally {
      await store.close?.();
    }
  });

  it('deletes, evicts by packet timestamp, iterates and counts', async () => {
    const store = await open();
    try {
      const keys = Array.from({ length: 12 }, (_, i) => keyFrom(keyBase + 10 + i));
      // timestamps 1000, 2000, …; key 0 is later replaced by a newer packet, moving it past the cutoff
      for (const [i, k] of keys.entries()) await store.upsert(packet(k, BigInt((i + 1) * 1000)));
      await store.upsert(packet(keys[0]!, 50_000n));
      expect(await store.size()).toBe(12);
      expect(await store.delete(keys[11]!.public().toZ32())).toBe(true);
      expect(await store.delete(keys[11]!.public().toZ32())).toBe(false);
      const removed = await store.evictOlderThan(5000n);
      // keys 1..3 have 2000, 3000, 4000; key 4 has exactly 5000 and stays
      expect(new Set(removed)).toEqual(new Set(keys.slice(1, 4).map((k) => k.public().toZ32())));
      expect(await store.evictOlderThan(5000n)).toEqual([]);
      const all = await collect(store);
      expect(new Set(all.keys())).toEqual(
        new Set([keys[0]!, ...keys.slice(4, 11)].map((k) => k.public().toZ32())),
      );
      expect(all.get(keys[0]!.public().toZ32())?.timestamp).toBe(50_000n);
      expect(await store.size()).toBe(8);
      expect(await store.get(keys[2]!.public().toZ32())).toBeUndefined();
    } finally {
      await store.close?.();
    }
  });

  it('tells subscribers about every change and removal', async () => {
    const store = await open();
    try {
      const seen: string[] = [];
      const unsubscribe = store.subscribe?.((key) => seen.push(key));
      if (!unsubscribe) return;
      const z = a.public().toZ32();
      await store.upsert(packet(a, 10n));
      await store.upsert(packet(a, 5n)); // unchanged: no notification
      await store.upsert(packet(a, 20n));
      await store.delete(z);
      await store.upsert(packet(a, 30n));
      await store.evictOlderThan(31n);
      await expect.poll(() => seen.length, { timeout: 1000 }).toBe(5);
      expect(seen).toEqual([z, z, z, z, z]);
      unsubscribe();
      await store.upsert(packet(a, 40n));
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toHaveLength(5);
    } finally {
      await store.close?.();
    }
  });

  it('rejects use after close with StoreError Closed', async () => {
    const store = await open();
    await store.close?.();
    if (!store.close) return;
    await expect(store.get(a.public().toZ32())).rejects.toMatchObject({ name: 'StoreError', code: 'Closed' });
    await expect(store.upsert(packet(a, 1n))).rejects.toMatchObject({ code: 'Closed' });
    await store.close(); // idempotent
  });
}
