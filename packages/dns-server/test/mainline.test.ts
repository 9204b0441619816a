/**
 * The Mainline DHT fallback against a private DHT of five loopback nodes: nothing may leave 127.0.0.1.
 */
import * as dgram from 'node:dgram';
import { PublicKey, type SecretKey, Signature } from '@iroh-ts/base';
import DHT from 'bittorrent-dht';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedPacket } from '../src/index.js';
import { MainlineFallback, PkarrServer } from '../src/server/index.js';
import { queryTxt } from './dns-query.js';
import { keyFrom } from './helpers.js';
import { packet } from './support/store-contract.js';

/** Every UDP destination this process sends to while the file runs. */
const destinations = new Set<string>();
const originalSend = dgram.Socket.prototype.send;

function verify(sig: Uint8Array, msg: Uint8Array, k: Uint8Array): boolean {
  try {
    return PublicKey.fromBytes(k).isValidSignature(msg, Signature.fromBytes(sig));
  } catch {
    return false;
  }
}

const nodes: DHT[] = [];
const bootstrap: string[] = [];

beforeAll(async () => {
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
    const address = args.find((a, i) => i > 0 && typeof a === 'string');
    destinations.add(typeof address === 'string' ? address : '(connected or default)');
    return (originalSend as (...a: unknown[]) => void).apply(this, args);
  } as typeof dgram.Socket.prototype.send;
  for (let i = 0; i < 5; i++) {
    const dht = new DHT({ bootstrap: false, verify, timeout: 250 });
    await new Promise<void>((resolve) => dht.listen(0, '127.0.0.1', resolve));
    nodes.push(dht);
    bootstrap.push(`127.0.0.1:${dht.address().port}`);
  }
  for (const a of nodes)
    for (const b of nodes) if (a !== b) a.addNode({ host: '127.0.0.1', port: b.address().port });
  const deadline = Date.now() + 5000;
  while (!nodes.every((n) => n.toJSON().nodes.length === 4) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!nodes.every((n) => n.toJSON().nodes.length === 4)) throw new Error('the test DHT did not form');
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => new Promise<void>((r) => n.destroy(() => r()))));
  dgram.Socket.prototype.send = originalSend;
});

/** Publishes `p` on the DHT as a BEP 44 mutable item (seq = timestamp, v = DNS message). */
async function publish(secret: SecretKey, p: SignedPacket): Promise<void> {
  const stored = await new Promise<number>((resolve, reject) =>
    nodes[0]!.put(
      {
        k: Buffer.from(secret.public().bytesView),
        v: Buffer.from(p.encodedPacket),
        seq: Number(p.timestamp),
        sign: (message) => Buffer.from(secret.sign(message).toBytes()),
      },
      (err, _hash, n) => (err ? reject(err) : resolve(n)),
    ),
  );
  expect(stored).toBeGreaterThan(0);
}

const now = () => Date.now();
const ts = (offsetUs = 0) => BigInt(now()) * 1000n + BigInt(offsetUs);

describe('MainlineFallback', () => {
  it('finds a published packet, caches hits for the TTL, and misses unknown keys', async () => {
    const secret = keyFrom(240);
    const z32 = secret.public().toZ32();
    const first = packet(secret, ts(), 'relay=https://dht-one.example./');
    await publish(secret, first);
    let clock = 1_000_000;
    const fallback = await MainlineFallback.start({
      bootstrap,
      host: '127.0.0.1',
      queryTimeoutMs: 250,
      now: () => clock,
    });
    try {
      expect((await fallback.resolve(z32))?.bytes).toEqual(first.bytes);
      const newer = packet(secret, first.timestamp + 1000n, 'relay=https://dht-two.example./');
      await publish(secret, newer);
      clock += 299_000;
      expect((await fallback.resolve(z32))?.bytes).toEqual(first.bytes); // still cached
      clock += 2_000;
      expect((await fallback.resolve(z32))?.bytes).toEqual(newer.bytes); // expired: asked again
      expect(await fallback.resolve(keyFrom(241).public().toZ32())).toBeUndefined();
      expect(await fallback.resolve('not-a-key')).toBeUndefined();
      expect(fallback.nodes.length).toBeGreaterThan(0);
      expect(fallback.nodes.every((n) => n.host === '127.0.0.1')).toBe(true);
    } finally {
      await fallback.close();
    }
  });

  it('rejects malformed bootstrap nodes', async () => {
    await expect(MainlineFallback.start({ bootstrap: ['no-port'] })).rejects.toMatchObject({
      name: 'ServerConfigError',
      code: 'InvalidOption',
    });
  });
});

describe('PkarrServer with mainline enabled', () => {
  it('answers GET /pkarr and DNS from the DHT on a store miss', async () => {
    const secret = keyFrom(242);
    const z32 = secret.public().toZ32();
    const p = packet(secret, ts(), 'relay=https://from-dht.example./');
    await publish(secret, p);
    const server = await PkarrServer.start({
      http: { port: 0, host: '127.0.0.1' },
      dns: { port: 0, host: '127.0.0.1', origins: ['dns.example.'] },
      eviction: false,
      // nodes of earlier tests linger in the routing tables: do not wait 2 s for each of them
      mainline: { enabled: true, bootstrap, host: '127.0.0.1', queryTimeoutMs: 250 },
    });
    try {
      const r = await fetch(`${server.pkarrUrl}/${z32}`);
      expect(r.status).toBe(200);
      expect(new Uint8Array(await r.arrayBuffer())).toEqual(p.relayPayload);
      expect(await queryTxt(server.dnsUdpAddr!.port, `_iroh.${z32}.dns.example.`)).toEqual([
        'relay=https://from-dht.example./',
      ]);
      // not in the store, and not on the DHT either
      expect(await server.zones.store.get(z32)).toBeUndefined();
      expect((await fetch(`${server.pkarrUrl}/${keyFrom(243).public().toZ32()}`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it('sent UDP only to loopback, and every routing table holds only loopback nodes', () => {
    expect([...destinations]).toEqual(['127.0.0.1']);
    for (const n of nodes) expect(n.toJSON().nodes.every((x) => x.host === '127.0.0.1')).toBe(true);
  });
});
