/**
 * The HTTP side of the server (iroh-dns-server `http.rs`): the pkarr relay API, DoH, health checks and
 * CORS, on `node:http`.
 *
 * | route | methods | response |
 * |---|---|---|
 * | `/` | GET | `Hi!` |
 * | `/healthcheck` | GET | `OK` |
 * | `/healthz` | GET | `{"status":"ok","version":…,"git_hash":…}` |
 * | `/pkarr/<z32>` | GET, PUT | signed packet / 204; PUT is rate limited (429) |
 * | `/dns-query` | GET, POST | DoH and the JSON API |
 * | any | OPTIONS | CORS preflight |
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DnsHandler } from '../dns/handler.js';
import type { BoundAddr } from '../dns/udp-server.js';
import type { DnsServerMetrics } from '../metrics.js';
import type { ZoneStore } from '../zone/zone-store.js';
import { peerIp, smartIp } from './client-ip.js';
import { dohGet, dohPost } from './doh.js';
import { getPacket, putPacket } from './pkarr-routes.js';
import { RateLimiter, type RateLimiterOptions, type RateLimitMode } from './rate-limit.js';
import { send, sendError } from './respond.js';

/** Version reported by `/healthz`. */
export const SERVER_VERSION = '0.0.0';

/** Options of {@link PkarrHttpServer}. */
export interface HttpServerOptions {
  /** TCP port; 0 picks a free one. @defaultValue 8080 */
  readonly port?: number;
  /** Interface to bind. @defaultValue `'::'` (all interfaces, as iroh) */
  readonly host?: string;
  /** How PUT clients are told apart for rate limiting. @defaultValue `'simple'` */
  readonly rateLimit?: RateLimitMode;
  /** Rate limiter parameters. @defaultValue burst 2, one more every 4 s */
  readonly rateLimiter?: RateLimiterOptions;
  /** Clock for rate limiting, in ms. @defaultValue `Date.now` */
  readonly now?: () => number;
  /** Version string for `/healthz`. */
  readonly version?: string;
}

/** What the routes need. */
interface Deps {
  readonly zones: ZoneStore;
  readonly dns: DnsHandler;
  readonly metrics: DnsServerMetrics | undefined;
  readonly limiter: RateLimiter | undefined;
  readonly mode: RateLimitMode;
  readonly now: () => number;
  readonly version: string;
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string> = {
    'access-control-allow-methods': 'GET,POST,PUT',
    'access-control-max-age': '86400',
  };
  const requested = req.headers['access-control-request-headers'];
  if (typeof requested === 'string') headers['access-control-allow-headers'] = requested;
  send(res, 204, '', headers);
}

async function route(deps: Deps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    sendError(res, 400, 'invalid request target');
    return;
  }
  const path = url.pathname;
  if (method === 'OPTIONS') {
    req.resume();
    preflight(req, res);
    return;
  }
  const get = method === 'GET' || method === 'HEAD';
  if (path.startsWith('/pkarr/') && path.indexOf('/', 7) < 0) {
    const key = decodeURIComponent(path.slice(7));
    if (method === 'PUT') {
      if (deps.limiter) {
        const client = deps.mode === 'smart' ? smartIp(info(req)) : peerIp(info(req));
        const decision = deps.limiter.check(client, deps.now());
        if (!decision.allowed) {
          req.resume();
          deps.metrics?.httpRateLimited.inc();
          const wait = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
          send(res, 429, `Too Many Requests! Wait for ${wait}s`, { 'retry-after': String(wait) });
          return;
        }
      }
      await putPacket(req, res, key, deps.zones, deps.metrics);
      return;
    }
    if (get) return getPacket(res, key, deps.zones, deps.metrics);
    return notAllowed(req, res, 'GET,PUT');
  }
  if (path === '/dns-query') {
    if (get) return dohGet(req, res, url.searchParams, deps.dns);
    if (method === 'POST') return dohPost(req, res, deps.dns);
    return notAllowed(req, res, 'GET,POST');
  }
  const fixed: Record<string, () => void> = {
    '/': () => send(res, 200, 'Hi!'),
    '/healthcheck': () => send(res, 200, 'OK'),
    '/healthz': () =>
      send(res, 200, JSON.stringify({ status: 'ok', version: deps.version, git_hash: 'unknown' }), {
        'content-type': 'application/json',
      }),
  };
  const handler = fixed[path];
  if (handler) {
    if (!get) return notAllowed(req, res, 'GET');
    req.resume();
    handler();
    return;
  }
  req.resume();
  sendError(res, 404);
}

function notAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  req.resume();
  send(res, 405, '', { allow });
}

function info(req: IncomingMessage) {
  return { peer: req.socket.remoteAddress, headers: req.headers };
}

/** The HTTP server of the pkarr relay. */
export class PkarrHttpServer {
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts listening. @throws when the port cannot be bound. */
  static listen(
    zones: ZoneStore,
    dns: DnsHandler,
    options: HttpServerOptions = {},
    metrics?: DnsServerMetrics,
  ): Promise<PkarrHttpServer> {
    const mode = options.rateLimit ?? 'simple';
    const deps: Deps = {
      zones,
      dns,
      metrics,
      mode,
      limiter: mode === 'disabled' ? undefined : new RateLimiter(options.rateLimiter),
      now: options.now ?? Date.now,
      version: options.version ?? SERVER_VERSION,
    };
    const server = createServer((req, res) => {
      res.on('finish', () => {
        metrics?.httpRequests.inc();
        if (res.statusCode >= 200 && res.statusCode < 300) metrics?.httpRequestsSuccess.inc();
        else metrics?.httpRequestsError.inc();
      });
      route(deps, req, res).catch((e: unknown) => {
        if (!res.headersSent) sendError(res, 500, (e as Error).message);
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 60_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '::', () => {
        server.off('error', reject);
        resolve(new PkarrHttpServer(server));
      });
    });
  }

  /** The bound address. */
  get address(): BoundAddr {
    const a = this.#server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** `http://host:port/` of the bound address. */
  get url(): string {
    const { host, port } = this.address;
    const h = host === '::' || host === '0.0.0.0' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    return `http://${h}:${port}/`;
  }

  /** Stops listening and closes open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
