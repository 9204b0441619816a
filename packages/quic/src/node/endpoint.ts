/**
 * A QUIC endpoint on a datagram transport, driven by Node timers: connect to peers, accept incoming
 * connections. Protocol logic stays in the sans-IO core; this file only moves bytes and time.
 */
import { secureRandom } from '@iroh-ts/base';
import type { CryptoSession } from '../crypto/session.js';
import type { TransportConfig } from '../proto/connection/config.js';
import type { Connection } from '../proto/connection/connection.js';
import { Endpoint, type Incoming } from '../proto/endpoint.js';
import type { TransportParameters } from '../proto/transport-params.js';
import { QuicConnection } from './connection.js';
import { ConnectionDriver, clock } from './driver.js';
import type { UdpTransport } from './udp.js';
import { WaitQueue } from './waiters.js';

/** Options of {@link QuicEndpoint.bind}. */
export interface QuicEndpointOptions {
  /** `ip:port` to bind (default `127.0.0.1:0`); ignored when `transport` is given. */
  readonly bindAddr?: string;
  /** A transport to use instead of a UDP socket (the iroh socket layer plugs in here). */
  readonly transport?: UdpTransport;
  readonly transportConfig?: Partial<TransportConfig>;
  readonly random?: (n: number) => Uint8Array;
  /** Validate client addresses with a Retry before accepting connections (one extra round trip). */
  readonly requireRetry?: boolean;
}

/** Options of one connection attempt. */
export interface ConnectOptions {
  /** iroh's handshake server migration: accept the server's first packet from any address. */
  readonly allowServerMigration?: boolean;
  readonly transportParameters?: Partial<TransportParameters>;
  readonly transportConfig?: Partial<TransportConfig>;
}

/** An incoming connection, not yet accepted. */
export class QuicIncoming {
  /** @internal */
  constructor(
    private readonly ep: QuicEndpoint,
    /** @internal */ readonly inner: Incoming,
  ) {}

  /** The address it came from. */
  remoteAddress(): string {
    return this.inner.remote;
  }

  /** Accepts it and completes the handshake with the given TLS session. */
  accept(
    createCrypto: (tp: Uint8Array) => CryptoSession,
    options: ConnectOptions = {},
  ): Promise<QuicConnection> {
    return this.ep.acceptIncoming(this.inner, createCrypto, options);
  }

  /** Whether a Retry or NEW_TOKEN token validated the client's address. */
  remoteAddressValidated(): boolean {
    return this.inner.addressValidated;
  }

  /** Drops it without an answer. */
  ignore(): void {
    this.ep.ignoreIncoming(this.inner);
  }

  /** Refuses it: the client gets CONNECTION_CLOSE with CONNECTION_REFUSED. */
  refuse(): void {
    this.ep.refuseIncoming(this.inner);
  }

  /**
   * Asks the client to prove its address with a Retry; it then comes back as a new incoming.
   * @throws Error if this incoming already came through a Retry.
   */
  retry(): void {
    this.ep.retryIncoming(this.inner);
  }
}

/** A QUIC endpoint bound to a transport. */
export class QuicEndpoint {
  private readonly core: Endpoint;
  readonly transport: UdpTransport;
  private readonly drivers = new Map<Connection, ConnectionDriver>();
  private readonly incoming: Incoming[] = [];
  private readonly incomingWait = new WaitQueue();
  private closing = false;

  private constructor(transport: UdpTransport, options: QuicEndpointOptions) {
    this.transport = transport;
    this.core = new Endpoint({
      random: options.random ?? secureRandom,
      transport: options.transportConfig,
      requireRetry: options.requireRetry,
    });
    transport.onReceive((from, data) => this.onDatagram(from, data));
  }

