/**
 * Two connections joined by several routes with a virtual clock, for multipath tests. A route is what
 * one side sends to (`destination`): it says how the datagram reaches the other side and which
 * address that side sees it come from. Routes can be cut, and every datagram is counted per route.
 */
import { Connection, type ConnectionOptions } from '../../src/proto/connection/connection.js';
import { seededRandom } from '../../src/testing/pair.js';
import { concat, readAvailable } from './pair-helpers.js';
import { ScriptedCrypto } from './scripted-crypto.js';

export interface Route {
  /** What the receiving side sees as the source. */
  readonly seenFrom: string;
  latency: number;
  up: boolean;
  /**
   * A port-restricted NAT or stateful firewall in front of the receiver: datagrams on this route are
   * dropped until the receiver has sent on the reverse route (its "mapping" for this peer is open).
   */
  filtered: boolean;
  /** The sender has sent on this route (opens the reverse route's filter). */
  used: boolean;
  /** Datagrams and bytes delivered on this route, and datagrams the filter dropped. */
  datagrams: number;
  bytes: number;
  dropped: number;
}

interface InFlight {
  readonly at: number;
  readonly to: 0 | 1;
  readonly from: string;
  readonly data: Uint8Array;
}

export class MultiNet {
  now = 0;
  readonly conns: [Connection, Connection];
  /** Routes of each side, by the destination it sends to. */
  readonly routes: [Map<string, Route>, Map<string, Route>] = [new Map(), new Map()];
  private queue: InFlight[] = [];

  constructor(client: Connection, server: Connection) {
    this.conns = [client, server];
  }

  /** A route both ways: side 0 sends to `a1`, side 1 sees it from `a0`, and back. */
  link(a0: string, a1: string, latency: number, opts: { filtered?: boolean } = {}): void {
    const filtered = opts.filtered ?? false;
    this.routes[0].set(a1, {
      seenFrom: a0,
      latency,
      up: true,
      filtered,
      used: false,
      datagrams: 0,
      bytes: 0,
      dropped: 0,
    });
    this.routes[1].set(a0, {
      seenFrom: a1,
      latency,
      up: true,
      filtered,
      used: false,
      datagrams: 0,
      bytes: 0,
      dropped: 0,
    });
  }

  /** Cuts or restores both directions of the link between `a0` and `a1`. */
  setUp(a0: string, a1: string, up: boolean): void {
    this.routes[0].get(a1)!.up = up;
    this.routes[1].get(a0)!.up = up;
  }

  private flush(): void {
    for (const side of [0, 1] as const) {
      const c = this.conns[side];
      for (let t = c.pollTransmit(this.now); t; t = c.pollTransmit(this.now)) {
        const r = this.routes[side].get(t.destination);
        if (!r?.up) continue;
        r.used = true;
        // The receiver's filter: open only once the receiver sent towards the sender.
        const reverse = this.routes[1 - side]!.get(r.seenFrom);
        if (r.filtered && !reverse?.used) {
          r.dropped++;
          continue;
        }
        r.datagrams++;
        r.bytes += t.data.length;
        this.queue.push({
          at: this.now + r.latency,
          to: (1 - side) as 0 | 1,
          from: r.seenFrom,
          data: t.data,
        });
      }
    }
  }

  step(limit: number): boolean {
    this.flush();
    let next = Number.POSITIVE_INFINITY;
    for (const d of this.queue) next = Math.min(next, d.at);
    for (const c of this.conns) {
      const t = c.pollTimeout(this.now);
      if (t !== undefined) next = Math.min(next, t);
    }
    if (next > limit) return false;
    this.now = Math.max(this.now, next);
    const due = this.queue.filter((d) => d.at <= this.now);
    this.queue = this.queue.filter((d) => d.at > this.now);
    for (const d of due) this.conns[d.to].handleDatagram(this.now, d.from, d.data);
    for (const c of this.conns) {
      const t = c.pollTimeout(this.now);
      if (t !== undefined && t <= this.now) c.handleTimeout(this.now);
    }
    return true;
  }

  runUntil(done: () => boolean, maxTime = 60_000): void {
    const limit = this.now + maxTime;
    for (let i = 0; i < 2_000_000; i++) {
      if (done()) return;
      if (!this.step(limit)) break;
    }
    if (!done()) throw new Error(`condition not reached (t=${this.now})`);
  }

  runFor(ms: number): void {
    const limit = this.now + ms;
    while (this.step(limit)) {
      /* run */
    }
    this.now = Math.max(this.now, limit);
  }
}

/**
 * A client that dialled the server at `serverAddr` and the server that sees it at `clientAddr`, both
 * with multipath unless `multipath` says otherwise.
 */
export function multipathPair(opts: {
  clientAddr: string;
  serverAddr: string;
  seed?: number;
  multipath?: [boolean, boolean];
  /** Whether each side offers n0 NAT traversal (default both). */
  nat?: [boolean, boolean];
  client?: Partial<ConnectionOptions>;
  server?: Partial<ConnectionOptions>;
}): { client: Connection; server: Connection } {
  const random = seededRandom(opts.seed ?? 5);
  const [mc, ms] = opts.multipath ?? [true, true];
  const nat = opts.nat ?? [true, true];
  const clientCid = random(8);
  const initialDcid = random(20);
  const client = new Connection({
    side: 'client',
    now: 0,
    random,
    remote: opts.serverAddr,
    localCid: clientCid,
    remoteCid: initialDcid,
    config: { maxPathId: mc ? 7 : undefined, maxNatTraversalAddresses: nat[0] ? 32 : undefined },
    createCrypto: (tp) => new ScriptedCrypto('client', tp),
    ...opts.client,
  });
  const server = new Connection({
    side: 'server',
    now: 0,
    random,
    remote: opts.clientAddr,
    localCid: random(8),
    remoteCid: clientCid,
    originalDcid: initialDcid,
    statelessResetToken: random(16),
    config: { maxPathId: ms ? 7 : undefined, maxNatTraversalAddresses: nat[1] ? 32 : undefined },
    createCrypto: (tp) => new ScriptedCrypto('server', tp),
    ...opts.server,
  });
  return { client, server };
}

/**
 * Sends `data` from `a` to `b` on a new uni stream over `net` and returns what `b` read; `onStep` sees
 * how many bytes `b` has received so far (to change the network mid-transfer).
 */
export function transfer(
  net: MultiNet,
  a: Connection,
  b: Connection,
  data: Uint8Array,
  onStep?: (received: number) => void,
): Uint8Array {
  const id = a.openStream('uni')!;
  let written = 0;
  let finished = false;
  let sid: number | undefined;
  const got: Uint8Array[] = [];
  net.runUntil(() => {
    if (written < data.length) written += a.write(id, data.subarray(written));
    if (written === data.length && !finished) {
      a.finish(id);
      finished = true;
    }
    sid ??= b.acceptStream('uni');
    const done = sid !== undefined && readAvailable(b, sid, got);
    onStep?.(got.reduce((n, c) => n + c.length, 0));
    return done;
  }, 600_000);
  return concat(got);
}
