import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretKey } from '@iroh-ts/base';
import { afterAll, describe, expect, it } from 'vitest';
import { LMDB_FILE_NAME, LmdbStore, MemoryStore, PkarrServer } from '../src/server/index.js';
import { keyFrom } from './helpers.js';
import { packet, storeContract } from './support/store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'iroh-dns-lmdb-'));
let n = 0;
const freshDir = () => join(root, `db-${n++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('MemoryStore contract', () => {
  storeContract(async () => new MemoryStore(), 60);
});

describe('LmdbStore contract', () => {
  storeContract(() => LmdbStore.open({ path: freshDir() }), 80);
});

describe('LmdbStore', () => {
  it('keeps packets across close and reopen, in the named file', async () => {
    const dir = freshDir();
    const keys = [keyFrom(120), keyFrom(121), keyFrom(122)];
    const first = await LmdbStore.open({ path: dir });
    for (const [i, k] of keys.entries()) await first.upsert(packet(k, BigInt(10 + i)));
    await first.upsert(packet(keys[0]!, 99n));
    await first.close();
    expect(readdirSync(dir)).toContain(LMDB_FILE_NAME);
    const second = await LmdbStore.open({ path: dir });
    try {
      expect(await second.size()).toBe(3);
      expect((await second.get(keys[0]!.public().toZ32()))?.bytes).toEqual(packet(keys[0]!, 99n).bytes);
      // the time index followed the update: evicting below 99 removes the other two only
      expect(new Set(await second.evictOlderThan(99n))).toEqual(
        new Set(keys.slice(1).map((k) => k.public().toZ32())),
      );
    } finally {
      await second.close();
    }
  });

  it('evicts large sets in several batches', async () => {
    const store = await LmdbStore.open({ path: freshDir(), evictionBatchSize: 7 });
    try {
      const keys = Array.from({ length: 40 }, (_, i) => keyFrom(130 + i));
      await Promise.all(keys.map((k, i) => store.upsert(packet(k, BigInt(i + 1)))));
      const removed = await store.evictOlderThan(31n);
      expect(removed).toHaveLength(30);
      expect(await store.size()).toBe(10);
      let count = 0;
      for await (const p of store.entries()) {
        expect(p.timestamp >= 31n).toBe(true);
        count++;
      }
      expect(count).toBe(10);
    } finally {
      await store.close();
    }
  });

  it('iterates more packets than one read chunk', async () => {
    const store = await LmdbStore.open({ path: freshDir() });
    try {
      // 600 distinct signers, their secret keys made from two varying bytes
      const secrets = Array.from({ length: 600 }, (_, i) => {
        const bytes = new Uint8Array(32).fill(7);
        bytes[0] = i & 0xff;
        bytes[1] = i >> 8;
        return SecretKey.fromBytes(bytes);
      });
      await Promise.all(secrets.map((s) => store.upsert(packet(s, 1n))));
      const seen = new Set<string>();
      for await (const p of store.entries()) seen.add(p.z32);
      expect(seen.size).toBe(600);
      expect(await store.size()).toBe(600);
    } finally {
      await store.close();
    }
  });

  it('serves records from a store opened by the server from its config', async () => {
    const dir = freshDir();
    const secret = keyFrom(125);
    const p = packet(secret, 1234n);
    const server = await PkarrServer.start({
      store: { kind: 'lmdb', path: dir },
      http: { port: 0, host: '127.0.0.1' },
      dns: false,
      eviction: false,
    });
    const url = `${server.pkarrUrl}/${secret.public().toZ32()}`;
    expect((await fetch(url, { method: 'PUT', body: p.relayPayload })).status).toBe(204);
    await server.stop(); // closes the store it opened
    const again = await PkarrServer.start({
      store: { kind: 'lmdb', path: dir },
      http: { port: 0, host: '127.0.0.1' },
      dns: false,
      eviction: false,
    });
    try {
      const r = await fetch(`${again.pkarrUrl}/${secret.public().toZ32()}`);
      expect(r.status).toBe(200);
      expect(new Uint8Array(await r.arrayBuffer())).toEqual(p.relayPayload);
    } finally {
      await again.stop();
    }
  });
});

describe('optional backends are loaded lazily', () => {
  const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );

  it('no source file imports lmdb, redis or bittorrent-dht statically (only `import type`)', () => {
    const offenders: string[] = [];
    for (const file of files(srcDir)) {
      if (file.endsWith('.d.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'(lmdb|redis|bittorrent-dht)'/gm)) {
        if (!m[1]) offenders.push(`${file}: ${m[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
