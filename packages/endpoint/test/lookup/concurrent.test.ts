import { EndpointAddr, type PublicKey, TransportAddr } from '@iroh-ts/base';
import { AddrFilter } from '@iroh-ts/dns-server';
import type { PkarrServer } from '@iroh-ts/dns-server/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AddressLookup,
  AddressLookupError,
  type AddressLookupItem,
  ConcurrentAddressLookup,
  type EndpointData,
  MemoryLookup,
  PkarrPublisherLookup,
  PkarrResolverLookup,
} from '../../src/lookup/index.js';
import { collect, deadPkarrUrl, dnsLookupFor, keyFrom, startServer, within } from './helpers.js';

const relay = 'https://relay.example./';

/** A third-party lookup that never yields and ignores its signal (a misbehaving service). */
class HangingLookup implements AddressLookup {
  seenSignal: AbortSignal | undefined;
  async *resolve(_id: PublicKey, signal?: AbortSignal): AsyncGenerator<AddressLookupItem> {
    this.seenSignal = signal;
    await new Promise<never>(() => undefined);
  }
}

/** A third-party lookup whose publish and resolve throw. */
class BrokenLookup implements AddressLookup {
  readonly provenance = 'broken';
  publish(_data: EndpointData): void {
    throw new Error('cannot publish');
  }
  // biome-ignore lint/correctness/useYield: it fails before yielding
  async *resolve(): AsyncGenerator<AddressLookupItem> {
    throw new Error('cannot resolve');
  }
}

let server: PkarrServer;
let published: PublicKey;
beforeAll(async () => {
  server = await startServer();
  const key = keyFrom(40);
  const publisher = new PkarrPublisherLookup(key, { relayUrl: server.pkarrUrl! });
  publisher.publish({ addrs: [TransportAddr.relay(relay), TransportAddr.ip('192.0.2.1:1')] });
  await publisher.flush();
  publisher.close();
  published = key.public();
});
afterAll(() => server.stop());

describe('ConcurrentAddressLookup resolve', () => {
  it('merges the items of every service and ends when all are done', async () => {
    const memory = MemoryLookup.from([new EndpointAddr(published, null, ['10.1.1.1:7'])]);
    const lookup = new ConcurrentAddressLookup([
      memory,
      new PkarrResolverLookup(server.pkarrUrl!),
      dnsLookupFor(server),
    ]);
    const items = await within(collect(lookup.resolve(published)), 10_000, 'merged resolve');
    expect(items.map((i) => i.provenance).sort()).toEqual(['dns', 'memory', 'pkarr']);
    const byProvenance = new Map(items.map((i) => [i.provenance, i.addr]));
    expect(byProvenance.get('memory')!.directAddresses()).toEqual(['10.1.1.1:7']);
    // The publisher's default relayOnly filter dropped the IP address.
    expect(byProvenance.get('pkarr')!.equals(new EndpointAddr(published, relay))).toBe(true);
    expect(byProvenance.get('dns')!.equals(new EndpointAddr(published, relay))).toBe(true);
  });

  it('yields an early item before a slow service finishes', async () => {
    const memory = MemoryLookup.from([new EndpointAddr(published, relay)]);
    const lookup = new ConcurrentAddressLookup([new HangingLookup(), memory]);
    const iterator = lookup.resolve(published)[Symbol.asyncIterator]();
    const first = await within(iterator.next(), 5_000, 'first item');
    expect(first.done).toBe(false);
    expect(first.value?.provenance).toBe('memory');
    await iterator.return?.(undefined);
  });

  it('isolates failing services: the others still yield, failures go to onError', async () => {
    const errors: AddressLookupError[] = [];
    const lookup = new ConcurrentAddressLookup(
      [new BrokenLookup(), new PkarrResolverLookup(await deadPkarrUrl()), dnsLookupFor(server)],
      { onError: (e) => errors.push(e) },
    );
    const items = await collect(lookup.resolve(published));
    expect(items.map((i) => i.provenance)).toEqual(['dns']);
    expect(errors.map((e) => [e.code, e.provenance]).sort()).toEqual([
      ['service', 'broken'],
      ['service', 'pkarr'],
    ]);
  });

  it('throws noResults with every failure when nothing was found and a service failed', async () => {
    const lookup = new ConcurrentAddressLookup([
      new MemoryLookup(),
      new BrokenLookup(),
      new PkarrResolverLookup(server.pkarrUrl!),
    ]);
    const err = await collect(lookup.resolve(keyFrom(41).public())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AddressLookupError);
    expect((err as AddressLookupError).code).toBe('noResults');
    expect((err as AddressLookupError).errors).toHaveLength(2);
  });

  it('ends without items when no service has anything and none failed', async () => {
    expect(await collect(new ConcurrentAddressLookup().resolve(published))).toEqual([]);
    expect(await collect(new ConcurrentAddressLookup([new MemoryLookup()]).resolve(published))).toEqual([]);
  });

  it('ends promptly when aborted, even with a service that ignores the signal', async () => {
    const hanging = new HangingLookup();
    const lookup = new ConcurrentAddressLookup([
      hanging,
      MemoryLookup.from([new EndpointAddr(published, relay)]),
    ]);
    const controller = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const item of lookup.resolve(published, controller.signal)) {
        seen.push(item.provenance);
        controller.abort();
      }
    })();
    await within(done, 5_000, 'aborted resolve');
    expect(seen).toEqual(['memory']);
    expect(hanging.seenSignal?.aborted).toBe(true);
    expect(await collect(lookup.resolve(published, AbortSignal.abort()))).toEqual([]);
  });

  it('tells the services to stop when the consumer stops iterating', async () => {
    const hanging = new HangingLookup();
    const lookup = new ConcurrentAddressLookup([
      hanging,
      MemoryLookup.from([new EndpointAddr(published, relay)]),
    ]);
    for await (const _ of lookup.resolve(published)) break;
    expect(hanging.seenSignal?.aborted).toBe(true);
  });
});

