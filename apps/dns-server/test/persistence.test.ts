/**
 * Stores through the CLI: the default lmdb database in `data_dir` keeps packets across a restart, and
 * two instances pointed at one Redis serve each other's packets.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { endpointPacket, keyFrom, putPacket } from './support/packets.js';
import { type AppProcess, startApp } from './support/process.js';
import { redisSkipReason, startRedis, type TestRedis } from './support/redis.js';

const RELAY = 'https://relay.example.com./';
const LISTENERS =
  '[http]\nport = 0\nbind_addr = "127.0.0.1"\n[dns]\nport = 0\nbind_addr = "127.0.0.1"\n[metrics]\ndisabled = true\n';
const redisSkip = redisSkipReason();
if (redisSkip) console.warn(`SKIP apps/dns-server shared Redis store test: ${redisSkip}`);

let redis: TestRedis | undefined;
afterAll(() => redis?.stop());

async function config(body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-store-'));
  const path = join(dir, 'dns.toml');
  await writeFile(path, body);
  return path;
}

async function stopAll(apps: AppProcess[]): Promise<void> {
  for (const app of apps) app.child.kill('SIGKILL');
}

describe('stores through the CLI', () => {
  it('without [store], packets go to lmdb in data_dir and survive a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-data-'));
    const path = await config(
      `data_dir = ${JSON.stringify(dataDir)}\npkarr_put_rate_limit = "disabled"\n${LISTENERS}`,
    );
    const packet = endpointPacket(keyFrom(21), RELAY);
    const first = await startApp(['--config', path]);
    const apps = [first];
    try {
      expect(first.logs().find((l) => l.msg === 'dns-server started')).toMatchObject({
        store: `lmdb:${dataDir}`,
      });
      expect(await putPacket(first.http, packet)).toBe(204);
      expect(await first.stop()).toBe(0);
      expect(existsSync(join(dataDir, 'signed-packets-1.mdb'))).toBe(true);

      const second = await startApp(['--config', path]);
      apps.push(second);
      const res = await fetch(`${second.http}/pkarr/${packet.z32}`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(packet.toRelayPayload());
      expect(await second.stop()).toBe(0);
    } finally {
      await stopAll(apps);
    }
  });

  it.skipIf(redisSkip !== null)('two instances on one Redis serve each other’s packets', async () => {
    redis = await startRedis();
    const path = await config(
      `pkarr_put_rate_limit = "disabled"\n${LISTENERS}[store]\nredis_url = "${redis.url}"\nredis_key_prefix = "cli-test:"\n`,
    );
    const [a, b] = [await startApp(['--config', path]), await startApp(['--config', path])];
    try {
      expect(a.logs().find((l) => l.msg === 'dns-server started')).toMatchObject({
        store: `redis:${new URL(redis.url).host}`,
      });
      const packet = endpointPacket(keyFrom(22), RELAY);
      expect(await putPacket(a.http, packet)).toBe(204);
      const res = await fetch(`${b.http}/pkarr/${packet.z32}`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(packet.toRelayPayload());
      const json = (await (
        await fetch(`${b.http}/dns-query?name=_iroh.${packet.z32}.${b.origin}&type=TXT`, {
          headers: { accept: 'application/dns-json' },
        })
      ).json()) as { Answer?: { data: string }[] };
      expect(json.Answer?.map((x) => x.data)).toEqual([expect.stringContaining(`relay=${RELAY}`)]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a store that cannot be opened: exit 1 with the store error code', async () => {
    const blocker = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-blocked-'));
    await writeFile(join(blocker, 'file'), 'not a directory');
    const path = await config(
      `${LISTENERS}[store]\nbackend = "lmdb"\npath = ${JSON.stringify(join(blocker, 'file'))}\n`,
    );
    await expect(startApp(['--config', path])).rejects.toThrow(/exited with 1[\s\S]*"code":"Backend"/);
  });
});
