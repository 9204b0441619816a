/**
 * Where packets are stored (`[store]`, ours) and how long they are kept (`[zone_store]`, iroh's
 * keys). iroh-dns-server always keeps a redb file in the data directory; here the default is the
 * same idea (an lmdb database under `data_dir`), and `[store]` can choose memory or a Redis server
 * shared by several instances instead.
 */
import { DEFAULT_EVICTION_AGE_MS, DEFAULT_EVICTION_INTERVAL_MS } from '@iroh-ts/dns-server/server';
import { duration, fail, int, noteUnknown, str, type Table } from '@iroh-ts/server-common/config';

/** The storage backend. */
export type StoreSettings =
  /** In process memory; everything is lost on exit (`--dev`). */
  | { readonly kind: 'memory' }
  /**
   * An lmdb database in the directory `path` (the file inside is the library's
   * `signed-packets-1.mdb`, next to where iroh keeps `signed-packets-1.db`).
   */
  | { readonly kind: 'lmdb'; readonly path: string }
  /** A Redis server, possibly shared by several instances. */
  | { readonly kind: 'redis'; readonly url: string; readonly keyPrefix: string | undefined };

/** The `[zone_store]` section. */
export interface ZoneStoreSettings {
  /** Packets older than this (by their own timestamp) are evicted, ms. 0 disables eviction. */
  readonly evictionMs: number;
  /** How often eviction runs, ms. */
  readonly evictionIntervalMs: number;
  /**
   * iroh's write batching (`max_batch_size`): validated, but the stores here commit every write on its
   * own (the lmdb store syncs each one), so it has no effect.
   */
  readonly maxBatchSize: number;
  /** iroh's `max_batch_time`, ms: validated, no effect (see {@link maxBatchSize}). */
  readonly maxBatchTimeMs: number;
  /** Parsed zones kept in memory (ours; iroh's LRU holds 1,048,576). */
  readonly cacheCapacity: number | undefined;
}

/**
 * Parses `[store]`: `backend = "lmdb" | "memory" | "redis"`, `path` (the lmdb directory, default the
 * data directory), `redis_url` (implies
 * redis; the environment variable `IROH_DNS_REDIS_URL` overrides it, so a password need not sit in
 * the file) and `redis_key_prefix`.
 */
export function parseStore(
  t: Table | undefined,
  dataDir: string,
  env: NodeJS.ProcessEnv,
  unknown: string[],
): StoreSettings {
  const s = t ?? {};
  noteUnknown(s, ['backend', 'path', 'redis_url', 'redis_key_prefix'], 'store.', unknown);
  const url = env.IROH_DNS_REDIS_URL || str(s, 'redis_url', 'store.');
  const backend = str(s, 'backend', 'store.') ?? (url !== undefined ? 'redis' : 'lmdb');
  switch (backend) {
    case 'memory':
      return { kind: 'memory' };
    case 'lmdb':
      return { kind: 'lmdb', path: str(s, 'path', 'store.') ?? dataDir };
    case 'redis': {
      if (url === undefined)
        return fail('store.redis_url (or IROH_DNS_REDIS_URL) is required with backend "redis"');
      if (!/^rediss?:\/\//.test(url)) return fail('store.redis_url must start with redis:// or rediss://');
      return { kind: 'redis', url, keyPrefix: str(s, 'redis_key_prefix', 'store.') };
    }
    default:
      return fail(`store.backend must be "lmdb", "memory" or "redis", got ${JSON.stringify(backend)}`);
  }
}

/** Parses `[zone_store]` (durations as in iroh: `"7days"`, `"10s"`, …). */
export function parseZoneStore(t: Table | undefined, unknown: string[]): ZoneStoreSettings {
  const z = t ?? {};
  noteUnknown(
    z,
    ['max_batch_size', 'max_batch_time', 'eviction', 'eviction_interval', 'cache_capacity'],
    'zone_store.',
    unknown,
  );
  const evictionIntervalMs = duration(z, 'eviction_interval', 'zone_store.') ?? DEFAULT_EVICTION_INTERVAL_MS;
  if (evictionIntervalMs < 1) fail('zone_store.eviction_interval must be at least 1ms');
  return {
    evictionMs: duration(z, 'eviction', 'zone_store.') ?? DEFAULT_EVICTION_AGE_MS,
    evictionIntervalMs,
    maxBatchSize: int(z, 'max_batch_size', 'zone_store.', 1, 1 << 24) ?? 1024 * 64,
    maxBatchTimeMs: duration(z, 'max_batch_time', 'zone_store.') ?? 1000,
    cacheCapacity: int(z, 'cache_capacity', 'zone_store.', 1, 1 << 26),
  };
}
