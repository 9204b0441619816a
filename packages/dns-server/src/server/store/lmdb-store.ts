/**
 * A persistent, crash-safe {@link PacketStore} in an embedded LMDB database (the `lmdb` package, loaded only
 * when a store is opened, so users of other stores never load its native code).
 *
 * Layout, in one LMDB environment at `<path>/signed-packets-1.mdb`:
 *
 * - `packets`: z-base-32 key → full signed packet bytes (`key ‖ sig ‖ ts ‖ dns`), each entry carrying a
 *   random version number used as a compare-and-swap token;
 * - `by-time`: `timestamp (u64 big-endian) ‖ z32` → empty, an index for eviction by age, kept in step with
 *   `packets` by writing both in the same conditional batch.
 *
 * Durability: the environment is opened with `overlappingSync: false` and `noSync: false`, so LMDB syncs each
 * commit to disk (`fdatasync`) before lmdb-js resolves the write's promise. When {@link LmdbStore.upsert}
 * resolves, the packet survives a crash of the process (and of the machine, as far as the disk honours
 * syncs).
 *
 * Atomicity: "store only if more recent" is a read, a comparison in JavaScript, then a write made conditional
 * on the entry's version being unchanged (`ifVersion` / `ifNoExists`, checked by LMDB inside the commit).
 * If another writer (another process on the same file) got in between, the write is dropped and the upsert
 * retried. Writers in this process are serialised per key so they never race each other.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import type { SignedPacket } from '../../pkarr/signed-packet.js';
import { StoreError } from './errors.js';
import { ChangeListeners } from './listeners.js';
import type { PacketStore, UpsertResult } from './store.js';
import { DecodedPackets, decodeStored } from './stored-packet.js';

/** File name of the database inside the store directory (versioned like iroh's `signed-packets-1.db`). */
export const LMDB_FILE_NAME = 'signed-packets-1.mdb';

/** Options of {@link LmdbStore.open}. */
export interface LmdbStoreOptions {
  /** Directory of the database; created if missing. The file inside is {@link LMDB_FILE_NAME}. */
  readonly path: string;
  /** Largest number of packets removed per commit during eviction. @defaultValue 1000 */
  readonly evictionBatchSize?: number;
}

/** Most attempts of a conditional write before giving up (only reached under heavy cross-process races). */
const MAX_ATTEMPTS = 16;
/** Entries read per synchronous chunk while iterating. */
const ITERATION_CHUNK = 512;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh compare-and-swap token (52 random bits, exactly representable as a double). */
function newVersion(): number {
  return Math.floor(Math.random() * 2 ** 52);
}

/** The `by-time` index key of a packet: timestamp big-endian, then the z32 key in ASCII. */
function indexKey(timestamp: bigint, z32: string): Uint8Array {
  const out = new Uint8Array(8 + z32.length);
  new DataView(out.buffer).setBigUint64(0, timestamp, false);
  out.set(encoder.encode(z32), 8);
  return out;
}

/** The timestamp of full signed packet bytes. */
function timestampOf(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(96, false);
}

/** Maps lmdb failures to {@link StoreError}. */
function backendError(op: string, cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  return new StoreError('Backend', `lmdb ${op} failed: ${(cause as Error)?.message ?? String(cause)}`, {
    cause,
  });
}

/** A {@link PacketStore} in an LMDB file: durable once a write resolves, fast synchronous reads. */
export class LmdbStore implements PacketStore {
  readonly #root: RootDatabase;
  readonly #packets: Database<Uint8Array, string>;
  readonly #byTime: Database<Uint8Array, Uint8Array>;
  readonly #evictionBatch: number;
  readonly #listeners = new ChangeListeners();
  readonly #decoded = new DecodedPackets();
  /** Tail of the write queue of each key with writes in flight. */
  readonly #keyQueues = new Map<string, Promise<unknown>>();
  #closed = false;

  private constructor(
    root: RootDatabase,
    packets: Database<Uint8Array, string>,
    byTime: Database<Uint8Array, Uint8Array>,
    evictionBatch: number,
  ) {
    this.#root = root;
    this.#packets = packets;
    this.#byTime = byTime;
    this.#evictionBatch = evictionBatch;
  }

  /**
   * Opens (creating if needed) the store in `options.path`.
   *
   * @throws {@link StoreError} `Backend` if the directory or database cannot be opened, or if the `lmdb`
   *   package cannot be loaded.
   */
  static async open(options: LmdbStoreOptions): Promise<LmdbStore> {
    const batch = options.evictionBatchSize ?? 1000;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError('evictionBatchSize must be >= 1');
    try {
      await mkdir(options.path, { recursive: true });
      const { open } = await import('lmdb');
      const root = open({
        path: join(options.path, LMDB_FILE_NAME),
        noSubdir: true,
        overlappingSync: false,
        noSync: false,
        maxDbs: 4,
      });
      const packets = root.openDB<Uint8Array, string>({
        name: 'packets',
        encoding: 'binary',
        useVersions: true,
      });
      const byTime = root.openDB<Uint8Array, Uint8Array>({
        name: 'by-time',
        encoding: 'binary',
        keyEncoding: 'binary',
      });
      return new LmdbStore(root, packets, byTime, batch);
    } catch (e) {
      throw backendError('open', e);
    }
  }

