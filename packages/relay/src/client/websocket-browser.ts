/**
 * WebSocket adapter for browsers (and any runtime with a standard global `WebSocket`). No Node
 * imports: request headers cannot be set, so the relay client sends its token as `?token=`.
 *
 * @module
 */
import type { RelayWebSocket, WebSocketConnectOptions } from './websocket.js';

/** Browsers cannot set request headers on a WebSocket upgrade. */
export const SUPPORTS_HEADERS = false;

interface BrowserWebSocket {
  binaryType: string;
  readonly protocol: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

type BrowserWebSocketConstructor = new (url: string, protocols: string[]) => BrowserWebSocket;

/** Opens a WebSocket with the global `WebSocket`. @throws {Error} if there is none. */
export function openWebSocket(options: WebSocketConnectOptions): RelayWebSocket {
  const Ctor = (globalThis as { WebSocket?: BrowserWebSocketConstructor }).WebSocket;
  if (Ctor === undefined) throw new Error('no global WebSocket in this runtime');
  const { handlers } = options;
  const ws = new Ctor(options.url, [...options.protocols]);
  ws.binaryType = 'arraybuffer';
  let closed = false;
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (ev) => {
    const data = ev.data;
    if (data instanceof ArrayBuffer) {
      if (data.byteLength > options.maxPayload) {
        ws.close(1009, 'message too big');
        return;
      }
      handlers.onMessage(new Uint8Array(data));
    }
  };
  ws.onerror = () => handlers.onError('websocket error');
  ws.onclose = (ev) => {
    if (closed) return;
    closed = true;
    handlers.onClose(ev.code, ev.reason);
  };
  return {
    get protocol() {
      return ws.protocol;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(data) {
      ws.send(data);
    },
    close(code, reason) {
      // Browsers only allow 1000 and 3000–4999 from scripts.
      try {
        ws.close(code, reason);
      } catch {
        ws.close();
      }
    },
  };
}
