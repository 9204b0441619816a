/**
 * The small WebSocket surface the relay client needs, implemented by `websocket-node.ts` (the `ws`
 * package) and `websocket-browser.ts` (the global `WebSocket`). The package `imports` map picks one
 * as `#websocket`, so browsers never load Node code.
 *
 * @module
 */
import type { KeyingMaterialExporter } from '../protos/client-auth-header.js';

/** Callbacks of an opened WebSocket. */
export interface WebSocketHandlers {
  /** The upgrade succeeded. */
  onOpen(): void;
  /** A binary message arrived (text messages are dropped by the adapter). */
  onMessage(data: Uint8Array): void;
  /** The socket closed; always called exactly once, also after a failed open. */
  onClose(code: number, reason: string): void;
  /** An error occurred; `onClose` follows. */
  onError(message: string): void;
}

/** TLS settings for Node; browsers use their own trust store and ignore this. */
export interface WebSocketTlsOptions {
  /** Extra trusted CA certificates (PEM). */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined;
  /** Accept any server certificate. Only for tests. Default false. */
  readonly rejectUnauthorized?: boolean | undefined;
}

/** Options of {@link WebSocketFactory}. */
export interface WebSocketConnectOptions {
  /** `ws://` or `wss://` URL. */
  readonly url: string;
  /** Subprotocols to offer, in order of preference. */
  readonly protocols: readonly string[];
  /** Extra request headers (Node only; browsers cannot set them). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** TLS settings (Node only). */
  readonly tls?: WebSocketTlsOptions | undefined;
  /** Largest message accepted. */
  readonly maxPayload: number;
  /**
   * Over TLS, where the adapter can reach the TLS session (Node), it connects TLS first and calls
   * this with the session's keying-material exporter; a returned value is sent as the
   * `x-iroh-relay-client-auth-v1` header, which lets the relay skip the challenge round trip.
   */
  readonly clientAuthHeader?: ((exporter: KeyingMaterialExporter) => string | undefined) | undefined;
  /** Event callbacks. */
  readonly handlers: WebSocketHandlers;
}

/** An open (or opening) WebSocket. */
export interface RelayWebSocket {
  /** The subprotocol the server chose (empty until open, or if it chose none). */
  readonly protocol: string;
  /** Bytes queued but not yet sent. */
  readonly bufferedAmount: number;
  /** Sends one binary message. */
  send(data: Uint8Array): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
}

/** Opens a WebSocket. */
export type WebSocketFactory = (options: WebSocketConnectOptions) => RelayWebSocket;
