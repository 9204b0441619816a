/**
 * A {@link PacketStore} shared by several server instances through Redis (the `redis` package, loaded only
 * when a store is opened).
 *
 * Why Redis rather than PostgreSQL: the store is a key → blob map with one ordered index, which is what
 * Redis holds natively (strings and a sorted set); the "store only if more recent" rule runs as one atomic
 * Lua script next to the data; and Redis pub/sub delivers change notifications to every instance with no
 * polling, so each one can drop its cached zone as soon as any instance accepts an update. PostgreSQL could
 * do all of this (an upsert with a `WHERE` clause, `LISTEN`/`NOTIFY`) but brings schema migrations, a
 * connection pool and a heavier server to operate for what is a few hundred bytes per endpoint. A single
 * `redis-server` (optionally with replicas) is enough; Redis Cluster is not supported because the scripts
 * touch the time index together with each packet key.
 *
 * Layout, under a key prefix (default `iroh-dns:`):
 *
 * - `<prefix>packet:<z32>`: the full signed packet bytes (`key ‖ sig ‖ ts ‖ dns`);
 * - `<prefix>by-time`: a sorted set of z32 keys scored by packet timestamp (µs, as a double), for eviction;
 * - `<prefix>changed`: the pub/sub channel on which the z32 key of every accepted write or removal is
 *   published.
 *
 * Durability is Redis's: a write is acknowledged once Redis applied it in memory. Configure Redis with
 * `appendonly yes` and `appendfsync always` if an acknowledged PUT must survive a Redis crash.
 */
import type { SignedPacket } from '../../pkarr/signed-packet.js';
import { StoreError } from './errors.js';
import { ChangeListeners } from './listeners.js';
import {
  type CommandSender,
  DELETE_SCRIPT,
  EVICT_SCRIPT,
  LuaScript,
  UPSERT_SCRIPT,
} from './redis-scripts.js';
import type { PacketStore, UpsertResult } from './store.js';
import { DecodedPackets, decodeStored } from './stored-packet.js';

/** Options of {@link RedisStore.open}. */
export interface RedisStoreOptions {
  /** Server URL, e.g. `redis://127.0.0.1:6379` or `rediss://user:pass@host:6380/0`. */
  readonly url: string;
  /** Prefix of every key and of the change channel; lets several deployments share one Redis. @defaultValue `'iroh-dns:'` */
  readonly keyPrefix?: string;
  /** How long {@link RedisStore.open} waits for the first connection. @defaultValue 5000 ms */
  readonly connectTimeoutMs?: number;
  /** Index entries examined per eviction round. @defaultValue 500 */
  readonly evictionBatchSize?: number;
}

/** The subset of a node-redis client this store uses. */
interface RedisConnection extends CommandSender {
  connect(): Promise<unknown>;
  duplicate(): RedisConnection;
  withTypeMapping(mapping: Record<number, unknown>): RedisConnection;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready' | 'end', listener: () => void): unknown;
  close(): Promise<void>;
  destroy(): void;
}

const SCAN_COUNT = 500;
const upsertScript = new LuaScript(UPSERT_SCRIPT);
const deleteScript = new LuaScript(DELETE_SCRIPT);
const evictScript = new LuaScript(EVICT_SCRIPT);

function backendError(op: string, cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  return new StoreError('Backend', `redis ${op} failed: ${(cause as Error)?.message ?? String(cause)}`, {
    cause,
  });
}

function asBuffer(value: unknown, what: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  throw new StoreError('Backend', `unexpected redis reply for ${what}`);
}

