/**
 * An incoming connection attempt, before the handshake: accept it (and get an {@link Accepting}),
 * refuse it, ask for a Retry, or ignore it. As in `@number0/iroh`.
 */
import type { PublicKey } from '@iroh-ts/base';
import type { QuicConnection, QuicIncoming } from '@iroh-ts/quic';
import type { Connection } from './connection.js';
import { parseMapped } from './socket/addrs.js';

/** Where an incoming connection came from. */
export interface IncomingAddr {
  /** `ip`, `relay` or `custom`. */
  readonly kind: 'ip' | 'relay' | 'custom';
  /** `ip:port` (ip), the relay URL (relay) or the custom address. */
  readonly addr?: string;
  /** For relayed connections: the remote's EndpointId (the relay tells). */
  readonly endpointId?: string;
}

/** Which of our transports an incoming connection arrived on. */
export interface IncomingLocalAddr {
  readonly kind: 'ip' | 'relay' | 'custom';
  readonly addr?: string;
}

/** What the endpoint provides to its incoming connections. @internal */
export interface IncomingHost {
  acceptIncoming(inc: QuicIncoming): Promise<QuicConnection>;
  finishIncoming(quic: Promise<QuicConnection>): Promise<Connection>;
  relayUrlOf(id: PublicKey): string | undefined;
  localIpAddr(): string | undefined;
}

/** A handshake in progress on an accepted incoming connection. */
export class Accepting {
  readonly #quic: Promise<QuicConnection>;
  readonly #conn: Promise<Connection>;

  /** @internal */
  constructor(host: IncomingHost, quic: Promise<QuicConnection>) {
    this.#quic = quic;
    this.#conn = host.finishIncoming(quic);
    // Rejections are reported to whoever awaits connect(); never unhandled.
    this.#conn.catch(() => {});
  }

  /** Completes the handshake (and runs the `afterHandshake` hooks). */
  connect(): Promise<Connection> {
    return this.#conn;
  }

  /** The ALPN the client and we agreed on (after the handshake). */
  async alpn(): Promise<Uint8Array> {
    return (await this.#quic).alpn() ?? new Uint8Array(0);
  }
}

/** An incoming connection attempt. */
export class Incoming {
  readonly #host: IncomingHost;
  readonly #inner: QuicIncoming;
  #used = false;

  /** @internal */
  constructor(host: IncomingHost, inner: QuicIncoming) {
    this.#host = host;
    this.#inner = inner;
  }

  #take(): void {
    if (this.#used) throw new Error('this incoming connection was already accepted, refused or ignored');
    this.#used = true;
  }

  /** Accepts it: the handshake starts. */
  async accept(): Promise<Accepting> {
    this.#take();
    return new Accepting(this.#host, this.#host.acceptIncoming(this.#inner));
  }

  /** Refuses it: the client gets CONNECTION_REFUSED. */
  async refuse(): Promise<void> {
    this.#take();
    this.#inner.refuse();
  }

  /** Asks the client to validate its address with a Retry; it comes back as a new incoming. */
  async retry(): Promise<void> {
    this.#take();
    this.#inner.retry();
  }

  /** Drops it silently. */
  async ignore(): Promise<void> {
    this.#take();
    this.#inner.ignore();
  }

  /** Whether the client's address was validated (by a Retry or a NEW_TOKEN token). */
  async remoteAddrValidated(): Promise<boolean> {
    return this.#inner.remoteAddressValidated();
  }

  /** Where it came from: a direct address, or the relay and the remote's id. */
  async remoteAddr(): Promise<IncomingAddr> {
    const m = parseMapped(this.#inner.remoteAddress());
    if (m?.kind === 'relay')
      return { kind: 'relay', addr: this.#host.relayUrlOf(m.id), endpointId: m.id.toString() };
    if (m?.kind === 'custom') return { kind: 'custom', addr: m.addr.toString() };
    return { kind: 'ip', addr: this.#inner.remoteAddress() };
  }

  /** Which of our transports it arrived on. */
  async localAddr(): Promise<IncomingLocalAddr> {
    const m = parseMapped(this.#inner.remoteAddress());
    if (m?.kind === 'relay') return { kind: 'relay', addr: this.#host.relayUrlOf(m.id) };
    if (m?.kind === 'custom') return { kind: 'custom' };
    return { kind: 'ip', addr: this.#host.localIpAddr() };
  }
}
