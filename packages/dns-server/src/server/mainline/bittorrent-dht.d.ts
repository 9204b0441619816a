/**
 * Minimal types for the parts of `bittorrent-dht` 11 that iroh-ts uses (the package ships none). Internal:
 * no public declaration of `@iroh-ts/dns-server` refers to them.
 */
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';

  /** A DHT node's UDP address. */
  export interface DhtNodeAddr {
    host: string;
    port: number;
  }

  /** BEP 44 signature check: `(signature, signed bytes, public key) → valid`. */
  export type DhtVerify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

  /** Constructor options (the subset used). */
  export interface DhtOptions {
    /** Nodes to join through; `false` for none. Omitted means the public BitTorrent routers. */
    bootstrap?: false | DhtNodeAddr[];
    /** Verifies mutable items (required to accept or return them). */
    verify?: DhtVerify;
    /** Per-query timeout in ms (k-rpc-socket). */
    timeout?: number;
  }

  /** A `get` reply for a mutable item. */
  export interface DhtGetResult {
    id: Buffer;
    v: Buffer;
    k?: Buffer;
    sig?: Buffer;
    seq?: number;
  }

  /** Options of a mutable `put`. */
  export interface DhtMutablePut {
    k: Buffer;
    v: Buffer;
    seq: number;
    sign: (message: Buffer) => Buffer;
  }

  /** A Mainline DHT node. */
  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions);
    readonly nodeId: Buffer;
    listening: boolean;
    destroyed: boolean;
    listen(port: number, host: string, onListening?: () => void): void;
    address(): { address: string; family: string; port: number };
    addNode(node: DhtNodeAddr): void;
    get(target: Buffer, callback: (err: Error | null, result: DhtGetResult | null) => void): void;
    put(options: DhtMutablePut, callback?: (err: Error | null, hash: Buffer, nodes: number) => void): Buffer;
    toJSON(): { nodes: DhtNodeAddr[] };
    destroy(callback?: () => void): void;
  }
}
