import { EndpointAddr, TransportAddr } from '@iroh-ts/base';
import { EndpointInfo, UserData } from '@iroh-ts/dns-server';
import { describe, expect, it } from 'vitest';
import { MemoryLookup } from '../../src/lookup/index.js';
import { collect, keyFrom } from './helpers.js';

const id = keyFrom(1).public();
const other = keyFrom(2).public();
const relay = 'https://relay.example./';

describe('MemoryLookup', () => {
  it('yields nothing for an unknown id', async () => {
    const memory = new MemoryLookup();
    expect(await collect(memory.resolve(id))).toEqual([]);
    expect(memory.getEndpointInfo(id)).toBeUndefined();
  });

  it('yields the stored address once, with provenance "memory" and the time it was stored', async () => {
    let clock = 1_700_000_000_000;
    const memory = new MemoryLookup({ now: () => clock });
    memory.addEndpointInfo(new EndpointAddr(id, relay, ['10.0.0.1:5000']));
    clock += 5;
    const items = await collect(memory.resolve(id));
    expect(items).toHaveLength(1);
    expect(items[0]!.provenance).toBe('memory');
    expect(items[0]!.lastUpdated).toBe(1_700_000_000_000);
    expect(items[0]!.addr.equals(new EndpointAddr(id, relay, ['10.0.0.1:5000']))).toBe(true);
    expect(await collect(memory.resolve(other))).toEqual([]);
  });

  it('addEndpointInfo merges addresses; setEndpointInfo replaces them', async () => {
    const memory = new MemoryLookup();
    memory.addEndpointInfo(new EndpointAddr(id, relay, ['10.0.0.1:5000']));
    memory.addEndpointInfo(new EndpointAddr(id, null, ['10.0.0.2:5000', '10.0.0.1:5000']));
    const merged = memory.getEndpointInfo(id)!;
    expect(merged.relayUrls().map(String)).toEqual([relay]);
    expect(merged.ipAddrs().map(String).sort()).toEqual(['10.0.0.1:5000', '10.0.0.2:5000']);

    const previous = memory.setEndpointInfo(new EndpointAddr(id, null, ['192.168.1.1:1']));
    expect(previous?.equals(merged)).toBe(true);
    const [item] = await collect(memory.resolve(id));
    expect(item!.addr.relayUrls()).toEqual([]);
    expect(item!.addr.directAddresses()).toEqual(['192.168.1.1:1']);
  });

  it('keeps user data unless new user data replaces it', () => {
    const memory = new MemoryLookup();
    const info = new EndpointInfo(id, [TransportAddr.relay(relay)], UserData.parse('first'));
    memory.addEndpointInfo(info);
    memory.addEndpointInfo(new EndpointAddr(id, null, ['10.0.0.1:1']));
    expect(memory.getEndpointInfo(id)!.userData?.toString()).toBe('first');
    memory.addEndpointInfo(info.withUserData(UserData.parse('second')));
    expect(memory.getEndpointInfo(id)!.userData?.toString()).toBe('second');
  });

  it('yields user data with the item', async () => {
    const memory = MemoryLookup.from([
      new EndpointInfo(id, [TransportAddr.relay(relay)], UserData.parse('hi')),
    ]);
    const [item] = await collect(memory.resolve(id));
    expect(item!.userData?.toString()).toBe('hi');
  });

  it('removeEndpointInfo forgets the endpoint and returns what was stored', async () => {
    const memory = MemoryLookup.from([new EndpointAddr(id, relay), new EndpointAddr(other, relay)]);
    expect(memory.size).toBe(2);
    const removed = memory.removeEndpointInfo(id);
    expect(removed?.relayUrls().map(String)).toEqual([relay]);
    expect(memory.removeEndpointInfo(id)).toBeUndefined();
    expect(await collect(memory.resolve(id))).toEqual([]);
    expect(await collect(memory.resolve(other))).toHaveLength(1);
    expect(memory.size).toBe(1);
  });

  it('uses a custom provenance and yields nothing when already aborted', async () => {
    const memory = MemoryLookup.from([new EndpointAddr(id, relay)], { provenance: 'tickets' });
    expect((await collect(memory.resolve(id)))[0]!.provenance).toBe('tickets');
    expect(await collect(memory.resolve(id, AbortSignal.abort()))).toEqual([]);
  });
});
