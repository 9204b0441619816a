/**
 * The relay client: one logical connection to a relay that survives disconnects. It connects,
 * authenticates, sends and receives datagrams, keeps the connection alive, and reconnects with
 * jittered exponential backoff (or after the delay a `Restarting` frame asked for).
 *
 * Works in Node (via `ws`) and browsers (global `WebSocket`); the token goes in an
 * `Authorization: Bearer` header on Node and in `?token=` in browsers.
 *
 * @module
 */

import { type PublicKey, type RandomSource, type SecretKey, secureRandom } from '@iroh-ts/base';
import { SUPPORTS_HEADERS } from '#websocket';
import { MAX_PACKET_SIZE, PING_INTERVAL_MS, PING_TIMEOUT_MS } from '../protos/constants.js';
import { batchDatagrams, type Datagrams, Ecn, takeSegments } from '../protos/datagrams.js';
import { encodeDatagramsFrame, type RelayToClientMsg } from '../protos/relay.js';
import { type ProtocolVersion, SUPPORTED_PROTOCOL_VERSIONS } from '../protos/version.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { type ConnectionOptions, RelayConnection } from './connection.js';
import { Emitter, type Unsubscribe } from './emitter.js';
import { RelayClientError } from './errors.js';
import { systemTimers, type TimerHandle, type Timers } from './timers.js';
import { relayDialUrl } from './url.js';
import type { WebSocketFactory, WebSocketTlsOptions } from './websocket.js';

/** Lifecycle of a {@link RelayClient}. */
export type RelayClientState =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'disconnected'
  | 'reconnecting'
  | 'closed';

/** Datagrams received from another endpoint through the relay. */
export interface ReceivedDatagrams {
  /** The sender. */
  readonly src: PublicKey;
  /** The datagram(s), ECN and segment size as sent. */
  readonly datagrams: Datagrams;
}

/** Events of a {@link RelayClient}, by name. */
export interface RelayClientEvents {
  /** The state changed; `error` says why a connection was lost or an attempt failed. */
  readonly state: { readonly state: RelayClientState; readonly error?: RelayClientError | undefined };
  /** Datagrams arrived. */
  readonly datagrams: ReceivedDatagrams;
  /** An endpoint we had sent to left the relay. */
  readonly endpointGone: PublicKey;
  /** A v2 `Status` value (see `Status`). */
  readonly status: number;
  /** A v1 `Health` problem text. */
  readonly health: string;
  /** The relay is restarting and suggests when to reconnect. */
  readonly restarting: { readonly reconnectInMs: number; readonly tryForMs: number };
  /** A reconnect attempt failed (the client keeps trying). */
  readonly error: RelayClientError;
}

/** Options of a {@link RelayClient}; only `url` and `secretKey` are required. */
export interface RelayClientOptions {
  /** The relay URL, e.g. `https://relay.example.com./`. */
  readonly url: string | URL | { toString(): string };
  /** Our identity. */
  readonly secretKey: SecretKey;
  /** Access token for relays that require one. */
  readonly authToken?: string | undefined;
  /** Send the token as `?token=` even where headers work. Default: only where headers cannot be set. */
  readonly tokenInQuery?: boolean | undefined;
  /** Versions to offer, preferred first. Default `['iroh-relay-v2', 'iroh-relay-v1']`. */
  readonly protocols?: readonly ProtocolVersion[] | undefined;
  /** Keep-alive ping interval. Default 15 000. */
  readonly pingIntervalMs?: number | undefined;
  /** Longest pong wait. Default 5 000. */
  readonly pongTimeoutMs?: number | undefined;
  /** Longest time to connect and authenticate. Default 10 000. */
  readonly connectTimeoutMs?: number | undefined;
  /** Reconnect after a lost connection. Default true. */
  readonly reconnect?: boolean | undefined;
  /** Reconnect backoff. Default 10 ms … 16 s. */
  readonly backoff?: BackoffOptions | undefined;
  /** Datagrams are dropped while more than this many bytes wait in the socket. Default 4 MiB. */
  readonly maxBufferedBytes?: number | undefined;
  /** TLS settings (Node only). */
  readonly tls?: WebSocketTlsOptions | undefined;
  /**
   * Authenticate with TLS keying material in the upgrade request (saves a round trip; Node only, as
   * iroh's native client). Default true.
   */
  readonly keyingMaterialAuth?: boolean | undefined;
  /** Clock and timers. Default: the platform's. */
  readonly timers?: Timers | undefined;
  /** Random bytes for ping data. Default: the platform CSPRNG. */
  readonly random?: RandomSource | undefined;
  /** Random `[0, 1)` numbers for backoff jitter. Default `Math.random`. */
  readonly jitter?: (() => number) | undefined;
  /** Opens WebSockets. Default: `ws` on Node, the global `WebSocket` elsewhere. */
  readonly webSocketFactory?: WebSocketFactory | undefined;
}

/** Options of {@link RelayClient.datagrams}. */
export interface DatagramIteratorOptions {
  /** Received batches buffered while the consumer is busy; newer ones are dropped beyond it. Default 1024. */
  readonly bufferSize?: number | undefined;
}

