/**
 * The relay's plain HTTP endpoints (everything but the `/relay` WebSocket upgrade), as iroh-relay
 * serves them: `/`, `/index.html`, `/ping`, `/robots.txt`, `/healthz`, `/generate_204` and a 404
 * for anything else. Only `GET` is routed.
 *
 * @module
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { RELAY_PATH, RELAY_PROBE_PATH } from '../protos/constants.js';

/** Headers iroh-relay adds to every response of the relay listener. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'Content-Security-Policy':
    "default-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'self'; block-all-mixed-content; plugin-types 'none'",
};

/** Request header of the captive-portal challenge. */
export const NO_CONTENT_CHALLENGE_HEADER = 'X-Iroh-Challenge';
/** Response header of the captive-portal challenge. */
export const NO_CONTENT_RESPONSE_HEADER = 'X-Iroh-Response';

/** Version reported by `/healthz`. */
export const RELAY_VERSION = '1.0.3';

const INDEX_HTML = `<html><body>
<h1>Iroh Relay</h1>
<p>
  This is an <a href="https://iroh.computer/">Iroh</a> Relay server.
</p>
`;
const ROBOTS_TXT = 'User-agent: *\nDisallow: /\n';
const CHALLENGE_RE = /^[A-Za-z0-9._-]{1,63}$/;

function respond(
  res: ServerResponse,
  status: number,
  body: string,
  headers: OutgoingHttpHeaders,
  security: boolean,
): void {
  res.writeHead(status, {
    ...(security ? SECURITY_HEADERS : {}),
    ...headers,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Answers `/generate_204`: 204, echoing a well-formed `X-Iroh-Challenge` as `X-Iroh-Response`. */
export function noContentHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const challenge = req.headers[NO_CONTENT_CHALLENGE_HEADER.toLowerCase()];
  if (typeof challenge === 'string' && CHALLENGE_RE.test(challenge)) {
    return { [NO_CONTENT_RESPONSE_HEADER]: `response ${challenge}` };
  }
  return {};
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Serves a request on the relay listener.
 *
 * @param serveNoContent - Whether `/generate_204` is served here (plain-HTTP relays; with TLS it moves
 *   to the captive-portal listener).
 */
export function handleRelayHttp(req: IncomingMessage, res: ServerResponse, serveNoContent: boolean): void {
  const path = pathOf(req);
  if (req.method !== 'GET') {
    respond(res, 404, 'Not Found', {}, true);
    return;
  }
  switch (path) {
    case '/':
    case '/index.html':
      respond(res, 200, INDEX_HTML, { 'Content-Type': 'text/html; charset=utf-8' }, true);
      return;
    case RELAY_PROBE_PATH:
      respond(res, 200, '', { 'Access-Control-Allow-Origin': '*' }, true);
      return;
    case '/robots.txt':
      respond(res, 200, ROBOTS_TXT, {}, true);
      return;
    case '/healthz':
      respond(
        res,
        200,
        JSON.stringify({ status: 'ok', version: RELAY_VERSION, git_hash: 'unknown' }),
        { 'Content-Type': 'application/json' },
        true,
      );
      return;
    case '/generate_204':
      if (serveNoContent) {
        respond(res, 204, '', noContentHeaders(req), true);
        return;
      }
      break;
    case RELAY_PATH:
      // A GET /relay that is not an upgrade request (Node routes real upgrades elsewhere).
      respond(res, 400, 'missing header: upgrade', {}, true);
      return;
  }
  respond(res, 404, 'Not Found', {}, true);
}

/** Serves the captive-portal listener of a TLS relay: only `/generate_204`, without security headers. */
export function handleCaptivePortal(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET' && pathOf(req) === '/generate_204') {
    respond(res, 204, '', noContentHeaders(req), false);
    return;
  }
  respond(res, 404, 'Not Found', {}, false);
}
