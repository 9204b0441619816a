/**
 * Lookups of pkarr packets on the Mainline DHT for keys the store does not have (iroh-dns-server's
 * `[mainline]` option; the server never publishes to the DHT).
 *
 * A pkarr packet is a BEP 44 mutable item without salt: target = SHA-1 of the public key, `seq` = the
 * timestamp in µs, `v` = the DNS message, and the BEP 44 signed bytes `3:seqi<seq>e1:v<len>:<v>` are exactly
 * pkarr's signed bytes. Every reply is checked with our strict Ed25519 verification before the DHT client
 * considers it, and the chosen one is parsed again as a {@link SignedPacket}. Hits are cached (300 s by
 * default, as iroh); concurrent lookups of one key share a single DHT query.
 *
 * The DHT client (`bittorrent-dht`) is loaded when a fallback is started. It is always given an explicit
 * bootstrap list, empty by default: the public BitTorrent routers are contacted only if they are passed in
 * (see {@link MAINLINE_PUBLIC_BOOTSTRAP}).
 */
import { createHash } from 'node:crypto';
import { PublicKey, Signature } from '@iroh-ts/base';
import type DHT from 'bittorrent-dht';
import type { DhtGetResult } from 'bittorrent-dht';
import { SignedPacket } from '../../pkarr/signed-packet.js';
import { ServerConfigError } from '../errors.js';
import type { PacketFallback } from '../zone/fallback.js';

/** How long a DHT hit is served from cache: 300 s, as iroh-dns-server. */
export const DEFAULT_MAINLINE_CACHE_TTL_MS = 300_000;
/** How long a DHT lookup may take before it counts as a miss. */
export const DEFAULT_MAINLINE_TIMEOUT_MS = 5_000;
/** Most DHT hits kept in the cache. */
export const DEFAULT_MAINLINE_CACHE_CAPACITY = 65_536;

/**
 * The bootstrap nodes of the public Mainline DHT used by pkarr's `mainline` crate. Never used unless passed
 * as {@link MainlineFallbackOptions.bootstrap}.
 */
export const MAINLINE_PUBLIC_BOOTSTRAP: readonly string[] = [
  'router.bittorrent.com:6881',
  'dht.transmissionbt.com:6881',
  'dht.libtorrent.org:25401',
  'relay.pkarr.org:6881',
];

/** Options of {@link MainlineFallback.start}; every field is optional. */
export interface MainlineFallbackOptions {
  /** DHT nodes to join through, as `host:port` (IPv4 address or host name). @defaultValue none */
  readonly bootstrap?: readonly string[];
  /** Local UDP address of the DHT node. @defaultValue `'0.0.0.0'` */
  readonly host?: string;
  /** Local UDP port of the DHT node; 0 picks a free one. @defaultValue 0 */
  readonly port?: number;
  /** How long hits are cached. @defaultValue 300 s */
  readonly cacheTtlMs?: number;
  /** Most hits cached. @defaultValue 65,536 */
  readonly cacheCapacity?: number;
  /** A lookup taking longer counts as a miss. @defaultValue 5 s */
  readonly timeoutMs?: number;
  /** How long the DHT client waits for each node's reply. @defaultValue 2 s (bittorrent-dht's default) */
  readonly queryTimeoutMs?: number;
  /** Wall clock in ms, for the cache. @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** A DHT node's UDP address. */
export interface MainlineNodeAddr {
  readonly host: string;
  readonly port: number;
}

interface CacheEntry {
  readonly packet: SignedPacket;
  readonly expires: number;
}

/** Strict Ed25519 verification of a BEP 44 item; malformed input is simply invalid. */
function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return PublicKey.fromBytes(publicKey).isValidSignature(message, Signature.fromBytes(signature));
  } catch {
    return false;
  }
}

/** Parses `host:port`. @throws {@link ServerConfigError} `InvalidOption`. */
function parseNode(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon);
  const port = Number(text.slice(colon + 1));
  if (colon <= 0 || host.includes(':') || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ServerConfigError('InvalidOption', `mainline bootstrap node must be host:port, got ${text}`);
  }
  return { host, port };
}

