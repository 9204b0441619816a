/** Choosing and opening the packet store from the configuration. */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore, MemoryStore, RedisStore } from '@iroh-ts/dns-server/server';
import { createLogger } from '@iroh-ts/server-common';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStore, openStore, storeConfig } from '../src/store.js';
import { endpointPacket, keyFrom } from './support/packets.js';
import { redisSkipReason, startRedis, type TestRedis } from './support/redis.js';

const log = createLogger('test', { write: () => {} });
const redisSkip = redisSkipReason();
if (redisSkip) console.warn(`SKIP apps/dns-server Redis store test: ${redisSkip}`);

let redis: TestRedis | undefined;
afterAll(() => redis?.stop());

describe('openStore', () => {
  it('memory: a MemoryStore', async () => {
    const store = await openStore({ kind: 'memory' }, log);
    expect(store).toBeInstanceOf(MemoryStore);
    await store.close?.();
  });

  it('lmdb: a durable database in the directory, readable again after reopening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-lmdb-'));
    const packet = endpointPacket(keyFrom(3), 'https://relay.example.com./');
    const store = await openStore({ kind: 'lmdb', path: dir }, log);
    expect(store).toBeInstanceOf(LmdbStore);
    expect(await store.upsert(packet)).toBe('inserted');
    await store.close?.();
    expect(existsSync(join(dir, 'signed-packets-1.mdb'))).toBe(true);
    const again = await openStore({ kind: 'lmdb', path: dir }, log);
    expect((await again.get(packet.z32))?.toBytes()).toEqual(packet.toBytes());
    await again.close?.();
  });

  it.skipIf(redisSkip !== null)('redis: two stores on one server share packets', async () => {
    redis = await startRedis();
    const settings = { kind: 'redis', url: redis.url, keyPrefix: 'test-a:' } as const;
    const [a, b] = [await openStore(settings, log), await openStore(settings, log)];
    try {
      expect(a).toBeInstanceOf(RedisStore);
      const packet = endpointPacket(keyFrom(4), 'https://relay.example.com./');
      expect(await a.upsert(packet)).toBe('inserted');
      expect((await b.get(packet.z32))?.toBytes()).toEqual(packet.toBytes());
    } finally {
      await Promise.all([a.close?.(), b.close?.()]);
    }
  });
});

describe('storeConfig and describeStore', () => {
  it('maps the settings to the library', () => {
    expect(storeConfig({ kind: 'lmdb', path: '/d' })).toEqual({ kind: 'lmdb', path: '/d' });
    expect(storeConfig({ kind: 'redis', url: 'redis://h', keyPrefix: undefined })).toEqual({
      kind: 'redis',
      url: 'redis://h',
    });
    expect(storeConfig({ kind: 'redis', url: 'redis://h', keyPrefix: 'p:' })).toEqual({
      kind: 'redis',
      url: 'redis://h',
      keyPrefix: 'p:',
    });
  });

  it('describes stores without credentials', () => {
    expect(
      describeStore({
        kind: 'redis',
        url: 'redis://user:secret@cache.internal:6380/2',
        keyPrefix: undefined,
      }),
    ).toBe('redis:cache.internal:6380');
    expect(describeStore({ kind: 'lmdb', path: '/var/lib/x' })).toBe('lmdb:/var/lib/x');
    expect(describeStore({ kind: 'memory' })).toBe('memory');
  });
});
