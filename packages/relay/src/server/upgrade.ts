/**
 * Validation of the `/relay` WebSocket upgrade request, with iroh-relay's checks and error texts:
 * `Upgrade: websocket`, a `Sec-WebSocket-Key`, `Sec-WebSocket-Version: 13` and a
 * `Sec-WebSocket-Protocol` naming a relay version we speak (the highest one is chosen).
 *
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex, Writable } from 'node:stream';
import type { KeyingMaterialExporter } from '../protos/client-auth-header.js';
import {
  negotiateProtocolVersion,
  type ProtocolVersion,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '../protos/version.js';
import type { ClientRequest } from './access.js';
import { SECURITY_HEADERS } from './http-routes.js';

/** The outcome of {@link checkRelayUpgrade}. */
export type UpgradeCheck =
  | { readonly ok: true; readonly version: ProtocolVersion }
  | {
      readonly ok: false;
      readonly status: number;
      readonly body: string;
      readonly headers: Record<string, string>;
    };

function bad(body: string, headers: Record<string, string> = {}): UpgradeCheck {
  return { ok: false, status: 400, body, headers };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Checks the headers of a `GET /relay` upgrade request. */
export function checkRelayUpgrade(headers: IncomingHttpHeaders): UpgradeCheck {
  const upgrade = single(headers.upgrade);
  if (upgrade === undefined) return bad('missing header: upgrade');
  if (upgrade !== 'websocket') return bad('invalid header value for upgrade: value must be websocket');
  if (single(headers['sec-websocket-key']) === undefined) return bad('missing header: sec-websocket-key');
  const version = single(headers['sec-websocket-version']);
  if (version === undefined) return bad('missing header: sec-websocket-version');
  if (version !== '13') {
    return bad(
      'invalid header value for sec-websocket-version: unsupported websocket version, only supporting 13',
      { 'Sec-WebSocket-Version': '13' },
    );
  }
  const protocols = single(headers['sec-websocket-protocol']);
  if (protocols === undefined) return bad('missing header: sec-websocket-protocol');
  const chosen = negotiateProtocolVersion(protocols);
  if (chosen === undefined) {
    return bad(
      `invalid header value for sec-websocket-protocol: unsupported relay version: we support ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')} but you only provide ${protocols}`,
    );
  }
  return { ok: true, version: chosen };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** Writes a complete HTTP/1.1 error response on a raw upgrade socket and closes it. */
export function rejectUpgrade(
  socket: Duplex,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const all: Record<string, string> = {
    ...SECURITY_HEADERS,
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n`;
  for (const [k, v] of Object.entries(all)) head += `${k}: ${v}\r\n`;
  socket.end(`${head}\r\n${body}`);
}

/** Request details the connection keeps for access control. */
export interface UpgradeInfo {
  /** Request URL (path and query). */
  readonly url: URL;
  /** Request headers. */
  readonly headers: ClientRequest['headers'];
  /** Every `Authorization` header value. */
  readonly authorization: readonly string[];
  /** The `x-iroh-relay-client-auth-v1` header, if any. */
  readonly clientAuthHeader: string | undefined;
  /** The connection's socket, corked to batch writes; `undefined` disables batching. */
  readonly socket: Writable | undefined;
  /** TLS exporter of the underlying connection; `undefined` over plain HTTP. */
  readonly exporter: KeyingMaterialExporter | undefined;
  /** Computes the client token (see {@link ClientRequest.authToken}). */
  readonly authToken: () => string | undefined;
}
