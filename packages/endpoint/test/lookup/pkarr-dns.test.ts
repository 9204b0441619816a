import { TransportAddr } from '@iroh-ts/base';
import {
  AddrFilter,
  DnsLookupError,
  N0_DNS_ENDPOINT_ORIGIN_PROD,
  N0_DNS_PKARR_RELAY_PROD,
  N0_DNS_PKARR_RELAY_STAGING,
  PkarrClientError,
  UserData,
} from '@iroh-ts/dns-server';
import { UdpTransport } from '@iroh-ts/dns-server/node';
import type { PkarrServer } from '@iroh-ts/dns-server/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddressLookupError,
  DnsLookup,
  PkarrPublisherLookup,
  PkarrResolverLookup,
} from '../../src/lookup/index.js';
import {
  collect,
  deadPkarrUrl,
  dnsLookupFor,
  keyFrom,
  ORIGIN,
  silentUdpServer,
  startServer,
  within,
} from './helpers.js';

const relay = 'https://relay.example./';
const data = {
  addrs: [
    TransportAddr.relay(relay),
    TransportAddr.ip('192.0.2.7:4433'),
    TransportAddr.ip('[2001:db8::1]:443'),
  ],
};

let server: PkarrServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

/** Publishes `data` for `key` with `filter` and waits until the relay accepted it. */
async function publish(byte: number, filter?: AddrFilter, userData?: UserData) {
  const key = keyFrom(byte);
  const publisher = new PkarrPublisherLookup(key, { relayUrl: server.pkarrUrl!, addrFilter: filter });
  publisher.publish({ ...data, userData });
  await publisher.flush();
  publisher.close();
  expect(publisher.failures).toBe(0);
  return key.public();
}

