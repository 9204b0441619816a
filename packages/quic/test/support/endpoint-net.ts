/**
 * Sans-IO endpoints on a simulated network with a virtual clock: each node is an {@link Endpoint} at an
 * address; datagrams reach the node currently at their destination after `latency` ms. A node can
 * rebind (appear from, and be reachable at, another address) and a test can drop or copy datagrams.
 * Incoming connections are accepted with `accept`; timers fire as a driver would fire them.
 */
import type { Connection } from '../../src/proto/connection/connection.js';
import { Endpoint, type EndpointConfig, type Incoming } from '../../src/proto/endpoint.js';
import { seededRandom } from '../../src/testing/pair.js';
import { ScriptedCrypto } from './scripted-crypto.js';

/** A datagram on the wire. */
export interface Wire {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly data: Uint8Array;
}

interface Node {
  readonly ep: Endpoint;
  addr: string;
  readonly conns: Connection[];
}

export class EndpointNet {
  now = 0;
  latency = 1;
  private readonly nodes: Node[] = [];
  private queue: Wire[] = [];
  /** Every datagram sent (including dropped ones), for assertions. */
  readonly log: Wire[] = [];
  /** Outcomes of `handleDatagram` that were not for a connection. */
  readonly outcomes: { to: string; kind: string; reason?: string }[] = [];
  readonly incoming: Incoming[] = [];
  /** Return true to drop a datagram as it is sent. */
  drop: (w: Wire) => boolean = () => false;
  /** Accept incoming connections automatically (default). */
  autoAccept = true;
  readonly random = seededRandom(11);

  add(addr: string, config: Partial<EndpointConfig> = {}): Endpoint {
    const ep = new Endpoint({ random: this.random, ...config });
    this.nodes.push({ ep, addr, conns: [] });
    return ep;
  }

  private node(ep: Endpoint): Node {
    return this.nodes.find((n) => n.ep === ep)!;
  }

  /** The current address of `ep`. */
  addressOf(ep: Endpoint): string {
    return this.node(ep).addr;
  }

  /** `ep` now sends from and is reachable at `addr` (a NAT rebinding, say). */
  rebind(ep: Endpoint, addr: string): void {
    this.node(ep).addr = addr;
  }

  connect(from: Endpoint, to: Endpoint): Connection {
    const c = from.connect(this.now, this.addressOf(to), (tp) => new ScriptedCrypto('client', tp));
    this.node(from).conns.push(c);
    return c;
  }

  /** Accepts a pending incoming connection on `ep`. */
  accept(ep: Endpoint, i: Incoming): Connection {
    const c = ep.accept(this.now, i, (tp) => new ScriptedCrypto('server', tp));
    this.node(ep).conns.push(c);
    return c;
  }

  /** `ep` loses all state of `conn` (a crash or restart that keeps the endpoint's keys). */
  lose(ep: Endpoint, conn: Connection): void {
    const n = this.node(ep);
    n.conns.splice(n.conns.indexOf(conn), 1);
    ep.forget(conn);
  }

  /** The connections of `ep` (accepted or started), oldest first. */
  connections(ep: Endpoint): Connection[] {
    return this.node(ep).conns;
  }

  /** Puts a datagram on the wire as if `from` sent it now. */
  inject(from: string, to: string, data: Uint8Array, delay = this.latency): void {
    this.queue.push({ at: this.now + delay, from, to, data });
  }

  private flush(): void {
    for (const n of this.nodes) {
      for (const c of n.conns) {
        for (let t = c.pollTransmit(this.now); t; t = c.pollTransmit(this.now))
          this.send({ at: this.now + this.latency, from: n.addr, to: t.destination, data: t.data });
      }
    }
  }

  private send(w: Wire): void {
    this.log.push(w);
    if (!this.drop(w)) this.queue.push(w);
  }

  /** Advances to the next event and processes it; false when nothing is left to do before `limit`. */
  step(limit: number): boolean {
    this.flush();
    let next = Number.POSITIVE_INFINITY;
    for (const w of this.queue) next = Math.min(next, w.at);
    for (const n of this.nodes)
      for (const c of n.conns) {
        const t = c.pollTimeout(this.now);
        if (t !== undefined) next = Math.min(next, t);
      }
    if (next > limit) return false;
    this.now = Math.max(this.now, next);
    const due = this.queue.filter((w) => w.at <= this.now);
    this.queue = this.queue.filter((w) => w.at > this.now);
    for (const w of due) {
      const n = this.nodes.find((x) => x.addr === w.to);
      if (!n) continue;
      const out = n.ep.handleDatagram(this.now, w.from, w.data);
      if (out.kind === 'connection') continue;
      this.outcomes.push({
        to: w.to,
        kind: out.kind,
        reason: out.kind === 'dropped' ? out.reason : undefined,
      });
      if (out.kind === 'transmit')
        this.send({
          at: this.now + this.latency,
          from: n.addr,
          to: out.transmit.destination,
          data: out.transmit.data,
        });
      if (out.kind === 'incoming') {
        this.incoming.push(out.incoming);
        if (this.autoAccept) this.accept(n.ep, out.incoming);
      }
    }
    for (const n of this.nodes) {
      for (const c of [...n.conns]) {
        const t = c.pollTimeout(this.now);
        if (t !== undefined && t <= this.now) c.handleTimeout(this.now);
        n.ep.sync(c);
        if (c.isDrained) {
          n.ep.forget(c);
          n.conns.splice(n.conns.indexOf(c), 1);
        }
      }
    }
    return true;
  }

  /** Steps until `done()` holds; throws when idle or past `maxTime` ms from now. */
  runUntil(done: () => boolean, maxTime = 60_000): void {
    const limit = this.now + maxTime;
    for (let i = 0; i < 1_000_000; i++) {
      if (done()) return;
      if (!this.step(limit)) break;
    }
    if (!done()) throw new Error(`condition not reached (t=${this.now})`);
  }

  /** Runs for `ms` of simulated time. */
  runFor(ms: number): void {
    const limit = this.now + ms;
    while (this.step(limit)) {
      /* run */
    }
    this.now = Math.max(this.now, limit);
  }
}
