/** Opening a {@link PacketStore} from a plain configuration value (iroh-dns-server's store choice). */
import { ServerConfigError } from '../errors.js';
import { LmdbStore, type LmdbStoreOptions } from './lmdb-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';
import type { PacketStore } from './store.js';

/** Which store to open. */
export type StoreConfig =
  /** A {@link MemoryStore}: nothing survives the process. */
  | { readonly kind: 'memory' }
  /** An {@link LmdbStore} in the directory `path`: durable, one server per directory. */
  | ({ readonly kind: 'lmdb' } & LmdbStoreOptions)
  /** A {@link RedisStore} at `url`: shared by every server instance pointed at it. */
  | ({ readonly kind: 'redis' } & RedisStoreOptions);

/** True for a {@link StoreConfig} rather than a ready {@link PacketStore}. */
export function isStoreConfig(value: PacketStore | StoreConfig): value is StoreConfig {
  return (
    typeof (value as { kind?: unknown }).kind === 'string' && typeof (value as PacketStore).get !== 'function'
  );
}

/**
 * Opens the store `config` describes. The caller owns it and must `close()` it.
 *
 * @throws {@link ServerConfigError} `InvalidOption` for an unknown kind or a missing path or URL;
 *   {@link StoreError} `Backend` when the store cannot be opened.
 */
export async function openStore(config: StoreConfig): Promise<PacketStore> {
  switch (config.kind) {
    case 'memory':
      return new MemoryStore();
    case 'lmdb':
      if (typeof config.path !== 'string' || config.path === '') {
        throw new ServerConfigError('InvalidOption', 'an lmdb store needs a path');
      }
      return LmdbStore.open(config);
    case 'redis':
      if (typeof config.url !== 'string' || config.url === '') {
        throw new ServerConfigError('InvalidOption', 'a redis store needs a url');
      }
      return RedisStore.open(config);
    default:
      throw new ServerConfigError(
        'InvalidOption',
        `unknown store kind ${String((config as { kind: unknown }).kind)}`,
      );
  }
}