/** Turns a DHT reply into a packet of `key`, or `undefined` if it is not one. */
function toPacket(key: string, r: DhtGetResult | null): SignedPacket | undefined {
  if (!r?.k || !r.sig || typeof r.seq !== 'number' || !Number.isSafeInteger(r.seq) || r.seq < 0) {
    return undefined;
  }
  if (r.k.length !== 32 || r.sig.length !== 64) return undefined;
  const bytes = new Uint8Array(104 + r.v.length);
  bytes.set(r.k, 0);
  bytes.set(r.sig, 32);
  new DataView(bytes.buffer).setBigUint64(96, BigInt(r.seq), false);
  bytes.set(r.v, 104);
  try {
    const packet = SignedPacket.fromBytes(bytes);
    return packet.z32 === key ? packet : undefined;
  } catch {
    return undefined;
  }
}

/** A {@link PacketFallback} on the Mainline DHT. */
export class MainlineFallback implements PacketFallback {
  readonly #dht: DHT;
  readonly #ttlMs: number;
  readonly #capacity: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  /** Hits in insertion order (oldest first), for expiry and the capacity bound. */
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inflight = new Map<string, Promise<SignedPacket | undefined>>();
  #closed = false;

  private constructor(dht: DHT, options: MainlineFallbackOptions) {
    this.#dht = dht;
    this.#ttlMs = options.cacheTtlMs ?? DEFAULT_MAINLINE_CACHE_TTL_MS;
    this.#capacity = options.cacheCapacity ?? DEFAULT_MAINLINE_CACHE_CAPACITY;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_MAINLINE_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Loads the DHT client, binds its UDP socket and joins through the bootstrap nodes.
   *
   * @throws {@link ServerConfigError} `InvalidOption` for a malformed bootstrap node or option, or the
   *   socket's bind error.
   */
  static async start(options: MainlineFallbackOptions = {}): Promise<MainlineFallback> {
    const bootstrap = (options.bootstrap ?? []).map(parseNode);
    for (const [name, v] of [
      ['cacheTtlMs', options.cacheTtlMs],
      ['cacheCapacity', options.cacheCapacity],
      ['timeoutMs', options.timeoutMs],
      ['queryTimeoutMs', options.queryTimeoutMs],
    ] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
        throw new ServerConfigError('InvalidOption', `mainline ${name} must be positive`);
      }
    }
    const { default: Dht } = await import('bittorrent-dht');
    const dht = new Dht({
      bootstrap: bootstrap.length > 0 ? bootstrap : false,
      verify,
      ...(options.queryTimeoutMs !== undefined ? { timeout: options.queryTimeoutMs } : {}),
    });
    dht.on('error', () => {
      // socket errors end lookups as misses
    });
    dht.on('warning', () => {});
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      dht.once('error', onError);
      dht.listen(options.port ?? 0, options.host ?? '0.0.0.0', () => {
        dht.off('error', onError);
        resolve();
      });
    }).catch((e: unknown) => {
      dht.destroy();
      throw e;
    });
    return new MainlineFallback(dht, options);
  }

  /** The local UDP address of the DHT node. */
  get address(): MainlineNodeAddr {
    const a = this.#dht.address();
    return { host: a.address, port: a.port };
  }

  /** The nodes in the DHT routing table. */
  get nodes(): MainlineNodeAddr[] {
    return this.#dht.toJSON().nodes.map((n) => ({ host: n.host, port: n.port }));
  }

  /** The most recent packet for `key` on the DHT (from cache if looked up recently). Never rejects. */
  resolve(key: string): Promise<SignedPacket | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      if (cached.expires > this.#now()) return Promise.resolve(cached.packet);
      this.#cache.delete(key);
    }
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const lookup = this.#lookup(key).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, lookup);
    return lookup;
  }

  /** Leaves the DHT. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.clear();
    await new Promise<void>((resolve) => this.#dht.destroy(() => resolve()));
  }

  async #lookup(key: string): Promise<SignedPacket | undefined> {
    let publicKey: PublicKey;
    try {
      publicKey = PublicKey.fromZ32(key);
    } catch {
      return undefined;
    }
    const target = createHash('sha1').update(publicKey.bytesView).digest();
    const result = await new Promise<DhtGetResult | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), this.#timeoutMs);
      timer.unref?.();
      this.#dht.get(target, (err, res) => {
        clearTimeout(timer);
        resolve(err ? null : res);
      });
    });
    const packet = toPacket(key, result);
    if (packet !== undefined && !this.#closed) this.#remember(key, packet);
    return packet;
  }

  #remember(key: string, packet: SignedPacket): void {
    this.#cache.delete(key);
    this.#cache.set(key, { packet, expires: this.#now() + this.#ttlMs });
    while (this.#cache.size > this.#capacity) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }
}
