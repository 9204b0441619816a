/**
 * The relay client (browser-safe).
 *
 * @module
 */
export { Backoff, type BackoffOptions } from './backoff.js';
export type { Unsubscribe } from './emitter.js';
export { RelayClientError, type RelayClientErrorCode } from './errors.js';
export {
  type DatagramIteratorOptions,
  type ReceivedDatagrams,
  RelayClient,
  type RelayClientEvents,
  type RelayClientOptions,
  type RelayClientState,
} from './relay-client.js';
export { systemTimers, type TimerHandle, type Timers } from './timers.js';
export { relayDialUrl } from './url.js';
export type {
  RelayWebSocket,
  WebSocketConnectOptions,
  WebSocketFactory,
  WebSocketHandlers,
  WebSocketTlsOptions,
} from './websocket.js';
