/**
 * Interop with real iroh 1.x over pkarr and DNS, both directions:
 *
 * (a) a real iroh Endpoint (the iroh-ts-peer test binary, crates.io iroh) with a `PkarrPublisher`
 *     publishes itself to OUR dns-server app; our `PkarrResolver` (HTTP) and our `DnsAddressLookup`
 *     (UDP) read back its home relay URL, and our pkarr API serves the packet iroh signed, byte for
 *     byte. Its home relay is a real `iroh-relay --dev` on loopback. A second real endpoint, knowing only
 *     the first one's id, finds its direct address through our DNS server (iroh's hickory resolver over
 *     UDP) and connects.
 * (b) our `PkarrPublisher` publishes to the REAL iroh-dns-server; it serves our bytes on
 *     `GET /pkarr/<z32>`, and our `DnsAddressLookup` resolves its DNS answers to the same EndpointAddr.
 */
import { EndpointAddr, SecretKey } from '@iroh-ts/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddrFilter, DnsAddressLookup, PkarrPublisher, PkarrResolver, UdpTransport } from '../src/dns.js';
import {
  findDnsApp,
  findPeer,
  findRustServer,
  type Running,
  runPeerJson,
  startDnsApp,
  startIrohDnsServer,
  startIrohRelay,
  startPeerServe,
} from '../src/dns-peers.js';

const peer = findPeer();
const relayBin = findRustServer('iroh-relay');
const dnsBin = findRustServer('iroh-dns-server');
const app = findDnsApp();

const skipA =
  'skip' in peer ? peer.skip : 'skip' in relayBin ? relayBin.skip : 'skip' in app ? app.skip : null;
const skipB = 'skip' in dnsBin ? dnsBin.skip : null;
if (skipA) console.warn(`SKIP dns-rust (a) real iroh publishes to our dns-server: ${skipA}`);
if (skipB) console.warn(`SKIP dns-rust (b) our publisher against the real iroh-dns-server: ${skipB}`);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Fast DNS lookups for tests: two attempts, short timeouts. */
function udpLookup(port: number, origin: string): DnsAddressLookup {
  return new DnsAddressLookup({
    origin,
    transport: new UdpTransport({ host: '127.0.0.1', port }),
    staggeringMs: [300],
    timeoutMs: 2000,
  });
}

