import { EndpointAddr, TransportAddr } from '@iroh-ts/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddrFilter,
  DnsAddressLookup,
  DnsLookupError,
  DohTransport,
  EndpointInfo,
  PkarrClientError,
  PkarrPublisher,
  PkarrResolver,
  SignedPacket,
  TimestampSource,
  UserData,
} from '../src/index.js';
import { TcpTransport, UdpTransport } from '../src/node/index.js';
import { PkarrServer } from '../src/server/index.js';
import { keyFrom } from './helpers.js';

let server: PkarrServer;
beforeAll(async () => {
  server = await PkarrServer.start({
    http: { port: 0, host: '127.0.0.1', rateLimit: 'disabled' },
    dns: { port: 0, host: '127.0.0.1', origins: ['dns.example.', '.'] },
    eviction: false,
  });
});
afterAll(() => server.stop());

const relay = 'https://relay.example./';
const addrs = ['1.2.3.4:5678', '[2001:db8::1]:443'];

describe('publisher → server → resolvers', () => {
  it('publishes relay URL and addresses; PkarrResolver gets the same EndpointAddr', async () => {
    const secret = keyFrom(41);
    const errors: unknown[] = [];
    const publisher = new PkarrPublisher({
      relayUrl: server.pkarrUrl!,
      secretKey: secret,
      addrFilter: AddrFilter.unfiltered(),
      onResult: (e) => e && errors.push(e),
    });
    const addr = new EndpointAddr(secret.public(), relay, addrs);
    publisher.update(addr);
    await publisher.flush();
    publisher.close();
    expect(errors).toEqual([]);
    const resolved = await new PkarrResolver(server.pkarrUrl!).resolveAddr(secret.public());
    expect(resolved.equals(addr)).toBe(true);
  });

  it('publishes only relay URLs by default', async () => {
    const secret = keyFrom(42);
    const publisher = new PkarrPublisher({ relayUrl: server.pkarrUrl!, secretKey: secret });
    publisher.update(
      new EndpointInfo(
        secret.public(),
        [TransportAddr.relay(relay), TransportAddr.ip(addrs[0]!)],
        UserData.parse('u'),
      ),
    );
    await publisher.flush();
    publisher.close();
    const info = await new PkarrResolver(server.pkarrUrl!).resolve(secret.public());
    expect(info.toTxtStrings()).toEqual([`relay=${relay}`, 'user-data=u']);
  });

  it('DnsAddressLookup resolves over UDP, TCP and DoH (GET and POST)', async () => {
    const secret = keyFrom(43);
    const expected = new EndpointInfo(secret.public(), [
      TransportAddr.relay(relay),
      ...addrs.map((a) => TransportAddr.ip(a)),
    ]);
    await server.zones.insert(expected.toSignedPacket(secret));
    const dnsAddr = { host: '127.0.0.1', port: server.dnsUdpAddr!.port };
    const transports = [
      new UdpTransport(dnsAddr),
      new TcpTransport({ host: '127.0.0.1', port: server.dnsTcpAddr!.port }),
      new DohTransport(`${server.httpUrl}dns-query`),
      new DohTransport(`${server.httpUrl}dns-query`, { method: 'GET' }),
    ];
    for (const transport of transports) {
      const lookup = new DnsAddressLookup({ origin: 'dns.example.', transport });
      const info = await lookup.resolve(secret.public());
      expect(info.equals(expected)).toBe(true);
    }
    const root = new DnsAddressLookup({ origin: '.', transport: transports[0]! });
    expect((await root.resolve(secret.public())).equals(expected)).toBe(true);
  });

  it('falls back to TCP when a UDP answer is truncated', async () => {
    const secret = keyFrom(44);
    const many = Array.from({ length: 14 }, (_, i) => TransportAddr.ip(`10.0.0.${i + 1}:40000`));
    const big = new EndpointInfo(secret.public(), [TransportAddr.relay(relay), ...many]);
    await server.zones.insert(big.toSignedPacket(secret));
    const udp = new UdpTransport({ host: '127.0.0.1', port: server.dnsUdpAddr!.port });
    const tcp = new TcpTransport({ host: '127.0.0.1', port: server.dnsTcpAddr!.port });
    const noFallback = new DnsAddressLookup({ origin: 'dns.example.', transport: udp, staggeringMs: [] });
    const err = await noFallback.resolve(secret.public()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsLookupError);
    expect(((err as DnsLookupError).errors[0] as DnsLookupError).code).toBe('Truncated');
    const withFallback = new DnsAddressLookup({ origin: 'dns.example.', transport: udp, fallback: tcp });
    expect((await withFallback.resolve(secret.public())).equals(big)).toBe(true);
  });

  it('stale packets never overwrite newer ones, end to end', async () => {
    const secret = keyFrom(45);
    let now = 5_000_000n;
    const ts = new TimestampSource(() => now);
    const newer = new EndpointInfo(secret.public(), [TransportAddr.relay('https://newer./')]).toSignedPacket(
      secret,
      30,
      {
        timestamp: 9_000_000n,
      },
    );
    await server.zones.insert(newer);
    const publisher = new PkarrPublisher({
      relayUrl: server.pkarrUrl!,
      secretKey: secret,
      timestampSource: ts,
    });
    publisher.update(new EndpointInfo(secret.public(), [TransportAddr.relay('https://older./')]));
    await publisher.flush();
    publisher.close();
    expect(publisher.lastPublished?.timestamp).toBe(5_000_000n); // the relay acknowledged it (204) ...
    const got = await new PkarrResolver(server.pkarrUrl!).resolve(secret.public());
    expect(got.relayUrls().map(String)).toEqual(['https://newer./']); // ... but kept the newer packet
    now = 1n;
    expect(ts.now()).toBe(5_000_001n);
  });

  it('resolving an unknown endpoint fails with typed errors', async () => {
    const id = keyFrom(46).public();
    const e1 = await new PkarrResolver(server.pkarrUrl!).resolve(id).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(PkarrClientError);
    expect((e1 as PkarrClientError).status).toBe(404);
    const lookup = new DnsAddressLookup({
      origin: 'dns.example.',
      transport: new UdpTransport({ host: '127.0.0.1', port: server.dnsUdpAddr!.port }),
      staggeringMs: [],
    });
    const e2 = await lookup.resolve(id).catch((e: unknown) => e);
    expect((e2 as DnsLookupError).code).toBe('AllAttemptsFailed');
    expect(((e2 as DnsLookupError).errors[0] as DnsLookupError).code).toBe('NotFound');
  });

  it('the relay body is the same bytes iroh would send (sig ‖ ts ‖ dns)', async () => {
    const secret = keyFrom(47);
    const packet = new EndpointInfo(secret.public(), [TransportAddr.relay(relay)]).toSignedPacket(secret);
    const r = await fetch(`${server.pkarrUrl}/${secret.public().toZ32()}`, {
      method: 'PUT',
      body: packet.relayPayload,
    });
    expect(r.status).toBe(204);
    const back = await new PkarrResolver(server.pkarrUrl!).client.resolve(secret.public());
    expect(back.equals(packet)).toBe(true);
    expect(SignedPacket.fromBytes(back.toBytes()).equals(packet)).toBe(true);
  });
});
