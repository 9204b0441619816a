/**
 * A listener in front of the server library's HTTP handler, for what that handler cannot do itself:
 * TLS (HTTPS) and ACME HTTP-01 challenges. It answers challenges, applies the PUT rate limit per
 * client (the handler behind it runs with rate limiting disabled, since every request reaches it from
 * loopback), and forwards everything else unchanged to the handler's loopback listener, adding
 * `X-Forwarded-For`.
 */
import {
  Agent,
  createServer as createHttpServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DnsServerMetrics, RateLimitMode } from '@iroh-ts/dns-server/server';
import { peerIp, RateLimiter, smartIp } from '@iroh-ts/dns-server/server';
import type { PemKeyPair } from '@iroh-ts/server-common';
import type { BindAddr } from './config.js';

/** Options of {@link FrontServer.listen}. */
export interface FrontOptions {
  /** Where to listen. */
  readonly bind: BindAddr;
  /** The loopback listener of the pkarr/DoH handler. */
  readonly upstream: BindAddr;
  /** Serve HTTPS with this certificate; plain HTTP when absent. */
  readonly tls?: PemKeyPair | undefined;
  /** How PUT clients are told apart for rate limiting. */
  readonly rateLimit: RateLimitMode;
  /** Answers ACME challenges first (returns true when it answered). */
  readonly handleChallenge?: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** Counts rate-limited requests. */
  readonly metrics?: DnsServerMetrics | undefined;
  /** Clock for rate limiting, ms. @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** Headers that describe one hop and are not forwarded. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer'];

function forwardedHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined && !HOP_BY_HOP.includes(k)) headers[k] = v;
  const peer = req.socket.remoteAddress ?? 'unknown';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${peer}` : peer;
  return headers;
}

/** The HTTPS (or ACME-answering HTTP) listener of the app. */
export class FrontServer {
  readonly #server: Server | HttpsServer;
  readonly #agent: Agent;
  readonly #tls: boolean;

  private constructor(server: Server | HttpsServer, agent: Agent, tls: boolean) {
    this.#server = server;
    this.#agent = agent;
    this.#tls = tls;
  }

  /** Starts listening. @throws when the address cannot be bound. */
  static listen(options: FrontOptions): Promise<FrontServer> {
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    const limiter = options.rateLimit === 'disabled' ? undefined : new RateLimiter();
    const now = options.now ?? Date.now;
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      if (options.handleChallenge?.(req, res)) return;
      if (limiter && req.method === 'PUT' && (req.url ?? '').startsWith('/pkarr/')) {
        const info = { peer: req.socket.remoteAddress, headers: req.headers };
        const client = options.rateLimit === 'smart' ? smartIp(info) : peerIp(info);
        const decision = limiter.check(client, now());
        if (!decision.allowed) {
          req.resume();
          options.metrics?.httpRateLimited.inc();
          const wait = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
          const body = `Too Many Requests! Wait for ${wait}s`;
          res.writeHead(429, {
            'access-control-allow-origin': '*',
            'content-type': 'text/plain; charset=utf-8',
            'content-length': String(Buffer.byteLength(body)),
            'retry-after': String(wait),
          });
          res.end(body);
          return;
        }
      }
      FrontServer.#forward(req, res, options.upstream, agent);
    };
    const server = options.tls
      ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handle)
      : createHttpServer(handle);
    server.keepAliveTimeout = 60_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.bind.port, options.bind.host, () => {
        server.off('error', reject);
        resolve(new FrontServer(server, agent, options.tls !== undefined));
      });
    });
  }

  static #forward(req: IncomingMessage, res: ServerResponse, upstream: BindAddr, agent: Agent): void {
    const up = request(
      {
        host: upstream.host,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: forwardedHeaders(req),
        agent,
      },
      (upRes) => {
        const headers = { ...upRes.headers };
        for (const h of HOP_BY_HOP) delete headers[h];
        res.writeHead(upRes.statusCode ?? 502, headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent)
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end('bad gateway');
      else res.destroy();
    });
    // The client went away before the answer was sent: drop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }

  /** The bound address. */
  get address(): BindAddr {
    const a = this.#server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** `https://host:port` (or `http://…`) of the bound address, without a trailing slash. */
  get url(): string {
    return listenerUrl(this.#tls ? 'https' : 'http', this.address);
  }

  /** Replaces the certificate (after ACME issuance or renewal); HTTPS only. */
  setCertificate(pair: PemKeyPair): void {
    if ('setSecureContext' in this.#server)
      this.#server.setSecureContext({ cert: pair.certPem, key: pair.keyPem });
  }

  /** Stops listening and closes open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      this.#agent.destroy();
    });
  }
}

/** `scheme://host:port` for a bound address (a wildcard address is shown as `localhost`). */
export function listenerUrl(scheme: 'http' | 'https', addr: BindAddr): string {
  const wildcard = addr.host === '::' || addr.host === '0.0.0.0';
  const host = wildcard ? 'localhost' : addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  return `${scheme}://${host}:${addr.port}`;
}

/** `ip:port`, with brackets around an IPv6 address. */
export function socketAddrString(addr: BindAddr): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}
