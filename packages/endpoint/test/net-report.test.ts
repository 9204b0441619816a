import { SecretKey } from '@iroh-ts/base';
import { QuicEndpoint } from '@iroh-ts/quic';
import { RelayServer } from '@iroh-ts/relay/server';
import { afterEach, describe, expect, it } from 'vitest';
import { QadClient } from '../src/qad.js';
import { RelayMap } from '../src/relay-map.js';
import { RelayPool } from '../src/socket/relay-pool.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('network report: relay latency and the home relay', () => {
  it('measures each relay with GET /ping and names the nearest', async () => {
    const quic = await QuicEndpoint.bind({ bindAddr: '127.0.0.1:0' });
    cleanups.push(() => quic.close());
    const delays: Record<string, number> = { 'http://127.0.0.1:1/ping': 80, 'http://127.0.0.1:2/ping': 5 };
    const asked: string[] = [];
    const fakeFetch = async (url: string) => {
      asked.push(url);
      await new Promise((r) => setTimeout(r, delays[url] ?? 0));
      return new Response('pong');
    };
    // No QAD server answers on these ports: only the latency is measured.
    const relays = [
      { url: 'http://127.0.0.1:1/', quicPort: 9 },
      { url: 'http://127.0.0.1:2/', quicPort: 9 },
    ];
    const qad = new QadClient(quic, () => relays, undefined, fakeFetch);
    cleanups.push(() => qad.close());
    await qad.report();
    expect(asked.filter((u) => u.endsWith(':1/ping'))).toHaveLength(3);
    expect(qad.latencies.get('http://127.0.0.1:2/')!).toBeLessThan(qad.latencies.get('http://127.0.0.1:1/')!);
    expect(qad.nearest.get()).toBe('http://127.0.0.1:2/');
    expect(qad.reflexive.get()).toEqual([]);
  }, 15_000);

  it('a relay that does not answer /ping is not a candidate', async () => {
    const quic = await QuicEndpoint.bind({ bindAddr: '127.0.0.1:0' });
    cleanups.push(() => quic.close());
    const fakeFetch = async (url: string) => {
      if (url.includes(':1/')) throw new Error('unreachable');
      return new Response('pong');
    };
    const relays = [
      { url: 'http://127.0.0.1:1/', quicPort: 9 },
      { url: 'http://127.0.0.1:2/', quicPort: 9 },
    ];
    const qad = new QadClient(quic, () => relays, undefined, fakeFetch);
    cleanups.push(() => qad.close());
    await qad.report();
    expect([...qad.latencies.keys()]).toEqual(['http://127.0.0.1:2/']);
    expect(qad.nearest.get()).toBe('http://127.0.0.1:2/');
  }, 15_000);

  it('the relay pool moves home to the preferred relay', async () => {
    const servers = await Promise.all(
      [0, 1].map(() => RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 } })),
    );
    for (const s of servers) cleanups.push(() => s.stop().catch(() => {}));
    const urls = servers.map((s) => s.url);
    const pool = new RelayPool({
      secretKey: SecretKey.generate(),
      relays: RelayMap.fromUrls(urls),
      onDatagram: () => {},
    });
    cleanups.push(() => pool.close());
    pool.start();
    const first = await pool.home.until((h) => h !== undefined);
    const other = pool
      .relayMap()
      .urls()
      .find((u) => u !== first)!;
    expect(pool.preferHome(other)).toBe(true);
    await pool.home.until((h) => h === other);
    expect(pool.homeConnected.get()).toBe(true);
    expect(pool.preferHome('http://127.0.0.1:3/')).toBe(false);
  }, 15_000);
});