  /** Binds an endpoint to a UDP socket (or the given transport). */
  static async bind(options: QuicEndpointOptions = {}): Promise<QuicEndpoint> {
    // node:dgram is loaded only when no transport is given, so browsers can use this class too.
    const transport =
      options.transport ?? (await (await import('./udp.js')).NodeUdpTransport.bind(options.bindAddr));
    return new QuicEndpoint(transport, options);
  }

  /** The local address (`ip:port`). */
  localAddress(): string {
    return this.transport.localAddress;
  }

  private onDatagram(from: string, data: Uint8Array): void {
    if (this.closing) return;
    const out = this.core.handleDatagram(clock(), from, data);
    switch (out.kind) {
      case 'connection':
        this.drivers.get(out.connection)?.schedule();
        return;
      case 'incoming':
        this.incoming.push(out.incoming);
        this.incomingWait.wake();
        return;
      case 'transmit':
        this.transport.send(out.transmit.destination, out.transmit.data);
        return;
      default:
        return;
    }
  }

  private attach(conn: Connection): ConnectionDriver {
    const d = new ConnectionDriver(conn, this.transport, () => {
      this.drivers.delete(conn);
      this.core.forget(conn);
    });
    this.drivers.set(conn, d);
    return d;
  }

  /** Connects to `remote` and resolves once the handshake completes. */
  async connect(
    remote: string,
    createCrypto: (tp: Uint8Array) => CryptoSession,
    options: ConnectOptions = {},
  ): Promise<QuicConnection> {
    if (this.closing) throw new Error('endpoint is closed');
    const conn = this.core.connect(clock(), remote, createCrypto, {
      allowServerMigration: options.allowServerMigration,
      transportParameters: options.transportParameters,
      config: options.transportConfig,
    });
    const d = this.attach(conn);
    d.drive();
    await d.handshake;
    return new QuicConnection(d);
  }

  /** Waits for the next incoming connection; `null` once the endpoint is closed. */
  async acceptNext(): Promise<QuicIncoming | null> {
    for (;;) {
      const i = this.incoming.shift();
      if (i) return new QuicIncoming(this, i);
      if (this.closing) return null;
      await this.incomingWait.wait();
    }
  }

  /** @internal */
  async acceptIncoming(
    i: Incoming,
    createCrypto: (tp: Uint8Array) => CryptoSession,
    options: ConnectOptions,
  ): Promise<QuicConnection> {
    const conn = this.core.accept(clock(), i, createCrypto, {
      transportParameters: options.transportParameters,
      config: options.transportConfig,
    });
    const d = this.attach(conn);
    d.drive();
    await d.handshake;
    return new QuicConnection(d);
  }

  /** @internal */
  ignoreIncoming(i: Incoming): void {
    this.core.ignore(i);
  }

  /** @internal */
  refuseIncoming(i: Incoming): void {
    const t = this.core.refuse(i);
    if (!this.closing) this.transport.send(t.destination, t.data);
  }

  /** @internal */
  retryIncoming(i: Incoming): void {
    const t = this.core.retry(clock(), i);
    if (!t) throw new Error('the client already went through a Retry');
    if (!this.closing) this.transport.send(t.destination, t.data);
  }

  /** Closes every connection (code 0), waits briefly for them to drain, and releases the socket. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.incomingWait.wake();
    const now = clock();
    for (const d of this.drivers.values()) {
      // What is ready goes first (an ACK, a Finished), then the CONNECTION_CLOSE, at once: the
      // driver's deferred flush would run after the socket is gone.
      d.flushNow();
      if (!d.conn.isClosed) d.conn.close(now, 0n);
      d.flushNow();
      d.drive();
    }
    const drained = Promise.all([...this.drivers.values()].map((d) => d.closedPromise));
    await Promise.race([drained, new Promise((r) => setTimeout(r, 50))]);
    // node:dgram hands a datagram to the kernel a tick after send(): let the closes go out.
    await new Promise((r) => setTimeout(r, 0));
    for (const d of this.drivers.values()) d.stop();
    this.drivers.clear();
    await this.transport.close();
  }
}
