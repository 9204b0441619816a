import { EndpointAddr, type PublicKey } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import {
  type AddressLookup,
  AddressLookupError,
  type AddressLookupItem,
  ConcurrentAddressLookup,
  MemoryLookup,
  PkarrResolverLookup,
  resolveFirst,
} from '../../src/lookup/index.js';
import { deadPkarrUrl, keyFrom, within } from './helpers.js';

const id = keyFrom(60).public();

/** Never yields; ends only when its signal aborts. */
const silent: AddressLookup = {
  async *resolve(_id: PublicKey, signal?: AbortSignal): AsyncGenerator<AddressLookupItem> {
    await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
  },
};

describe('resolveFirst', () => {
  it('returns the first item found', async () => {
    const item = await resolveFirst(MemoryLookup.from([new EndpointAddr(id, 'https://r.example./')]), id);
    expect(item.provenance).toBe('memory');
    expect(item.addr.relayUrl()).toBe('https://r.example./');
  });

  it('fails with noResults, carrying the service failures', async () => {
    const lookup = new ConcurrentAddressLookup([
      new MemoryLookup(),
      new PkarrResolverLookup(await deadPkarrUrl()),
    ]);
    const err = await resolveFirst(lookup, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AddressLookupError);
    expect((err as AddressLookupError).code).toBe('noResults');
    expect((err as AddressLookupError).errors).toHaveLength(1);
    expect(await resolveFirst(new MemoryLookup(), id).catch((e: AddressLookupError) => e.code)).toBe(
      'noResults',
    );
  });

  it('fails with timeout after timeoutMs', async () => {
    const err = await within(
      resolveFirst(silent, id, { timeoutMs: 20 }).catch((e: unknown) => e),
      5_000,
      'timeout',
    );
    expect((err as AddressLookupError).code).toBe('timeout');
  });

  it('fails with aborted when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = resolveFirst(silent, id, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(((await within(pending, 5_000, 'abort')) as AddressLookupError).code).toBe('aborted');
    const pre = await resolveFirst(silent, id, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((pre as AddressLookupError).code).toBe('aborted');
  });
});