  /** @throws {@link StoreError} `CorruptPacket` for a stored value that is not a packet of `key`. */
  async get(key: string): Promise<SignedPacket | undefined> {
    this.#checkOpen();
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.#packets.get(key);
    } catch (e) {
      throw backendError('get', e);
    }
    return bytes === undefined ? undefined : this.#decoded.decode(key, bytes);
  }

  /** Resolves once the packet (if more recent) is committed and synced to disk. */
  async upsert(packet: SignedPacket): Promise<UpsertResult> {
    this.#checkOpen();
    const key = packet.z32;
    return this.#serialised(key, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = this.#packets.getEntry(key);
        if (current !== undefined) {
          const stored = this.#decoded.decode(key, current.value);
          if (stored.equals(packet) || stored.moreRecentThan(packet)) return 'unchanged';
        }
        const write = () => {
          if (current !== undefined) this.#byTime.remove(indexKey(timestampOf(current.value), key));
          this.#packets.put(key, packet.bytes, newVersion());
          this.#byTime.put(indexKey(packet.timestamp, key), new Uint8Array(0));
        };
        const done =
          current === undefined
            ? await this.#packets.ifNoExists(key, write)
            : await this.#packets.ifVersion(key, current.version ?? 0, write);
        if (done) {
          this.#decoded.remember(packet);
          this.#listeners.changed(key);
          return current === undefined ? 'inserted' : 'updated';
        }
      }
      throw new StoreError('Backend', `lmdb upsert of ${key} kept losing races with another writer`);
    });
  }

  /** Resolves once the removal is committed and synced. */
  async delete(key: string): Promise<boolean> {
    this.#checkOpen();
    return this.#serialised(key, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = this.#packets.getEntry(key);
        if (current === undefined) return false;
        if (await this.#removeIfVersion(key, current.value, current.version ?? 0)) {
          this.#decoded.forget(key);
          this.#listeners.changed(key);
          return true;
        }
      }
      throw new StoreError('Backend', `lmdb delete of ${key} kept losing races with another writer`);
    });
  }

  /** Walks the time index from the oldest entry, removing in batches of `evictionBatchSize`. */
  async evictOlderThan(timestamp: bigint): Promise<string[]> {
    this.#checkOpen();
    if (timestamp <= 0n) return [];
    const end = new Uint8Array(8);
    new DataView(end.buffer).setBigUint64(
      0,
      timestamp > 0xffff_ffff_ffff_ffffn ? 0xffff_ffff_ffff_ffffn : timestamp,
    );
    const removed: string[] = [];
    for (;;) {
      const batch = [...this.#byTime.getKeys({ end, limit: this.#evictionBatch })];
      if (batch.length === 0) break;
      const outcomes = await Promise.all(batch.map((ik) => this.#evictOne(ik, timestamp)));
      for (const key of outcomes) if (key !== undefined) removed.push(key);
      if (batch.length < this.#evictionBatch) break;
    }
    return removed;
  }

  /** Pages through the packets in key order, a synchronous chunk at a time. */
  async *entries(): AsyncIterable<SignedPacket> {
    this.#checkOpen();
    let after: string | undefined;
    for (;;) {
      const chunk = [
        ...this.#packets.getRange(
          after === undefined
            ? { limit: ITERATION_CHUNK }
            : { start: after, exclusiveStart: true, limit: ITERATION_CHUNK },
        ),
      ];
      for (const { key, value } of chunk) yield decodeStored(key, value);
      const last = chunk[chunk.length - 1];
      if (chunk.length < ITERATION_CHUNK || last === undefined) return;
      after = last.key;
    }
  }

  /** Number of stored packets (from LMDB's page statistics, not a scan). */
  async size(): Promise<number> {
    this.#checkOpen();
    const stats = this.#packets.getStats() as { entryCount?: number };
    return stats.entryCount ?? this.#packets.getCount();
  }

  /** Notifies of changes made through this object (not of other processes' writes to the same file). */
  subscribe(listener: (key: string) => void, onReset?: () => void): () => void {
    return this.#listeners.add(listener, onReset);
  }

  /** Waits for writes in flight, then closes the database. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#keyQueues.values()]);
    this.#listeners.clear();
    await this.#root.close();
  }

  /** Removes the packet of index key `ik` if it is still older than `cutoff`; resolves to its key if so. */
  async #evictOne(ik: Uint8Array, cutoff: bigint): Promise<string | undefined> {
    const key = decoder.decode(ik.subarray(8));
    const indexed = new DataView(ik.buffer, ik.byteOffset, ik.byteLength).getBigUint64(0, false);
    return this.#serialised(key, async () => {
      const current = this.#packets.getEntry(key);
      if (current === undefined || timestampOf(current.value) !== indexed) {
        // a stale index entry (the packet was replaced or removed meanwhile): drop only the entry
        await this.#byTime.remove(ik);
        return undefined;
      }
      if (indexed >= cutoff) return undefined;
      if (!(await this.#removeIfVersion(key, current.value, current.version ?? 0))) return undefined;
      this.#decoded.forget(key);
      this.#listeners.changed(key);
      return key;
    });
  }

  /** Removes a packet and its index entry if the packet's version is still `version`. */
  #removeIfVersion(key: string, bytes: Uint8Array, version: number): Promise<boolean> {
    return this.#packets.ifVersion(key, version, () => {
      this.#packets.remove(key);
      this.#byTime.remove(indexKey(timestampOf(bytes), key));
    });
  }

  /** Runs `op` after every earlier operation on `key` in this process has finished. */
  #serialised<T>(key: string, op: () => Promise<T>): Promise<T> {
    const previous = this.#keyQueues.get(key) ?? Promise.resolve();
    const run = previous.then(op, op).catch((e: unknown) => {
      throw backendError('write', e);
    });
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#keyQueues.set(key, tail);
    void tail.then(() => {
      if (this.#keyQueues.get(key) === tail) this.#keyQueues.delete(key);
    });
    return run;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError('Closed', 'the lmdb store is closed');
  }
}