describe('PkarrPublisherLookup → PkarrResolverLookup / DnsLookup (real server)', () => {
  it('publishes relay URLs only by default; both resolvers see just the relay', async () => {
    const id = await publish(10);
    const before = Date.now();
    const pkarr = await collect(new PkarrResolverLookup(server.pkarrUrl!).resolve(id));
    expect(pkarr).toHaveLength(1);
    expect(pkarr[0]!.provenance).toBe('pkarr');
    expect(pkarr[0]!.addr.id().equals(id)).toBe(true);
    expect(pkarr[0]!.addr.relayUrls().map(String)).toEqual([relay]);
    expect(pkarr[0]!.addr.ipAddrs()).toEqual([]);
    // lastUpdated is the packet timestamp (published a moment ago, not in the future).
    expect(pkarr[0]!.lastUpdated).toBeLessThanOrEqual(Date.now());
    expect(pkarr[0]!.lastUpdated).toBeGreaterThan(before - 60_000);

    const dns = await collect(dnsLookupFor(server).resolve(id));
    expect(dns).toHaveLength(1);
    expect(dns[0]!.provenance).toBe('dns');
    expect(dns[0]!.addr.equals(pkarr[0]!.addr)).toBe(true);
  });

  it('publishes IP addresses too with AddrFilter.unfiltered()', async () => {
    const id = await publish(11, AddrFilter.unfiltered());
    for (const lookup of [new PkarrResolverLookup(server.pkarrUrl!), dnsLookupFor(server)]) {
      const [item] = await collect(lookup.resolve(id));
      expect(item!.addr.relayUrls().map(String)).toEqual([relay]);
      expect(item!.addr.directAddresses().sort()).toEqual(['192.0.2.7:4433', '[2001:db8::1]:443']);
    }
  });

  it('publishes no relay with AddrFilter.ipOnly(), and carries user data', async () => {
    const id = await publish(12, AddrFilter.ipOnly(), UserData.parse('worker-7'));
    for (const lookup of [new PkarrResolverLookup(server.pkarrUrl!), dnsLookupFor(server)]) {
      const [item] = await collect(lookup.resolve(id));
      expect(item!.addr.relayUrls()).toEqual([]);
      expect(item!.addr.directAddresses()).toHaveLength(2);
      expect(item!.userData?.toString()).toBe('worker-7');
    }
  });

  it('republishes when the data changes', async () => {
    const key = keyFrom(13);
    const publisher = new PkarrPublisherLookup(key, { relayUrl: server.pkarrUrl! });
    publisher.publish({ addrs: [TransportAddr.relay('https://one.example./')] });
    await publisher.flush();
    publisher.publish({ addrs: [TransportAddr.relay('https://two.example./')] });
    await publisher.flush();
    publisher.close();
    expect(publisher.published?.relayUrls().map(String)).toEqual(['https://two.example./']);
    const [item] = await collect(new PkarrResolverLookup(server.pkarrUrl!).resolve(key.public()));
    expect(item!.addr.relayUrls().map(String)).toEqual(['https://two.example./']);
  });

  it('reports publish failures to onResult and counts them', async () => {
    const errors: unknown[] = [];
    const publisher = new PkarrPublisherLookup(keyFrom(14), {
      relayUrl: await deadPkarrUrl(),
      onResult: (e) => errors.push(e),
    });
    publisher.publish(data);
    await publisher.flush();
    publisher.close();
    expect(publisher.failures).toBe(1);
    expect(errors[0]).toBeInstanceOf(PkarrClientError);
  });

  it('resolving an unknown id throws a service error carrying the cause', async () => {
    const unknown = keyFrom(15).public();
    const pkarr = await collect(new PkarrResolverLookup(server.pkarrUrl!).resolve(unknown)).catch((e) => e);
    expect(pkarr).toBeInstanceOf(AddressLookupError);
    expect(pkarr.code).toBe('service');
    expect(pkarr.provenance).toBe('pkarr');
    expect(pkarr.cause).toBeInstanceOf(PkarrClientError);
    expect(pkarr.cause.status).toBe(404);

    const dns = new DnsLookup({
      origin: ORIGIN,
      staggeringMs: [],
      transport: new UdpTransport({ host: '127.0.0.1', port: server.dnsUdpAddr!.port }),
    });
    const err = await collect(dns.resolve(unknown)).catch((e) => e);
    expect(err).toBeInstanceOf(AddressLookupError);
    expect(err.provenance).toBe('dns');
    expect(err.cause).toBeInstanceOf(DnsLookupError);
  });

  it('a publish-only lookup resolves nothing', async () => {
    const id = await publish(16);
    const publisher = new PkarrPublisherLookup(keyFrom(16), { relayUrl: server.pkarrUrl! });
    expect(await collect(publisher.resolve(id))).toEqual([]);
    publisher.close();
  });

  it('DnsLookup ends promptly when aborted while the server stays silent', async () => {
    const silent = await silentUdpServer();
    try {
      const dns = new DnsLookup({
        origin: ORIGIN,
        timeoutMs: 60_000,
        transport: new UdpTransport({ host: '127.0.0.1', port: silent.port }),
      });
      const controller = new AbortController();
      const done = collect(dns.resolve(keyFrom(17).public(), controller.signal));
      await silent.received;
      controller.abort();
      // The staggered attempts run until 3 s; an abort must not wait for them.
      expect(await within(done, 2_000, 'aborted DNS lookup')).toEqual([]);
    } finally {
      silent.socket.close();
    }
  });

  it('PkarrResolverLookup yields nothing when aborted', async () => {
    const id = await publish(18);
    expect(await collect(new PkarrResolverLookup(server.pkarrUrl!).resolve(id, AbortSignal.abort()))).toEqual(
      [],
    );
  });
});

describe('n0 presets', () => {
  it('point at n0 production and staging', () => {
    const secretKey = keyFrom(19);
    const prod = PkarrPublisherLookup.n0()({ secretKey }) as PkarrPublisherLookup;
    const staging = PkarrPublisherLookup.n0Staging()({ secretKey }) as PkarrPublisherLookup;
    expect(prod.relayUrl).toBe(N0_DNS_PKARR_RELAY_PROD);
    expect(staging.relayUrl).toBe(N0_DNS_PKARR_RELAY_STAGING);
    prod.close();
    staging.close();
    expect(PkarrResolverLookup.n0().relayUrl).toBe(N0_DNS_PKARR_RELAY_PROD);
    expect(PkarrResolverLookup.n0Staging().relayUrl).toBe(N0_DNS_PKARR_RELAY_STAGING);
    const dns = DnsLookup.n0({ transport: new UdpTransport({ host: '127.0.0.1', port: 53 }) });
    expect(dns.nameFor(secretKey.public())).toBe(
      `_iroh.${secretKey.public().toZ32()}.${N0_DNS_ENDPOINT_ORIGIN_PROD}`,
    );
    expect(
      DnsLookup.n0Staging({ transport: new UdpTransport({ host: '127.0.0.1', port: 53 }) }).nameFor(
        secretKey.public(),
      ),
    ).toMatch(/\.staging-dns\.iroh\.link\.$/);
  });
});
