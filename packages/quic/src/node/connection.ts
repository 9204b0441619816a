/** The async connection API of `@iroh-ts/quic`, with `@number0/iroh`'s method names. */
import type { PeerIdentity } from '../crypto/session.js';
import type { ConnectionStats, PathInfo } from '../proto/connection/connection.js';
import type { CloseReason } from '../proto/connection/events.js';
import type { OpenPathError } from '../proto/connection/multipath.js';
import type { NatTraversalError } from '../proto/connection/nat-traversal.js';
import type { PathStatus } from '../proto/connection/path-ctx.js';
import { StreamError } from '../proto/streams/errors.js';
import type { Dir } from '../proto/streams/stream-id.js';
import { type ConnectionDriver, clock, type PathEventInfo } from './driver.js';
import { RecvStream, SendStream } from './streams.js';

/** A bidirectional stream pair. */
export interface BiStream {
  readonly send: SendStream;
  readonly recv: RecvStream;
}

/** An established QUIC connection. */
export class QuicConnection {
  /** @internal */
  constructor(private readonly d: ConnectionDriver) {}

  /** The negotiated ALPN protocol. */
  alpn(): Uint8Array | undefined {
    return this.d.conn.alpn();
  }

  /** The peer's authenticated identity (an iroh EndpointId for raw public keys). */
  peerIdentity(): PeerIdentity | undefined {
    return this.d.conn.peerIdentity();
  }

  /** `'client'` or `'server'`. */
  side(): 'client' | 'server' {
    return this.d.conn.side;
  }

  /** The address datagrams currently go to. */
  remoteAddress(): string {
    return this.d.conn.remoteAddress;
  }

  private async open(dir: Dir): Promise<number> {
    for (;;) {
      this.d.checkOpen();
      const id = this.d.conn.openStream(dir);
      if (id !== undefined) return id;
      this.d.drive(); // sends STREAMS_BLOCKED
      await (dir === 'bi' ? this.d.openBi : this.d.openUni).wait();
    }
  }

  private async accept(dir: Dir): Promise<number> {
    for (;;) {
      const id = this.d.conn.acceptStream(dir);
      if (id !== undefined) return id;
      this.d.checkOpen();
      await (dir === 'bi' ? this.d.incomingBi : this.d.incomingUni).wait();
    }
  }

  /** Opens a bidirectional stream (waits while the peer's stream limit is reached). */
  async openBi(): Promise<BiStream> {
    const id = await this.open('bi');
    return { send: new SendStream(this.d, id), recv: new RecvStream(this.d, id) };
  }

  /** Waits for the peer to open a bidirectional stream. */
  async acceptBi(): Promise<BiStream> {
    const id = await this.accept('bi');
    return { send: new SendStream(this.d, id), recv: new RecvStream(this.d, id) };
  }

  /** Opens a unidirectional stream. */
  async openUni(): Promise<SendStream> {
    return new SendStream(this.d, await this.open('uni'));
  }

  /** Waits for the peer to open a unidirectional stream. */
  async acceptUni(): Promise<RecvStream> {
    return new RecvStream(this.d, await this.accept('uni'));
  }

  /** Sends an unreliable datagram. */
  sendDatagram(data: Uint8Array): void {
    this.d.checkOpen();
    this.d.conn.sendDatagram(data);
    this.d.drive();
  }

  /** Sends a datagram (kept for API parity; datagrams are queued, never blocking). */
  async sendDatagramWait(data: Uint8Array): Promise<void> {
    this.sendDatagram(data);
  }

  /** Waits for the next datagram. */
  async readDatagram(): Promise<Uint8Array> {
    for (;;) {
      const d = this.d.conn.readDatagram();
      if (d) return d;
      this.d.checkOpen();
      await this.d.datagrams.wait();
    }
  }

  /** The largest datagram the peer accepts, or null. */
  maxDatagramSize(): number | null {
    return this.d.conn.maxDatagramSize() ?? null;
  }

