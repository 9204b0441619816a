/**
 * Drives one sans-IO {@link Connection} with Node timers and a datagram transport: flushes what it
 * wants to send, turns its events into resolved promises, and keeps one timer armed at its next
 * deadline.
 */
import type { Connection } from '../proto/connection/connection.js';
import type { CloseReason, ConnectionEvent } from '../proto/connection/events.js';
import { ConnectionError } from './errors.js';
import type { UdpTransport } from './udp.js';
import { WaitQueue } from './waiters.js';

/** Runs `fn` after the current I/O callbacks (setImmediate in Node, a zero timeout elsewhere). */
const defer: (fn: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (fn) => {
        setImmediate(fn);
      }
    : (fn) => {
        setTimeout(fn, 0);
      };

/** Milliseconds from a monotonic clock. */
export const clock = (): number => performance.now();

/** The driver of one connection. */
export class ConnectionDriver {
  readonly conn: Connection;
  private readonly transport: UdpTransport;
  private readonly onDrained: () => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly readers = new Map<number, WaitQueue>();
  private readonly writers = new Map<number, WaitQueue>();
  private readonly finishers = new Map<
    number,
    { resolve: (v: bigint | null) => void; reject: (e: Error) => void }[]
  >();
  readonly incomingBi = new WaitQueue();
  readonly incomingUni = new WaitQueue();
  readonly datagrams = new WaitQueue();
  /** Woken when the peer allows more streams (MAX_STREAMS), per direction. */
  readonly openBi = new WaitQueue();
  readonly openUni = new WaitQueue();
  private established: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  readonly handshake: Promise<void>;
  private closedResolve!: (r: CloseReason) => void;
  readonly closedPromise: Promise<CloseReason>;
  closeReason: CloseReason | undefined;
  private driving = false;
  private scheduled = false;
  /** Listeners of path events (multipath). */
  readonly pathListeners = new Set<(e: PathEventInfo) => void>();
  private deferredFlush = false;
  private again = false;

  constructor(conn: Connection, transport: UdpTransport, onDrained: () => void) {
    this.conn = conn;
    this.transport = transport;
    this.onDrained = onDrained;
    this.handshake = new Promise((resolve, reject) => {
      this.established = { resolve, reject };
    });
    this.handshake.catch(() => {});
    this.closedPromise = new Promise((resolve) => {
      this.closedResolve = resolve;
    });
  }

  /** Cancels the timer (the endpoint is shutting down). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  readable(id: number): WaitQueue {
    let q = this.readers.get(id);
    if (!q) {
      q = new WaitQueue();
      this.readers.set(id, q);
    }
    return q;
  }

  writable(id: number): WaitQueue {
    let q = this.writers.get(id);
    if (!q) {
      q = new WaitQueue();
      this.writers.set(id, q);
    }
    return q;
  }

  finished(id: number): Promise<bigint | null> {
    // Already settled (acknowledged, stopped, or collected): no event will come for it any more.
    const outcome = this.conn.sendOutcome(id);
    if (outcome !== undefined) return Promise.resolve(outcome);
    if (this.closeReason) return Promise.reject(new ConnectionError(this.closeReason));
    return new Promise((resolve, reject) => {
      let l = this.finishers.get(id);
      if (!l) {
        l = [];
        this.finishers.set(id, l);
      }
      l.push({ resolve, reject });
    });
  }

  /** Throws the connection's error once it is closed. */
  checkOpen(): void {
    if (this.conn.isClosed) throw new ConnectionError(this.closeReason ?? this.conn.closeReason);
  }

  /** A datagram for this connection arrived. */
  receive(from: string, data: Uint8Array): void {
    this.conn.handleDatagram(clock(), from, data);
    this.schedule();
  }

  /**
   * Drives the connection once the current burst of I/O callbacks is over: datagrams that arrived
   * together, and reads and writes made in between, are answered by one flush (one ACK, one window
   * update, one timer) instead of one each. The flush runs in the same event-loop turn.
   */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    defer(this.runScheduled);
  }

  private readonly runScheduled = (): void => {
    this.scheduled = false;
    this.drive();
  };

  /**
   * Sends whatever the connection has ready right now, skipping the deferred flush. Used before a
   * local close: a TLS Finished still waiting for that flush must reach the peer ahead of the
   * CONNECTION_CLOSE, or the peer sees the close without the handshake it completes (and so without
   * our application code and reason).
   */
  flushNow(): void {
    const now = clock();
    for (let t = this.conn.pollTransmit(now); t; t = this.conn.pollTransmit(now))
      this.transport.send(t.destination, t.data);
  }

  /** Flushes transmits, dispatches events and re-arms the timer. Re-entrant calls are folded. */
  drive(): void {
    if (this.driving) {
      this.again = true;
      return;
    }
    this.driving = true;
    try {
      do {
        this.again = false;
        const now = clock();
        // When events wake the application (the handshake completed, data arrived, a stream opened),
        // its reaction (a write, a read that frees window) comes in the microtasks after this call.
        // Sending is then left to a second pass, so that what the application does rides in the same
        // datagrams as our ACKs and handshake messages instead of following in its own.
        if (this.dispatch() && !this.deferredFlush) {
          this.deferredFlush = true;
          this.schedule();
          this.arm(now);
          return;
        }
        this.deferredFlush = false;
        for (let t = this.conn.pollTransmit(now); t; t = this.conn.pollTransmit(now))
          this.transport.send(t.destination, t.data);
        this.dispatch();
        this.arm(now);
      } while (this.again);
    } finally {
      this.driving = false;
    }
  }

  private arm(now: number): void {
    const at = this.conn.pollTimeout(now);
    if (at === undefined) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer && at >= this.timerAt) return; // the armed timer fires first; it re-arms then
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        const t = clock();
        const due = this.conn.pollTimeout(t);
        if (due !== undefined && due <= t) this.conn.handleTimeout(t);
        this.drive();
      },
      Math.max(0, at - now),
    );
  }

  /** Delivers the connection's events; returns true when an application waiter was woken. */
  private dispatch(): boolean {
    let woke = 0;
    for (let e = this.conn.pollEvent(); e; e = this.conn.pollEvent()) {
      switch (e.type) {
        case 'handshake-complete':
          this.established?.resolve();
          woke++;
          break;
        case 'stream': {
          const ev = e.event;
          if (ev.type === 'opened') woke += (ev.dir === 'bi' ? this.incomingBi : this.incomingUni).wake();
          else if (ev.type === 'limit-raised') woke += (ev.dir === 'bi' ? this.openBi : this.openUni).wake();
          else if (ev.type === 'readable') woke += this.readers.get(ev.id)?.wake() ?? 0;
          else if (ev.type === 'writable') woke += this.writers.get(ev.id)?.wake() ?? 0;
          else if (ev.type === 'stopped') {
            this.writers.get(ev.id)?.wake();
            for (const f of this.finishers.get(ev.id) ?? []) f.resolve(ev.errorCode);
            this.finishers.delete(ev.id);
          } else if (ev.type === 'finished') {
            for (const f of this.finishers.get(ev.id) ?? []) f.resolve(null);
            this.finishers.delete(ev.id);
          }
          break;
        }
        case 'datagram-received':
          woke += this.datagrams.wake();
          break;
        case 'closed': {
          this.closeReason = e.reason;
          const err = new ConnectionError(e.reason);
          this.established?.reject(err);
          for (const q of [...this.readers.values(), ...this.writers.values()]) q.fail(err);
          for (const q of [this.incomingBi, this.incomingUni, this.datagrams, this.openBi, this.openUni])
            q.fail(err);
          // stopped() waiters: the peer can no longer acknowledge or stop anything.
          for (const l of this.finishers.values()) for (const f of l) f.reject(err);
          this.finishers.clear();
          this.closedResolve(e.reason);
          break;
        }
        case 'path-opened':
        case 'path-abandoned':
        case 'path-changed':
        case 'nat-address-added':
        case 'nat-address-removed':
        case 'nat-path-opening':
        case 'observed-address':
        case 'nat-round':
        case 'handshake-confirmed':
          for (const l of [...this.pathListeners]) l(e);
          break;
        case 'drained':
          if (this.timer) clearTimeout(this.timer);
          this.timer = undefined;
          this.onDrained();
          break;
        default:
          break;
      }
    }
    return woke > 0;
  }
}

/** A path event of a connection. */
export type PathEventInfo = Extract<
  ConnectionEvent,
  {
    type:
      | 'path-opened'
      | 'path-abandoned'
      | 'path-changed'
      | 'nat-address-added'
      | 'nat-address-removed'
      | 'nat-path-opening'
      | 'observed-address'
      | 'nat-round'
      | 'handshake-confirmed';
  }
>;