describe('ConcurrentAddressLookup cache', () => {
  it('answers a second resolve from the cache without the network, until the TTL passes', async () => {
    const own = await startServer();
    const key = keyFrom(42);
    const publisher = new PkarrPublisherLookup(key, { relayUrl: own.pkarrUrl! });
    publisher.publish({ addrs: [TransportAddr.relay(relay)] });
    await publisher.flush();
    publisher.close();

    let clock = 1_000_000;
    const lookup = new ConcurrentAddressLookup([new PkarrResolverLookup(own.pkarrUrl!)], {
      now: () => clock,
    });
    const [first] = await collect(lookup.resolve(key.public()));
    expect(first!.provenance).toBe('pkarr');
    await own.stop(); // from now on the network answers nothing

    clock += 29_000;
    const again = await collect(lookup.resolve(key.public()));
    expect(again).toHaveLength(1);
    expect(again[0]!.provenance).toBe('pkarr');
    expect(again[0]!.lastUpdated).toBe(first!.lastUpdated);
    expect(again[0]!.addr.equals(first!.addr)).toBe(true);

    clock += 1_000; // 30 s after the first resolve: expired
    const err = await collect(lookup.resolve(key.public())).catch((e: unknown) => e);
    expect((err as AddressLookupError).code).toBe('noResults');
  });

  it('can be turned off, and clearCache forgets', async () => {
    const own = await startServer();
    const key = keyFrom(43);
    const publisher = new PkarrPublisherLookup(key, { relayUrl: own.pkarrUrl! });
    publisher.publish({ addrs: [TransportAddr.relay(relay)] });
    await publisher.flush();
    publisher.close();
    const uncached = new ConcurrentAddressLookup([new PkarrResolverLookup(own.pkarrUrl!)], { cacheTtlMs: 0 });
    const cached = new ConcurrentAddressLookup([new PkarrResolverLookup(own.pkarrUrl!)]);
    const cleared = new ConcurrentAddressLookup([new PkarrResolverLookup(own.pkarrUrl!)]);
    for (const l of [uncached, cached, cleared])
      expect(await collect(l.resolve(key.public()))).toHaveLength(1);
    await own.stop();
    cleared.clearCache(key.public());
    expect(await collect(cached.resolve(key.public()))).toHaveLength(1);
    for (const l of [uncached, cleared]) {
      const err = await collect(l.resolve(key.public())).catch((e: unknown) => e);
      expect((err as AddressLookupError).code).toBe('noResults');
    }
  });

  it('always asks MemoryLookups, so removals show at once', async () => {
    const memory = MemoryLookup.from([new EndpointAddr(published, relay)]);
    const lookup = new ConcurrentAddressLookup([memory]);
    expect(await collect(lookup.resolve(published))).toHaveLength(1);
    memory.removeEndpointInfo(published);
    expect(await collect(lookup.resolve(published))).toEqual([]);
  });
});

describe('ConcurrentAddressLookup publish and builder', () => {
  it('publishes to every service; a throwing one does not stop the others', async () => {
    const key = keyFrom(44);
    const errors: AddressLookupError[] = [];
    const lookup = ConcurrentAddressLookup.builder(
      [
        new BrokenLookup(),
        PkarrPublisherLookup.builder({ relayUrl: server.pkarrUrl!, addrFilter: AddrFilter.unfiltered() }),
      ],
      { onError: (e) => errors.push(e) },
    )({ secretKey: key }) as ConcurrentAddressLookup;
    lookup.publish({ addrs: [TransportAddr.relay(relay), TransportAddr.ip('198.51.100.9:9')] });
    const publisher = lookup.lookups[1];
    expect(publisher).toBeInstanceOf(PkarrPublisherLookup);
    await (publisher as PkarrPublisherLookup).flush();
    await lookup.close();
    expect(errors.map((e) => e.provenance)).toEqual(['broken']);
    const [item] = await collect(new PkarrResolverLookup(server.pkarrUrl!).resolve(key.public()));
    expect(item!.addr.equals(new EndpointAddr(key.public(), relay, ['198.51.100.9:9']))).toBe(true);
  });
});
