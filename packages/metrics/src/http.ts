/**
 * A tiny `/metrics` endpoint for Node.js apps, the counterpart of
 * iroh-metrics' `MetricsServer`.
 *
 * @packageDocumentation
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsSource } from './registry.js';

/**
 * Content type of the `/metrics` response. iroh-metrics' server answers with
 * `text/plain; charset=utf-8`; we send the same media type and name the
 * Prometheus text format version explicitly. The body is iroh's text (HELP
 * escapes only `\` and line feed, which strict OpenMetrics parsers reject when
 * a help text has a `"`), and Prometheus' classic parser reads it whole: it
 * treats `# EOF` as a comment and takes `_total` samples as they are.
 */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Where {@link serveMetrics} listens. */
export interface ServeMetricsOptions {
  /** Interface to bind. Default `127.0.0.1`, so metrics are not exposed by accident. */
  host?: string;
  /** TCP port; `0` picks a free one. Default `9090`. */
  port?: number;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** Full URL of the endpoint, e.g. `http://127.0.0.1:9090/metrics`. */
  readonly url: string;
  /** The bound port (useful with port `0`). */
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

function reply(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': status === 200 ? METRICS_CONTENT_TYPE : 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

function handle(source: MetricsSource, req: IncomingMessage, res: ServerResponse): void {
  let path: string;
  try {
    path = new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    path = '';
  }
  if (path !== '/metrics') {
    reply(res, 404, 'not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  let body: string;
  try {
    body = source.encodeOpenMetrics();
  } catch {
    reply(res, 500, 'failed to encode metrics\n');
    return;
  }
  // For HEAD, node:http sends the headers (with the GET length) and drops the body.
  reply(res, 200, body);
}

/**
 * Serves `source` (usually a {@link Registry}) over HTTP: `GET /metrics`
 * (and `HEAD`) returns the current encoding, other methods on `/metrics` get
 * `405`, every other path `404`.
 *
 * @returns Once listening, the endpoint URL and a `close` function.
 */
export function serveMetrics(
  source: MetricsSource,
  options: ServeMetricsOptions = {},
): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => handle(source, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9090, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${urlHost}:${port}/metrics`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
