import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkarrServer, RedisStore } from '../src/server/index.js';
import { queryTxt } from './dns-query.js';
import { keyFrom } from './helpers.js';
import { redisUnavailableReason, startRedis, type TestRedis } from './support/redis-server.js';
import { packet, storeContract } from './support/store-contract.js';

const skipReason = redisUnavailableReason();
if (skipReason) console.warn(`SKIP redis-store tests: ${skipReason}`);

let redis: TestRedis;
let prefixCounter = 0;
const openStore = () => RedisStore.open({ url: redis.url, keyPrefix: `t${prefixCounter++}:` });

beforeAll(async () => {
  if (!skipReason) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Polls `fn` until it returns a value accepted by `ok`, or the 1 s deadline passes; returns the last value. */
async function pollUntil<T>(fn: () => Promise<T>, ok: (v: T) => boolean, deadlineMs = 1000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last = await fn();
  while (!ok(last) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    last = await fn();
  }
  return last;
}

describe.skipIf(skipReason !== undefined)('RedisStore contract', () => {
  storeContract(openStore, 200);
});

describe.skipIf(skipReason !== undefined)('RedisStore', () => {
  it('fails to open with StoreError Backend when nothing listens', async () => {
    await expect(
      RedisStore.open({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 300 }),
    ).rejects.toMatchObject({ name: 'StoreError', code: 'Backend' });
  });

  it('reports a change made through another connection to every subscriber', async () => {
    const prefix = `shared${prefixCounter++}:`;
    const one = await RedisStore.open({ url: redis.url, keyPrefix: prefix });
    const two = await RedisStore.open({ url: redis.url, keyPrefix: prefix });
    try {
      const seen: string[] = [];
      two.subscribe((k) => seen.push(k));
      const p = packet(keyFrom(230), 7n);
      expect(await one.upsert(p)).toBe('inserted');
      await expect.poll(() => seen, { timeout: 1000 }).toEqual([p.z32]);
      expect((await two.get(p.z32))?.bytes).toEqual(p.bytes);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("two servers on one Redis serve each other's records and drop stale zones", async () => {
    const prefix = `servers${prefixCounter++}:`;
    const start = () =>
      PkarrServer.start({
        store: { kind: 'redis', url: redis.url, keyPrefix: prefix },
        http: { port: 0, host: '127.0.0.1', rateLimit: 'disabled' },
        dns: { port: 0, host: '127.0.0.1', origins: ['dns.example.'] },
        eviction: false,
      });
    const [s1, s2] = await Promise.all([start(), start()]);
    try {
      const secret = keyFrom(231);
      const z32 = secret.public().toZ32();
      const name = `_iroh.${z32}.dns.example.`;
      const v1 = packet(secret, 1000n, 'relay=https://one.example./');
      const put1 = await fetch(`${s1.pkarrUrl}/${z32}`, { method: 'PUT', body: v1.relayPayload });
      expect(put1.status).toBe(204);

      const got = await pollUntil(
        async () => {
          const r = await fetch(`${s2.pkarrUrl}/${z32}`);
          return { status: r.status, body: new Uint8Array(await r.arrayBuffer()) };
        },
        (r) => r.status === 200,
      );
      expect(got.status).toBe(200);
      expect(got.body).toEqual(v1.relayPayload);
      const txt2 = await pollUntil(
        () => queryTxt(s2.dnsUdpAddr!.port, name, 1000),
        (t) => t.length > 0,
      );
      expect(txt2).toEqual(['relay=https://one.example./']);

      // instance 1 caches the zone, then an update arrives through instance 2
      expect(await queryTxt(s1.dnsUdpAddr!.port, name, 1000)).toEqual(['relay=https://one.example./']);
      expect(s1.zones.cachedZone(z32)).toBeDefined();
      const v2 = packet(secret, 2000n, 'relay=https://two.example./');
      const put2 = await fetch(`${s2.pkarrUrl}/${z32}`, { method: 'PUT', body: v2.relayPayload });
      expect(put2.status).toBe(204);
      const txt1 = await pollUntil(
        () => queryTxt(s1.dnsUdpAddr!.port, name, 1000),
        (t) => t[0] === 'relay=https://two.example./',
      );
      expect(txt1).toEqual(['relay=https://two.example./']);
      const body1 = new Uint8Array(await (await fetch(`${s1.pkarrUrl}/${z32}`)).arrayBuffer());
      expect(body1).toEqual(v2.relayPayload);
    } finally {
      await Promise.all([s1.stop(), s2.stop()]);
    }
  });

  it('asks subscribers to start afresh when the change channel reconnects', async () => {
    const prefix = `reset${prefixCounter++}:`;
    const store = await RedisStore.open({ url: redis.url, keyPrefix: prefix });
    const writer = await RedisStore.open({ url: redis.url, keyPrefix: prefix });
    try {
      let resets = 0;
      const seen: string[] = [];
      store.subscribe(
        (k) => seen.push(k),
        () => resets++,
      );
      // drop every pub/sub connection; node-redis reconnects and resubscribes by itself
      const { createClient } = await import('redis');
      const admin = createClient({ url: redis.url });
      await admin.connect();
      await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      await admin.close();
      await expect.poll(() => resets, { timeout: 3000 }).toBeGreaterThan(0);
      // notifications flow again once the subscription is back
      const secret = keyFrom(232);
      let ts = 1n;
      await expect
        .poll(
          async () => {
            await writer.upsert(packet(secret, ts++));
            return seen.length;
          },
          { timeout: 3000, interval: 50 },
        )
        .toBeGreaterThan(0);
      expect(seen[0]).toBe(secret.public().toZ32());
    } finally {
      await Promise.all([store.close(), writer.close()]);
    }
  });
});