  /** Closes the connection with an application error code and reason. */
  close(errorCode: bigint, reason: Uint8Array = new Uint8Array(0)): void {
    if (this.d.conn.isClosed) return;
    this.d.flushNow();
    this.d.conn.close(clock(), errorCode, reason);
    this.d.drive();
  }

  /** Resolves with the reason once the connection is closed. */
  closed(): Promise<CloseReason> {
    return this.d.closedPromise;
  }

  /** Why the connection closed, or null while open. */
  closeReason(): CloseReason | null {
    return this.d.closeReason ?? null;
  }

  /** Whether both sides negotiated QUIC multipath. */
  get multipath(): boolean {
    return this.d.conn.multipath;
  }

  /** Every path of the connection (one without multipath). */
  pathInfo(): PathInfo[] {
    return this.d.conn.pathInfo();
  }

  /** Client with multipath: opens a path to `remote`; its id, or why not (see {@link Connection.openPath}). */
  openPath(remote: string, status: PathStatus = 'available'): number | OpenPathError {
    const r = this.d.conn.openPath(clock(), remote, status);
    this.d.drive();
    return r;
  }

  /** Abandons path `id`; false for an unknown path or the last open one. */
  closePath(id: number, errorCode?: bigint): boolean {
    const r = this.d.conn.closePath(clock(), id, errorCode);
    this.d.drive();
    return r;
  }

  /** Sets our status of path `id`. */
  setPathStatus(id: number, status: PathStatus): boolean {
    const r = this.d.conn.setPathStatus(id, status);
    this.d.drive();
    return r;
  }

  /** Sets path `id`'s idle timeout and keep-alive interval (ms). */
  setPathTimers(id: number, idleTimeout: number | undefined, keepAliveInterval: number | undefined): boolean {
    const r = this.d.conn.setPathTimers(id, idleTimeout, keepAliveInterval);
    this.d.drive();
    return r;
  }

  /** Address discovery: the address the peer last reported seeing us at. */
  get observedAddress(): string | undefined {
    return this.d.conn.observedAddress;
  }

  /** Whether both sides negotiated the n0 NAT traversal extension. */
  get natTraversal(): boolean {
    return this.d.conn.natTraversal;
  }

  /** Adds one of our candidate addresses for NAT traversal (`ip:port`). */
  addNatTraversalAddress(addr: string): NatTraversalError | undefined {
    const r = this.d.conn.addNatTraversalAddress(addr);
    this.d.drive();
    return r;
  }

  /** Removes one of our candidate addresses. */
  removeNatTraversalAddress(addr: string): void {
    this.d.conn.removeNatTraversalAddress(addr);
    this.d.drive();
  }

  /** Our candidate addresses. */
  localNatTraversalAddresses(): string[] {
    return this.d.conn.localNatTraversalAddresses();
  }

  /** Client: the server's announced candidates. */
  remoteNatTraversalAddresses(): string[] {
    return this.d.conn.remoteNatTraversalAddresses();
  }

  /** Client: starts a NAT traversal round; the probed addresses, or why not. */
  initiateNatTraversalRound(): string[] | NatTraversalError {
    const r = this.d.conn.initiateNatTraversalRound(clock());
    this.d.drive();
    return r;
  }

  /** Calls `cb` for every multipath event (a path opened, abandoned, or now carrying data). */
  onPathEvent(cb: (e: PathEventInfo) => void): () => void {
    this.d.pathListeners.add(cb);
    return () => this.d.pathListeners.delete(cb);
  }

  /** RTT estimate in milliseconds. */
  rtt(): number {
    return this.d.conn.rtt;
  }

  stats(): ConnectionStats {
    return this.d.conn.stats();
  }

  /** TLS exporter (RFC 8446 §7.5). */
  exportKeyingMaterial(label: Uint8Array, context: Uint8Array, length: number): Uint8Array {
    if (this.d.conn.isHandshaking) throw new StreamError('NotReadable', 'handshake not complete');
    return this.d.conn.exportKeyingMaterial(label, context, length);
  }
}