const BATCH_OVERHEAD = 32 + 1 + 2;

/**
 * A client of one relay.
 *
 * @example
 * ```ts
 * const client = new RelayClient({ url: 'https://relay.example.com', secretKey: SecretKey.generate() });
 * client.on('datagrams', ({ src, datagrams }) => console.log(src.fmtShort(), datagrams.contents));
 * await client.connect();
 * client.sendDatagram(peerId, new TextEncoder().encode('hi'));
 * ```
 */
export class RelayClient {
  readonly #events = new Emitter<RelayClientEvents>();
  readonly #conn: ConnectionOptions;
  readonly #reconnect: boolean;
  readonly #maxBuffered: number;
  readonly #backoff: Backoff;
  readonly #timers: Timers;
  #state: RelayClientState = 'idle';
  #connection: RelayConnection | undefined;
  #connecting: Promise<void> | undefined;
  #retryTimer: TimerHandle | undefined;
  #restartHint: number | undefined;

  /** @throws {@link RelayClientError} `InvalidUrl`. */
  constructor(options: RelayClientOptions) {
    const token = options.authToken;
    const inQuery = token !== undefined && (options.tokenInQuery ?? !SUPPORTS_HEADERS);
    const headers: Record<string, string> = {};
    if (token !== undefined && !inQuery) headers.Authorization = `Bearer ${token}`;
    this.#timers = options.timers ?? systemTimers;
    this.#conn = {
      url: relayDialUrl(options.url, inQuery ? token : undefined),
      protocols: options.protocols ?? SUPPORTED_PROTOCOL_VERSIONS,
      headers,
      tls: options.tls,
      secretKey: options.secretKey,
      webSocketFactory: options.webSocketFactory,
      timers: this.#timers,
      random: options.random ?? secureRandom,
      pingIntervalMs: options.pingIntervalMs ?? PING_INTERVAL_MS,
      pongTimeoutMs: options.pongTimeoutMs ?? PING_TIMEOUT_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      keyingMaterialAuth: options.keyingMaterialAuth ?? true,
    };
    this.#reconnect = options.reconnect ?? true;
    this.#maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.#backoff = new Backoff(options.backoff, options.jitter);
  }

  /** The WebSocket URL dialled. */
  get dialUrl(): string {
    return this.#conn.url;
  }

  /** Current state. */
  get state(): RelayClientState {
    return this.#state;
  }

  /** Negotiated protocol version while connected. */
  get protocolVersion(): ProtocolVersion | undefined {
    return this.#connection?.isOpen === true ? this.#connection.version : undefined;
  }

  /** Our endpoint id. */
  get endpointId(): PublicKey {
    return this.#conn.secretKey.public();
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof RelayClientEvents>(
    event: K,
    listener: (payload: RelayClientEvents[K]) => void,
  ): Unsubscribe {
    return this.#events.on(event, listener);
  }

  #setState(state: RelayClientState, error?: RelayClientError): void {
    if (this.#state === state && error === undefined) return;
    this.#state = state;
    this.#events.emit('state', { state, error });
  }

  /**
   * Connects and authenticates. Resolves once connected; after that, lost connections are re-established
   * automatically (unless `reconnect` is false).
   *
   * @throws {@link RelayClientError} from the first attempt: `ServerDeniedAuth` (with `reason`),
   *   `ConnectFailed`, `ConnectTimeout`, `ProtocolMismatch`, `HandshakeFailed`, or `Closed`.
   */
  connect(): Promise<void> {
    if (this.#state === 'closed')
      return Promise.reject(new RelayClientError('Closed', 'the client is closed'));
    if (this.#state === 'connected') return Promise.resolve();
    if (this.#connecting !== undefined) return this.#connecting;
    this.#setState('connecting');
    this.#connecting = this.#open().then(
      () => {
        this.#connecting = undefined;
      },
      (err: RelayClientError) => {
        this.#connecting = undefined;
        if (this.#state !== 'closed') this.#setState('disconnected', err);
        throw err;
      },
    );
    return this.#connecting;
  }

  async #open(): Promise<void> {
    let conn: RelayConnection | undefined;
    conn = await RelayConnection.open(this.#conn, {
      onMessage: (msg) => this.#onMessage(msg),
      onClosed: (error) => {
        if (conn !== undefined) this.#onConnectionClosed(conn, error);
      },
    });
    if (this.#state === 'closed') {
      conn.close();
      throw new RelayClientError('Closed', 'the client was closed while connecting');
    }
    if (!conn.isOpen)
      throw new RelayClientError('ConnectionLost', 'the relay closed the connection right away');
    this.#connection = conn;
    this.#backoff.reset();
    this.#setState('connected');
  }

  #onMessage(msg: RelayToClientMsg): void {
    switch (msg.type) {
      case 'datagrams':
        this.#events.emit('datagrams', { src: msg.src, datagrams: msg.datagrams });
        break;
      case 'endpointGone':
        this.#events.emit('endpointGone', msg.endpointId);
        break;
      case 'status':
        this.#events.emit('status', msg.status);
        break;
      case 'health':
        this.#events.emit('health', msg.problem);
        break;
      case 'restarting':
        this.#restartHint = msg.reconnectInMs;
        this.#events.emit('restarting', { reconnectInMs: msg.reconnectInMs, tryForMs: msg.tryForMs });
        break;
    }
  }

  #onConnectionClosed(conn: RelayConnection, error: RelayClientError): void {
    if (this.#connection !== conn) return;
    this.#connection = undefined;
    if (this.#state === 'closed') return;
    this.#setState('disconnected', error);
    if (this.#reconnect) this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    const hint = this.#restartHint;
    this.#restartHint = undefined;
    const delay = hint ?? this.#backoff.next();
    this.#setState('reconnecting');
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#state !== 'reconnecting') return;
      this.#open().catch((err: RelayClientError) => {
        if (this.#state === 'closed') return;
        this.#events.emit('error', err);
        this.#scheduleRetry();
      });
    }, delay);
  }

  /**
   * Sends datagrams to `dst` through the relay. Batches too large for one frame are split at segment
   * boundaries.
   *
   * @returns false if they were dropped because the client is not connected or its socket is backed up.
   * @throws {@link RelayProtocolError} `EmptyDatagram`, `InvalidArgument` or `FrameTooLarge`.
   */
  sendDatagrams(dst: PublicKey, datagrams: Datagrams): boolean {
    const frames: Uint8Array[] = [];
    const key = dst.bytesView;
    const { segmentSize } = datagrams;
    if (segmentSize !== undefined && datagrams.contents.length + BATCH_OVERHEAD > MAX_PACKET_SIZE) {
      const perFrame = Math.max(1, Math.floor((MAX_PACKET_SIZE - BATCH_OVERHEAD) / segmentSize));
      let rest: Datagrams | undefined = datagrams;
      while (rest !== undefined) {
        const [part, more]: [Datagrams, Datagrams | undefined] = takeSegments(rest, perFrame);
        frames.push(encodeDatagramsFrame(true, key, part));
        rest = more;
      }
    } else {
      frames.push(encodeDatagramsFrame(true, key, datagrams));
    }
    const conn = this.#connection;
    if (conn === undefined || !conn.isOpen || conn.bufferedAmount > this.#maxBuffered) return false;
    for (const frame of frames) conn.send(frame);
    return true;
  }

  /** Sends one datagram. See {@link RelayClient.sendDatagrams}. */
  sendDatagram(dst: PublicKey, datagram: Uint8Array, ecn: Ecn = Ecn.NotEct): boolean {
    return this.sendDatagrams(dst, { ecn, contents: datagram });
  }

  /** Sends equal-size datagrams (the last may be shorter) as a batch. See {@link RelayClient.sendDatagrams}. */
  sendBatch(dst: PublicKey, datagrams: readonly Uint8Array[], ecn: Ecn = Ecn.NotEct): boolean {
    return this.sendDatagrams(dst, batchDatagrams(datagrams, ecn));
  }

  /**
   * Pings the relay.
   *
   * @returns The round-trip time in milliseconds.
   * @throws {@link RelayClientError} `NotConnected`, `PingTimeout` or `ConnectionLost`.
   */
  ping(): Promise<number> {
    const conn = this.#connection;
    if (conn === undefined) return Promise.reject(new RelayClientError('NotConnected', 'not connected'));
    return conn.ping();
  }

  /**
   * Received datagrams as an async iterator; it ends when the client is closed.
   */
  datagrams(options: DatagramIteratorOptions = {}): AsyncIterableIterator<ReceivedDatagrams> {
    const limit = options.bufferSize ?? 1024;
    const queue: ReceivedDatagrams[] = [];
    let wake: ((r: IteratorResult<ReceivedDatagrams>) => void) | undefined;
    let done = this.#state === 'closed';
    const finish = () => {
      done = true;
      offData();
      offState();
      wake?.({ done: true, value: undefined });
      wake = undefined;
    };
    const offData = this.on('datagrams', (d) => {
      if (wake !== undefined) {
        const w = wake;
        wake = undefined;
        w({ done: false, value: d });
      } else if (queue.length < limit) {
        queue.push(d);
      }
    });
    const offState = this.on('state', ({ state }) => {
      if (state === 'closed') finish();
    });
    const iterator: AsyncIterableIterator<ReceivedDatagrams> = {
      next: () => {
        const head = queue.shift();
        if (head !== undefined) return Promise.resolve({ done: false, value: head });
        if (done) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => {
          wake = resolve;
        });
      },
      return: () => {
        finish();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Same as {@link RelayClient.datagrams} with default options. */
  [Symbol.asyncIterator](): AsyncIterableIterator<ReceivedDatagrams> {
    return this.datagrams();
  }

  /** Closes the client for good. */
  close(): void {
    if (this.#state === 'closed') return;
    if (this.#retryTimer !== undefined) this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#setState('closed');
    const conn = this.#connection;
    this.#connection = undefined;
    conn?.close(new RelayClientError('Closed', 'client closed'));
  }
}
