/**
 * One WebSocket connection to a relay: opening, subprotocol check, handshake, frame decoding,
 * answering the relay's pings, and our own keep-alive (a ping right after connecting, then one
 * whenever nothing was received for the ping interval; no pong in time closes the connection).
 *
 * @module
 */

import type { RandomSource, SecretKey } from '@iroh-ts/base';
import { openWebSocket } from '#websocket';
import { createKeyMaterialClientAuth, encodeClientAuthHeader } from '../protos/client-auth-header.js';
import { MAX_FRAME_SIZE } from '../protos/constants.js';
import { KeyCache } from '../protos/key-cache.js';
import { PingTracker } from '../protos/ping-tracker.js';
import { decodeRelayToClient, encodeClientToRelay, type RelayToClientMsg } from '../protos/relay.js';
import { type ProtocolVersion, parseProtocolVersion } from '../protos/version.js';
import { RelayClientError } from './errors.js';
import { ClientHandshake } from './handshake.js';
import type { TimerHandle, Timers } from './timers.js';
import type { RelayWebSocket, WebSocketFactory, WebSocketTlsOptions } from './websocket.js';

/** Settings of one connection. */
export interface ConnectionOptions {
  readonly url: string;
  readonly protocols: readonly ProtocolVersion[];
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: WebSocketTlsOptions | undefined;
  readonly secretKey: SecretKey;
  readonly webSocketFactory: WebSocketFactory | undefined;
  readonly timers: Timers;
  readonly random: RandomSource;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Offer TLS keying-material authentication where the WebSocket adapter supports it. */
  readonly keyingMaterialAuth: boolean;
}

/** Callbacks of an established connection. */
export interface ConnectionListener {
  /** A frame other than ping/pong arrived. */
  onMessage(msg: RelayToClientMsg): void;
  /** The established connection ended; called once. */
  onClosed(error: RelayClientError): void;
}

interface Settle {
  readonly resolve: () => void;
  readonly reject: (err: RelayClientError) => void;
}

interface PendingPing {
  readonly resolve: (rtt: number) => void;
  readonly reject: (err: RelayClientError) => void;
  readonly sentAt: number;
  readonly timer: TimerHandle;
}

const utf8 = new TextEncoder();

/** Shortens `text` to the 123 UTF-8 bytes a WebSocket close reason may hold. */
function closeReason(text: string): string {
  let out = text.slice(0, 123);
  while (utf8.encode(out).length > 123) out = out.slice(0, -1);
  return out;
}

function pingKey(data: Uint8Array): string {
  return String.fromCharCode(...data);
}

/** An established (or establishing) relay connection. */
export class RelayConnection {
  readonly #o: ConnectionOptions;
  readonly #listener: ConnectionListener;
  readonly #ws: RelayWebSocket;
  readonly #keys = new KeyCache();
  readonly #keepAlive: PingTracker;
  readonly #pings = new Map<string, PendingPing>();
  #handshake: ClientHandshake | undefined;
  #version: ProtocolVersion | undefined;
  #phase: 'opening' | 'handshake' | 'open' | 'closed' = 'opening';
  #lastRecvAt = 0;
  #timer: TimerHandle | undefined;
  #connectTimer: TimerHandle | undefined;
  #lastError = '';
  #settle: Settle | undefined;
  #closeError: RelayClientError | undefined;