/** Connects `client`, giving up (and tearing it down) after `ms`. */
async function connectWithin(client: RedisConnection, ms: number, url: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection to ${url} within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (e) {
    try {
      client.destroy();
    } catch {
      // never connected
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** A {@link PacketStore} in Redis, with cross-instance change notification over pub/sub. */
export class RedisStore implements PacketStore {
  readonly #client: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #prefix: string;
  readonly #index: string;
  readonly #channel: string;
  readonly #evictionBatch: number;
  readonly #listeners: ChangeListeners;
  readonly #decoded = new DecodedPackets();
  #closed = false;

  private constructor(
    client: RedisConnection,
    subscriber: RedisConnection,
    prefix: string,
    evictionBatch: number,
    listeners: ChangeListeners,
  ) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#prefix = prefix;
    this.#index = `${prefix}by-time`;
    this.#channel = `${prefix}changed`;
    this.#evictionBatch = evictionBatch;
    this.#listeners = listeners;
  }

  /**
   * Connects to Redis (one connection for commands, one for the change channel).
   *
   * @throws {@link StoreError} `Backend` if the `redis` package cannot be loaded or the server is not
   *   reachable within `connectTimeoutMs`.
   */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const prefix = options.keyPrefix ?? 'iroh-dns:';
    const batch = options.evictionBatchSize ?? 500;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError('evictionBatchSize must be >= 1');
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    let redis: typeof import('redis');
    try {
      redis = await import('redis');
    } catch (e) {
      throw backendError('load', e);
    }
    // node-redis's client type is generic over modules and scripts; this store needs only the subset above.
    const base = redis.createClient({ url: options.url }) as unknown as RedisConnection;
    base.on('error', () => {
      // node-redis reconnects by itself; commands wait for it or fail with their own error
    });
    const subscriber = base.duplicate();
    subscriber.on('error', () => {});
    const listeners = new ChangeListeners();
    try {
      await connectWithin(base, timeoutMs, options.url);
      await connectWithin(subscriber, timeoutMs, options.url);
      await subscriber.subscribe(`${prefix}changed`, (key) => listeners.changed(key));
    } catch (e) {
      for (const c of [base, subscriber]) {
        try {
          c.destroy();
        } catch {
          // already torn down
        }
      }
      throw backendError('connect', e);
    }
    // Notifications sent while the subscriber was away are lost: tell subscribers to start afresh.
    subscriber.on('end', () => listeners.reset());
    subscriber.on('ready', () => listeners.reset());
    const client = base.withTypeMapping({ [redis.RESP_TYPES.BLOB_STRING]: Buffer });
    return new RedisStore(client, subscriber, prefix, batch, listeners);
  }

  /** @throws {@link StoreError} `CorruptPacket` for a stored value that is not a packet of `key`. */
  async get(key: string): Promise<SignedPacket | undefined> {
    this.#checkOpen();
    let reply: unknown;
    try {
      reply = await this.#client.sendCommand(['GET', this.#packetKey(key)]);
    } catch (e) {
      throw backendError('GET', e);
    }
    if (reply === null || reply === undefined) return undefined;
    return this.#decoded.decode(key, asBuffer(reply, 'GET'));
  }

  /** Compares and writes in one Lua script; publishes the key when the packet was stored. */
  async upsert(packet: SignedPacket): Promise<UpsertResult> {
    this.#checkOpen();
    const key = packet.z32;
    let reply: unknown;
    try {
      reply = await upsertScript.run(
        this.#client,
        [this.#packetKey(key), this.#index],
        [Buffer.from(packet.bytes), key, String(Number(packet.timestamp)), this.#channel],
      );
    } catch (e) {
      throw backendError('upsert', e);
    }
    if (reply === 1 || reply === 2) {
      this.#decoded.remember(packet);
      return reply === 1 ? 'inserted' : 'updated';
    }
    if (reply === 0) return 'unchanged';
    throw new StoreError('Backend', `unexpected redis reply to upsert: ${String(reply)}`);
  }

  /** Removes the packet and its index entry in one script; publishes the key if there was one. */
  async delete(key: string): Promise<boolean> {
    this.#checkOpen();
    try {
      const n = await deleteScript.run(
        this.#client,
        [this.#packetKey(key), this.#index],
        [key, this.#channel],
      );
      return n === 1;
    } catch (e) {
      throw backendError('delete', e);
    }
  }

  /**
   * Takes the oldest index entries (by score) in rounds of `evictionBatchSize` and removes each packet whose
   * exact timestamp is below `timestamp`, one atomic script per packet.
   */
  async evictOlderThan(timestamp: bigint): Promise<string[]> {
    this.#checkOpen();
    if (timestamp <= 0n) return [];
    const capped = timestamp > 0xffff_ffff_ffff_ffffn ? 0xffff_ffff_ffff_ffffn : timestamp;
    const cutoff = Buffer.alloc(8);
    cutoff.writeBigUInt64BE(capped);
    const removed: string[] = [];
    try {
      for (;;) {
        const reply = await this.#client.sendCommand([
          'ZRANGEBYSCORE',
          this.#index,
          '-inf',
          String(Number(capped)),
          'LIMIT',
          '0',
          String(this.#evictionBatch),
        ]);
        const members = Array.isArray(reply) ? reply.map((m) => asBuffer(m, 'ZRANGEBYSCORE').toString()) : [];
        const results = await Promise.all(
          members.map((m) =>
            evictScript.run(this.#client, [this.#packetKey(m), this.#index], [m, cutoff, this.#channel]),
          ),
        );
        let round = 0;
        members.forEach((m, i) => {
          if (results[i] === 1) {
            removed.push(m);
            round++;
          }
        });
        // a full round that removed nothing holds only packets at the cutoff: stop rather than spin
        if (members.length < this.#evictionBatch || round === 0) break;
      }
    } catch (e) {
      throw backendError('eviction', e);
    }
    return removed;
  }

  /** Scans the time index with `ZSCAN` and fetches packets with `MGET`; each key is yielded once. */
  async *entries(): AsyncIterable<SignedPacket> {
    this.#checkOpen();
    const seen = new Set<string>();
    let cursor = '0';
    do {
      let members: string[];
      let values: unknown[];
      try {
        const reply = await this.#client.sendCommand([
          'ZSCAN',
          this.#index,
          cursor,
          'COUNT',
          String(SCAN_COUNT),
        ]);
        if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
          throw new StoreError('Backend', 'unexpected redis reply to ZSCAN');
        }
        cursor = asBuffer(reply[0], 'ZSCAN').toString();
        const flat = reply[1] as unknown[];
        members = [];
        for (let i = 0; i < flat.length; i += 2) {
          const m = asBuffer(flat[i], 'ZSCAN').toString();
          if (!seen.has(m)) {
            seen.add(m);
            members.push(m);
          }
        }
        values =
          members.length === 0
            ? []
            : ((await this.#client.sendCommand([
                'MGET',
                ...members.map((m) => this.#packetKey(m)),
              ])) as unknown[]);
      } catch (e) {
        throw backendError('scan', e);
      }
      for (let i = 0; i < members.length; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) yield decodeStored(members[i]!, asBuffer(v, 'MGET'));
      }
    } while (cursor !== '0');
  }

  /** Number of stored packets (`ZCARD` of the time index). */
  async size(): Promise<number> {
    this.#checkOpen();
    try {
      return Number(await this.#client.sendCommand(['ZCARD', this.#index]));
    } catch (e) {
      throw backendError('ZCARD', e);
    }
  }

  /**
   * Notifies of changes by any instance sharing this Redis and key prefix (through pub/sub). `onReset` runs
   * when the change channel's connection drops or comes back, since messages may have been lost meanwhile.
   */
  subscribe(listener: (key: string) => void, onReset?: () => void): () => void {
    return this.#listeners.add(listener, onReset);
  }

  /** Closes both connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await Promise.allSettled([this.#subscriber.close(), this.#client.close()]);
  }

  #packetKey(key: string): string {
    return `${this.#prefix}packet:${key}`;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError('Closed', 'the redis store is closed');
  }
}
