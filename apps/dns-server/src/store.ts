/**
 * Opens the packet store the configuration asks for, through the server library's `openStore`: a
 * `MemoryStore`, an `LmdbStore` (durable, one server per directory) or a `RedisStore` (shared by every
 * instance pointed at it). Every one implements the library's {@link PacketStore}.
 */
import {
  openStore as openLibraryStore,
  type PacketStore,
  type StoreConfig,
} from '@iroh-ts/dns-server/server';
import type { Logger } from '@iroh-ts/server-common';
import type { StoreSettings } from './config.js';

/** A short description of the store, for logs (no credentials). */
export function describeStore(settings: StoreSettings): string {
  switch (settings.kind) {
    case 'memory':
      return 'memory';
    case 'lmdb':
      return `lmdb:${settings.path}`;
    case 'redis':
      return `redis:${new URL(settings.url).host}`;
  }
}

/** The library's description of the store. */
export function storeConfig(settings: StoreSettings): StoreConfig {
  switch (settings.kind) {
    case 'memory':
      return { kind: 'memory' };
    case 'lmdb':
      return { kind: 'lmdb', path: settings.path };
    case 'redis':
      return settings.keyPrefix === undefined
        ? { kind: 'redis', url: settings.url }
        : { kind: 'redis', url: settings.url, keyPrefix: settings.keyPrefix };
  }
}

/**
 * Opens (creating if needed) the store described by `settings`. The caller closes it.
 *
 * @throws `StoreError` `Backend` when the database or the Redis server cannot be opened.
 */
export async function openStore(settings: StoreSettings, log: Logger): Promise<PacketStore> {
  const store = await openLibraryStore(storeConfig(settings));
  log.info('store opened', { store: describeStore(settings) });
  return store;
}