  private constructor(options: ConnectionOptions, listener: ConnectionListener, settle: Settle) {
    this.#o = options;
    this.#listener = listener;
    this.#settle = settle;
    this.#keepAlive = new PingTracker(options.pongTimeoutMs);
    const factory = options.webSocketFactory ?? openWebSocket;
    this.#connectTimer = options.timers.setTimeout(() => {
      this.#fail(
        new RelayClientError('ConnectTimeout', `no relay connection within ${options.connectTimeoutMs} ms`),
      );
    }, options.connectTimeoutMs);
    this.#ws = factory({
      url: options.url,
      protocols: options.protocols,
      headers: options.headers,
      tls: options.tls,
      maxPayload: MAX_FRAME_SIZE,
      clientAuthHeader: options.keyingMaterialAuth
        ? (exporter) => {
            const auth = createKeyMaterialClientAuth(options.secretKey, exporter);
            return auth === undefined ? undefined : encodeClientAuthHeader(auth);
          }
        : undefined,
      handlers: {
        onOpen: () => this.#onOpen(),
        onMessage: (data) => this.#onMessage(data),
        onError: (message) => {
          this.#lastError = message;
        },
        onClose: (code, reason) => this.#onClose(code, reason),
      },
    });
  }

  /**
   * Connects and authenticates.
   *
   * @throws {@link RelayClientError} `ConnectFailed`, `ConnectTimeout`, `ProtocolMismatch`,
   *   `ServerDeniedAuth` (with `reason`) or `HandshakeFailed`.
   */
  static open(options: ConnectionOptions, listener: ConnectionListener): Promise<RelayConnection> {
    return new Promise((resolve, reject) => {
      let conn: RelayConnection | undefined;
      const settle = { resolve: () => resolve(conn!), reject };
      try {
        conn = new RelayConnection(options, listener, settle);
      } catch (cause) {
        reject(
          new RelayClientError('ConnectFailed', `cannot open WebSocket: ${(cause as Error).message}`, {
            cause,
          }),
        );
      }
    });
  }

  /** The negotiated protocol version. */
  get version(): ProtocolVersion {
    return this.#version!;
  }

  /** Bytes queued in the WebSocket. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /** True until the connection closes. */
  get isOpen(): boolean {
    return this.#phase === 'open';
  }

  /** Sends one encoded frame. */
  send(frame: Uint8Array): void {
    if (this.#phase === 'open') this.#ws.send(frame);
  }

  /**
   * Sends a ping and resolves with the round-trip time in milliseconds.
   *
   * @throws {@link RelayClientError} `PingTimeout` or `ConnectionLost`.
   */
  ping(): Promise<number> {
    if (this.#phase !== 'open') return Promise.reject(new RelayClientError('NotConnected', 'not connected'));
    const data = this.#o.random(8);
    const key = pingKey(data);
    return new Promise((resolve, reject) => {
      const timer = this.#o.timers.setTimeout(() => {
        this.#pings.delete(key);
        reject(new RelayClientError('PingTimeout', `no pong within ${this.#o.pongTimeoutMs} ms`));
      }, this.#o.pongTimeoutMs);
      this.#pings.set(key, { resolve, reject, sentAt: this.#o.timers.now(), timer });
      this.#ws.send(encodeClientToRelay({ type: 'ping', data }));
    });
  }

  /** Closes the connection; the listener's `onClosed` gets `error` (default `Closed`). */
  close(error: RelayClientError = new RelayClientError('Closed', 'connection closed'), code = 1000): void {
    if (this.#phase === 'closed') return;
    this.#closeError ??= error;
    this.#ws.close(code, closeReason(error.message));
    this.#finish(error);
  }

  #onOpen(): void {
    const version = parseProtocolVersion(this.#ws.protocol);
    if (version === undefined || !this.#o.protocols.includes(version)) {
      this.#fail(
        new RelayClientError(
          'ProtocolMismatch',
          `relay chose subprotocol ${JSON.stringify(this.#ws.protocol)}`,
        ),
      );
      return;
    }
    this.#version = version;
    this.#phase = 'handshake';
    this.#handshake = new ClientHandshake(this.#o.secretKey);
  }

  #onMessage(data: Uint8Array): void {
    this.#lastRecvAt = this.#o.timers.now();
    if (this.#phase === 'handshake') this.#onHandshakeFrame(data);
    else if (this.#phase === 'open') this.#onFrame(data);
  }

  #onHandshakeFrame(data: Uint8Array): void {
    let step: ReturnType<ClientHandshake['handleFrame']>;
    try {
      step = this.#handshake!.handleFrame(data);
    } catch (err) {
      const e = err as { code?: string; reason?: string; message: string };
      const error =
        e.code === 'ServerDeniedAuth'
          ? new RelayClientError('ServerDeniedAuth', e.message, { cause: err, reason: e.reason ?? '' })
          : new RelayClientError('HandshakeFailed', e.message, { cause: err });
      this.#fail(error);
      return;
    }
    if (step.kind === 'send') {
      this.#ws.send(step.frame);
      return;
    }
    this.#handshake = undefined;
    this.#phase = 'open';
    this.#o.timers.clearTimeout(this.#connectTimer);
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.resolve();
    this.#sendKeepAlive(this.#o.timers.now());
  }

  #onFrame(data: Uint8Array): void {
    let msg: RelayToClientMsg;
    try {
      msg = decodeRelayToClient(data, this.#version!, this.#keys);
    } catch (err) {
      this.close(new RelayClientError('ProtocolError', (err as Error).message, { cause: err }), 1002);
      return;
    }
    if (msg.type === 'ping') {
      this.#ws.send(encodeClientToRelay({ type: 'pong', data: msg.data }));
    } else if (msg.type === 'pong') {
      const now = this.#o.timers.now();
      this.#keepAlive.pongReceived(msg.data, now);
      const key = pingKey(msg.data);
      const pending = this.#pings.get(key);
      if (pending !== undefined) {
        this.#pings.delete(key);
        this.#o.timers.clearTimeout(pending.timer);
        pending.resolve(Math.max(0, now - pending.sentAt));
      }
    } else {
      this.#listener.onMessage(msg);
    }
  }

  #sendKeepAlive(now: number): void {
    const data = this.#o.random(8);
    this.#keepAlive.pingSent(data, now);
    this.#ws.send(encodeClientToRelay({ type: 'ping', data }));
    this.#schedule(now);
  }

  #schedule(now: number): void {
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    const due = this.#keepAlive.deadline ?? this.#lastRecvAt + this.#o.pingIntervalMs;
    this.#timer = this.#o.timers.setTimeout(() => this.#onTimer(), Math.max(1, due - now));
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#phase !== 'open') return;
    const now = this.#o.timers.now();
    if (this.#keepAlive.checkTimeout(now)) {
      this.close(new RelayClientError('PingTimeout', 'the relay did not answer our ping'), 1001);
      return;
    }
    if (!this.#keepAlive.outstanding && now - this.#lastRecvAt >= this.#o.pingIntervalMs)
      this.#sendKeepAlive(now);
    else this.#schedule(now);
  }

  #fail(error: RelayClientError): void {
    if (this.#phase === 'closed') return;
    this.#closeError ??= error;
    this.#ws.close(1000, 'closing');
    this.#finish(error);
  }

  #onClose(code: number, reason: string): void {
    const detail = reason !== '' ? reason : this.#lastError !== '' ? this.#lastError : `code ${code}`;
    const error =
      this.#phase === 'open'
        ? new RelayClientError('ConnectionLost', `relay connection closed: ${detail}`, { reason })
        : new RelayClientError('ConnectFailed', `cannot connect to the relay: ${detail}`, { reason });
    this.#finish(error);
  }

  #finish(error: RelayClientError): void {
    if (this.#phase === 'closed') return;
    const wasOpen = this.#phase === 'open';
    this.#phase = 'closed';
    const timers = this.#o.timers;
    timers.clearTimeout(this.#connectTimer);
    if (this.#timer !== undefined) timers.clearTimeout(this.#timer);
    for (const pending of this.#pings.values()) {
      timers.clearTimeout(pending.timer);
      pending.reject(new RelayClientError('ConnectionLost', 'connection closed before the pong arrived'));
    }
    this.#pings.clear();
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.reject(error);
    if (wasOpen) this.#listener.onClosed(this.#closeError ?? error);
  }
}
