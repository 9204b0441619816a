/**
 * WebSocket adapter for Node.js, on the `ws` package (Node 20 has no global `WebSocket`).
 *
 * For `wss://` URLs with a `clientAuthHeader` callback, TLS is connected first so the upgrade request
 * can carry a signature over this session's exported keying material (iroh's fast path).
 *
 * @module
 */
import { isIP } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { CLIENT_AUTH_HEADER } from '../protos/constants.js';
import type { RelayWebSocket, WebSocketConnectOptions } from './websocket.js';

/** Node can send request headers on the upgrade (`Authorization: Bearer …`). */
export const SUPPORTS_HEADERS = true;

type CaOption = NonNullable<NonNullable<WebSocketConnectOptions['tls']>['ca']>;

function toBuffers(ca: CaOption): (string | Buffer)[] {
  const list = Array.isArray(ca) ? ca : [ca];
  return list.map((c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c)));
}

function tlsOptions(options: WebSocketConnectOptions): {
  ca?: (string | Buffer)[];
  rejectUnauthorized?: boolean;
} {
  const tls = options.tls;
  return {
    ...(tls?.ca !== undefined ? { ca: toBuffers(tls.ca) } : {}),
    ...(tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
  };
}

function attach(ws: WebSocket, options: WebSocketConnectOptions): void {
  const { handlers } = options;
  ws.binaryType = 'nodebuffer';
  ws.on('open', () => handlers.onOpen());
  ws.on('message', (data, isBinary) => {
    if (isBinary) handlers.onMessage(data as Buffer);
  });
  ws.on('error', (err) => handlers.onError(err.message));
  ws.on('close', (code, reason) => handlers.onClose(code, reason.toString()));
}

function create(
  options: WebSocketConnectOptions,
  extra: Record<string, string>,
  socket?: TLSSocket,
): WebSocket {
  const ws = new WebSocket(options.url, [...options.protocols], {
    headers: { ...options.headers, ...extra },
    perMessageDeflate: false,
    maxPayload: options.maxPayload,
    skipUTF8Validation: true,
    ...tlsOptions(options),
    ...(socket !== undefined ? { createConnection: () => socket } : {}),
  });
  attach(ws, options);
  return ws;
}

function closeWs(ws: WebSocket, code?: number, reason?: string): void {
  if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
  else ws.close(code, reason);
}

/** Opens a WebSocket with `ws`. */
export function openWebSocket(options: WebSocketConnectOptions): RelayWebSocket {
  const url = new URL(options.url);
  const makeHeader = options.clientAuthHeader;
  if (url.protocol !== 'wss:' || makeHeader === undefined) {
    const ws = create(options, {});
    return {
      get protocol() {
        return ws.protocol;
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      send: (data) => ws.send(data, { binary: true }),
      close: (code, reason) => closeWs(ws, code, reason),
    };
  }

  // Fast path: TLS first, then the upgrade with the keying-material header.
  let ws: WebSocket | undefined;
  let done = false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = tlsConnect({
    host,
    port: url.port === '' ? 443 : Number(url.port),
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...tlsOptions(options),
  });
  const fail = (message: string) => {
    if (done || ws !== undefined) return;
    done = true;
    socket.destroy();
    options.handlers.onError(message);
    options.handlers.onClose(1006, '');
  };
  socket.once('error', (err) => fail(err.message));
  socket.once('secureConnect', () => {
    if (done) return;
    let header: string | undefined;
    try {
      header = makeHeader((length, label, context) => {
        try {
          return new Uint8Array(socket.exportKeyingMaterial(length, label, Buffer.from(context)));
        } catch {
          return undefined;
        }
      });
    } catch {
      header = undefined;
    }
    ws = create(options, header !== undefined ? { [CLIENT_AUTH_HEADER]: header } : {}, socket);
  });
  return {
    get protocol() {
      return ws?.protocol ?? '';
    },
    get bufferedAmount() {
      return ws?.bufferedAmount ?? 0;
    },
    send: (data) => ws?.send(data, { binary: true }),
    close: (code, reason) => {
      if (ws !== undefined) closeWs(ws, code, reason);
      else fail('closed before the TLS handshake completed');
    },
  };
}
