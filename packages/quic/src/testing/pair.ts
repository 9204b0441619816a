/**
 * An in-memory harness: two QUIC connections joined by a simulated link on a virtual clock, with
 * latency, MTU, loss, reordering and duplication. Deterministic for a given seed, and fast: time jumps
 * straight to the next event.
 */
import type { Connection } from '../proto/connection/connection.js';

/** Link behaviour, per direction. */
export interface LinkConfig {
  /** One-way delay, ms. */
  readonly latency: number;
  /** Extra random delay up to this many ms (reorders packets). */
  readonly jitter: number;
  /** Probability in [0, 1) of dropping a datagram. */
  readonly loss: number;
  /** Probability of delivering a datagram twice. */
  readonly duplicate: number;
  /** Datagrams larger than this are dropped. */
  readonly mtu: number;
}

export const DEFAULT_LINK: LinkConfig = { latency: 5, jitter: 0, loss: 0, duplicate: 0, mtu: 1500 };

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly to: 0 | 1;
  readonly from: string;
  readonly data: Uint8Array;
}

/** Datagrams in flight, as a binary min-heap by (arrival time, send order). */
class DeliveryQueue {
  private readonly heap: InFlight[] = [];

  private static before(x: InFlight, y: InFlight): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  push(d: InFlight): void {
    const h = this.heap;
    h.push(d);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!DeliveryQueue.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  peek(): InFlight | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest datagram if it arrives at or before `now`. */
  popDue(now: number): InFlight | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top || top.at > now) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && DeliveryQueue.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && DeliveryQueue.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random bytes from a seeded PRNG (for deterministic connections in tests). */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  const r = prng(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

/** Two connections and the link between them. */
export class Pair {
  now: number;
  readonly conns: [Connection, Connection];
  /** Each side's current address; a datagram reaches a side only when sent to its current address. */
  readonly addrs: [string, string];
  links: [LinkConfig, LinkConfig];
  private readonly queue = new DeliveryQueue();
  private seq = 0;
  private readonly rand: () => number;
  /** Datagrams delivered / dropped, per direction (0: a→b, 1: b→a). */
  readonly delivered: [number, number] = [0, 0];
  readonly dropped: [number, number] = [0, 0];

  constructor(
    a: Connection,
    b: Connection,
    opts: { now?: number; seed?: number; link?: Partial<LinkConfig>; addrs?: [string, string] } = {},
  ) {
    this.conns = [a, b];
    this.now = opts.now ?? 0;
    this.addrs = opts.addrs ?? ['10.0.0.1:1000', '10.0.0.2:2000'];
    const link = { ...DEFAULT_LINK, ...opts.link };
    this.links = [link, link];
    this.rand = prng(opts.seed ?? 1);
  }

  /** Sends everything both sides want to send now into the link. */
  private flush(): void {
    for (const side of [0, 1] as const) {
      const c = this.conns[side];
      for (let t = c.pollTransmit(this.now); t; t = c.pollTransmit(this.now)) {
        const to = (1 - side) as 0 | 1;
        const link = this.links[side];
        if (t.destination !== this.addrs[to] || t.data.length > link.mtu || this.rand() < link.loss) {
          this.dropped[side]++;
          continue;
        }
        const copies = this.rand() < link.duplicate ? 2 : 1;
        for (let i = 0; i < copies; i++) {
          const at = this.now + link.latency + (link.jitter > 0 ? this.rand() * link.jitter : 0);
          // Each delivery is its own buffer, as on a real network (receivers may work in place).
          const data = i === 0 ? t.data : t.data.slice();
          this.queue.push({ at, seq: this.seq++, to, from: this.addrs[side], data });
        }
      }
    }
  }

  /** Advances to the next event (a delivery or a timer) and processes it. Returns false when idle. */
  step(limit = Number.POSITIVE_INFINITY): boolean {
    this.flush();
    const timers = this.conns.map((c) => c.pollTimeout(this.now));
    let next = this.queue.peek()?.at ?? Number.POSITIVE_INFINITY;
    for (const t of timers) if (t !== undefined && t < next) next = t;
    if (next === Number.POSITIVE_INFINITY || next > limit) return false;
    this.now = Math.max(this.now, next);
    for (let d = this.queue.popDue(this.now); d; d = this.queue.popDue(this.now)) {
      this.delivered[(1 - d.to) as 0 | 1]++;
      this.conns[d.to].handleDatagram(this.now, d.from, d.data);
    }
    for (const c of this.conns) {
      const t = c.pollTimeout(this.now);
      if (t !== undefined && t <= this.now) c.handleTimeout(this.now);
      // No endpoint routes here (every datagram reaches its side): endpoint events are not needed.
      while (c.pollEndpointEvent()) {
        /* discard */
      }
    }
    return true;
  }

  /** Steps until `done()` holds; throws after `maxSteps` or when simulated time passes `deadline`. */
  runUntil(done: () => boolean, opts: { maxSteps?: number; deadline?: number } = {}): void {
    const maxSteps = opts.maxSteps ?? 1_000_000;
    const deadline = opts.deadline ?? this.now + 600_000;
    for (let i = 0; i < maxSteps; i++) {
      if (done()) return;
      if (!this.step(deadline)) {
        if (done()) return;
        throw new Error(`pair went idle at t=${this.now} before the condition held`);
      }
    }
    throw new Error(`condition not reached after ${maxSteps} steps (t=${this.now})`);
  }
}