describe.skipIf(skipA !== null)('(a) a real iroh endpoint publishes to our dns-server app', () => {
  let relay: Running & { url: string };
  let dns: Running & { http: string; dnsPort: number; origin: string };

  beforeAll(async () => {
    relay = await startIrohRelay((relayBin as { path: string }).path);
    dns = await startDnsApp((app as { path: string }).path);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([relay?.stop(), dns?.stop()]);
  });

  it('our PkarrResolver and DnsAddressLookup read back its relay URL', async () => {
    const secret = SecretKey.fromBytes(new Uint8Array(32).fill(0x5a));
    const events = await runPeerJson((peer as { path: string }).path, [
      'pkarr-publish',
      '--secret',
      hex(secret.toBytes()),
      '--relay',
      relay.url,
      '--bind',
      '127.0.0.1:0',
      '--pkarr-url',
      `${dns.http}/pkarr`,
      '--timeout-ms',
      '30000',
    ]);
    const published = events.find((e) => e.event === 'published');
    expect(published, JSON.stringify(events)).toBeDefined();
    const id = secret.public();
    expect(published).toMatchObject({ id: id.toString(), z32: id.toZ32(), relays: [relay.url] });

    // The packet real iroh signed is stored and served unchanged.
    const stored = await fetch(`${dns.http}/pkarr/${id.toZ32()}`);
    expect(stored.status).toBe(200);
    expect(hex(new Uint8Array(await stored.arrayBuffer()))).toBe(published?.payload);

    const viaHttp = await new PkarrResolver(`${dns.http}/pkarr`).resolve(id);
    expect(viaHttp.relayUrls().map(String)).toEqual([relay.url]);
    expect(viaHttp.ipAddrs()).toEqual([]); // iroh publishes relay URLs only by default

    const viaDns = await udpLookup(dns.dnsPort, dns.origin).resolve(id);
    expect(viaDns.relayUrls().map(String)).toEqual([relay.url]);
    expect(viaDns.toEndpointAddr().equals(viaHttp.toEndpointAddr())).toBe(true);
  }, 90_000);

  it('another real iroh endpoint finds it through our DNS server alone (hickory over UDP) and connects', async () => {
    const bin = (peer as { path: string }).path;
    const secret = SecretKey.fromBytes(new Uint8Array(32).fill(0x5b));
    const id = secret.public();
    const server = await startPeerServe(bin, [
      '--alpn',
      'test/echo',
      '--secret',
      hex(secret.toBytes()),
      '--bind',
      '127.0.0.1:0',
      '--relay',
      relay.url,
      '--pkarr-url',
      `${dns.http}/pkarr`,
      '--pkarr-publish-ip',
    ]);
    try {
      // Wait until the served endpoint's direct address is published.
      const resolver = new PkarrResolver(`${dns.http}/pkarr`);
      const deadline = Date.now() + 20_000;
      let published: string[] = [];
      while (published.length === 0 && Date.now() < deadline) {
        published = await resolver.resolve(id).then(
          (info) => info.ipAddrs().map(String),
          () => [],
        );
        if (published.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(published, server.output()).toContain((server.ready.bound as string[])[0]);

      // The dialer knows only the id: no address hints, no relay, no pkarr; just DNS via our server.
      const events = await runPeerJson(bin, [
        'dial',
        '--alpn',
        'test/echo',
        '--id',
        id.toString(),
        '--bind',
        '127.0.0.1:0',
        '--dns-origin',
        dns.origin,
        '--dns-server',
        `127.0.0.1:${dns.dnsPort}`,
        '--bytes',
        '10000',
        '--timeout-ms',
        '20000',
      ]);
      expect(events.find((e) => e.event === 'connected')).toMatchObject({ remote: id.toString() });
      expect(events.find((e) => e.event === 'echo')).toMatchObject({ ok: true, bytes: 10000 });
    } finally {
      await server.stop();
    }
  }, 90_000);
});

describe.skipIf(skipB !== null)('(b) our PkarrPublisher publishes to the real iroh-dns-server', () => {
  let dns: Running & { http: string; dnsPort: number; origin: string };

  beforeAll(async () => {
    dns = await startIrohDnsServer((dnsBin as { path: string }).path);
  }, 60_000);
  afterAll(async () => {
    await dns?.stop();
  });

  it('serves our bytes over HTTP, and its DNS answers resolve to the same EndpointAddr', async () => {
    const secret = SecretKey.fromBytes(new Uint8Array(32).fill(0x6b));
    const addr = new EndpointAddr(secret.public(), 'https://relay.example.com./', [
      '192.0.2.1:4433',
      '[2001:db8::7]:443',
    ]);
    const publisher = new PkarrPublisher({
      relayUrl: `${dns.http}/pkarr`,
      secretKey: secret,
      addrFilter: AddrFilter.unfiltered(),
    });
    try {
      publisher.update(addr);
      await publisher.flush();
      const sent = publisher.lastPublished;
      expect(sent, `publish failed ${publisher.failures} time(s)`).toBeDefined();

      const got = await fetch(`${dns.http}/pkarr/${secret.public().toZ32()}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('application/x-pkarr-signed-packet');
      expect(hex(new Uint8Array(await got.arrayBuffer()))).toBe(hex(sent!.toRelayPayload()));

      const info = await udpLookup(dns.dnsPort, dns.origin).resolve(secret.public());
      expect(info.toEndpointAddr().equals(addr)).toBe(true);
      expect(info.toEndpointAddr().toString()).toBe(addr.toString());
    } finally {
      publisher.close();
    }
  }, 60_000);
});
