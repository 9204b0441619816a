/**
 * The relay server: HTTP(S) listeners, the `/relay` WebSocket upgrade, the timer sweep, metrics, and
 * orderly shutdown. Protocol work happens in {@link ServerConnection}; this file only wires sockets.
 *
 * @module
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { type RandomSource, secureRandom } from '@iroh-ts/base';
import { Registry } from '@iroh-ts/metrics';
import { type MetricsServer, serveMetrics } from '@iroh-ts/metrics/http';
import { WebSocketServer } from 'ws';
import type { KeyingMaterialExporter } from '../protos/client-auth-header.js';
import { CLIENT_AUTH_HEADER, MAX_FRAME_SIZE, RELAY_PATH } from '../protos/constants.js';
import { PROTOCOL_V1, PROTOCOL_V2, type ProtocolVersion } from '../protos/version.js';
import { type AccessControl, accessControlFromConfig, authTokenFrom } from './access.js';
import { ClientRegistry, type RegisteredClient } from './clients.js';
import { CloseCode } from './close-codes.js';
import { ServerConnection } from './connection.js';
import type { ServerContext } from './context.js';
import { RelayServerError } from './errors.js';
import { handleCaptivePortal, handleRelayHttp } from './http-routes.js';
import { type RelayLogger, silentLogger } from './log.js';
import { RelayServerMetrics } from './metrics.js';
import { type BindAddr, type RelayServerOptions, resolveLimits, resolveTiming } from './options.js';
import { checkRelayUpgrade, rejectUpgrade, type UpgradeInfo } from './upgrade.js';

/** Options of {@link RelayServer.stop}. */
export interface StopOptions {
  /** Advisory delay before clients reconnect, sent in `Restarting`. Default 0. */
  readonly reconnectInMs?: number | undefined;
  /** Advisory time clients keep trying, sent in `Restarting`. Default 5000. */
  readonly tryForMs?: number | undefined;
  /** How long to wait for clients to close before cutting them. Default 1000. */
  readonly graceMs?: number | undefined;
}

function listen(server: Server, addr: BindAddr | undefined, defaultPort: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) =>
      reject(new RelayServerError('BindFailed', `cannot listen: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(addr?.port ?? defaultPort, addr?.host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlFor(scheme: string, addr: AddressInfo | undefined): string | undefined {
  if (addr === undefined) return undefined;
  let host = addr.address;
  if (host === '::' || host === '0.0.0.0') host = 'localhost';
  else if (host.includes(':')) host = `[${host}]`;
  return `${scheme}://${host}:${addr.port}/`;
}

function pem(value: string | Uint8Array | undefined): string | Buffer | undefined {
  return value === undefined || typeof value === 'string' ? value : Buffer.from(value);
}

function tlsExporter(socket: Socket): KeyingMaterialExporter | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  return (length, label, context) => {
    try {
      return new Uint8Array(socket.exportKeyingMaterial(length, label, Buffer.from(context)));
    } catch {
      return undefined;
    }
  };
}

/**
 * An iroh relay server.
 *
 * @example
 * ```ts
 * const relay = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 } });
 * console.log(relay.url); // http://127.0.0.1:PORT/
 * await relay.stop();
 * ```
 */
export class RelayServer {
  /** The server's metrics group (`relayserver`). */
  readonly metrics = new RelayServerMetrics();
  /** Registry holding {@link RelayServer.metrics}; served on `metricsAddr` if configured. */
  readonly registry = new Registry();
  readonly #options: RelayServerOptions;
  readonly #ctx: ServerContext;
  readonly #connections = new Set<ServerConnection>();
  readonly #wss: WebSocketServer;
  #main: Server | undefined;
  #captive: Server | undefined;
  #mainAddr: AddressInfo | undefined;
  #captiveAddr: AddressInfo | undefined;
  #metricsServer: MetricsServer | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #nextId = 1;
  #uncorks: (() => void)[] = [];
  readonly #flushUncorks = (): void => {
    const list = this.#uncorks;
    this.#uncorks = [];
    for (const uncork of list) uncork();
  };
  #state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  /**
   * Validates the options; call {@link RelayServer.start} to listen.
   *
   * @throws {@link RelayServerError} `InvalidConfig` for invalid access or limit settings.
   */
  constructor(options: RelayServerOptions = {}) {
    this.#options = options;
    const tls = options.tls;
    if (
      tls !== undefined &&
      tls.createServer === undefined &&
      (tls.certPem === undefined || tls.keyPem === undefined)
    ) {
      throw new RelayServerError('InvalidConfig', 'tls needs certPem and keyPem, or createServer');
    }
    const random: RandomSource = options.random ?? secureRandom;
    const access: AccessControl = accessControlFromConfig(options.access);
    const log: RelayLogger = options.logger ?? silentLogger;
    const seed = new DataView(random(4).buffer).getInt32(0);
    this.registry.register(this.metrics);
    this.#ctx = {
      metrics: this.metrics,
      registry: new ClientRegistry<RegisteredClient>(this.metrics, seed),
      access,
      log,
      random,
      timing: resolveTiming(options.timing),
      limits: resolveLimits(options.limits),
      now: () => performance.now(),
      deferUncork: (uncork) => {
        this.#uncorks.push(uncork);
        if (this.#uncorks.length === 1) setImmediate(this.#flushUncorks);
      },
    };
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_SIZE,
      perMessageDeflate: false,
      clientTracking: false,
      skipUTF8Validation: true,
      handleProtocols: (protocols: Set<string>) =>
        protocols.has(PROTOCOL_V2) ? PROTOCOL_V2 : protocols.has(PROTOCOL_V1) ? PROTOCOL_V1 : false,
    });
  }

  /** Creates and starts a server. @throws {@link RelayServerError} */
  static async start(options: RelayServerOptions = {}): Promise<RelayServer> {
    const server = new RelayServer(options);
    await server.start();
    return server;
  }

  /** Starts listening. @throws {@link RelayServerError} `AlreadyStarted` or `BindFailed`. */
  async start(): Promise<void> {
    if (this.#state !== 'new')
      throw new RelayServerError('AlreadyStarted', 'the relay server was already started');
    this.#state = 'starting';
    const o = this.#options;
    const timing = this.#ctx.timing;
    try {
      if (o.tls !== undefined) {
        const main =
          o.tls.createServer?.() ??
          createHttpsServer({
            cert: pem(o.tls.certPem),
            key: pem(o.tls.keyPem),
            handshakeTimeout: timing.establishTimeoutMs,
          });
        this.#main = main;
        this.#attach(main, false);
        this.#captive = createHttpServer((req, res) => {
          if (!this.#hook(req, res)) handleCaptivePortal(req, res);
        });
        this.#mainAddr = await listen(
          main,
          { host: o.tls.httpsBindAddr?.host ?? o.httpBindAddr?.host, port: o.tls.httpsBindAddr?.port },
          443,
        );
        this.#captiveAddr = await listen(this.#captive, o.httpBindAddr, 80);
      } else {
        const main = createHttpServer();
        this.#main = main;
        this.#attach(main, true);
        this.#mainAddr = await listen(main, o.httpBindAddr, 80);
      }
      if (o.metricsAddr !== undefined) {
        this.#metricsServer = await serveMetrics(this.registry, {
          host: o.metricsAddr.host,
          port: o.metricsAddr.port ?? 9090,
        });
      }
    } catch (err) {
      await this.#closeListeners();
      this.#state = 'stopped';
      throw err;
    }
    this.#ticker = setInterval(() => this.#tick(), timing.tickMs);
    this.#ticker.unref();
    this.#state = 'running';
    this.#ctx.log({ level: 'info', msg: 'relay listening', fields: { url: this.url } });
  }

  #attach(server: Server, serveNoContent: boolean): void {
    const m = this.metrics;
    server.headersTimeout = Math.min(server.headersTimeout, this.#ctx.timing.establishTimeoutMs);
    server.requestTimeout = this.#ctx.timing.establishTimeoutMs;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // The hook belongs to the plain-HTTP listener, which this is when it serves /generate_204.
      if (serveNoContent && this.#hook(req, res)) return;
      handleRelayHttp(req, res, serveNoContent);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        this.#onUpgrade(req, socket, head);
      } catch (err) {
        this.#ctx.log({ level: 'error', msg: 'upgrade failed', fields: { error: String(err) } });
        socket.destroy();
      }
    });
    server.on('connection', (socket: Socket) => {
      m.httpConnections.inc();
      socket.once('close', () => m.httpConnectionsClosed.inc());
    });
    server.on('clientError', (_err, socket: Duplex) => {
      m.httpConnectionsErrored.inc();
      socket.destroy();
    });
    server.on('tlsClientError', () => m.httpConnectionsErrored.inc());
  }

  #hook(req: IncomingMessage, res: ServerResponse): boolean {
    const hook = this.#options.onHttpRequest;
    if (hook === undefined) return false;
    try {
      return hook(req, res);
    } catch (err) {
      this.#ctx.log({ level: 'error', msg: 'onHttpRequest failed', fields: { error: String(err) } });
      if (!res.headersSent) res.writeHead(500);
      res.end();
      return true;
    }
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0];
    if (req.method !== 'GET' || path !== RELAY_PATH) {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.#state !== 'running') {
      rejectUpgrade(socket, 503, 'relay is shutting down');
      return;
    }
    const check = checkRelayUpgrade(req.headers);
    if (!check.ok) {
      rejectUpgrade(socket, check.status, check.body, check.headers);
      return;
    }
    if (this.#connections.size >= this.#ctx.limits.maxClients) {
      this.metrics.rejectedMaxClients.inc();
      rejectUpgrade(socket, 503, 'relay is at its client limit');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req, check.version));
  }

  #accept(ws: import('ws').WebSocket, req: IncomingMessage, version: ProtocolVersion): void {
    if (this.#state !== 'running') {
      ws.terminate();
      return;
    }
    const socket = req.socket;
    socket.setNoDelay(true);
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    const authorization = req.headersDistinct.authorization ?? [];
    const authHeader = req.headers[CLIENT_AUTH_HEADER];
    const upgrade: UpgradeInfo = {
      url,
      headers: req.headers,
      authorization,
      clientAuthHeader: Array.isArray(authHeader) ? authHeader[0] : authHeader,
      socket,
      exporter: tlsExporter(socket),
      authToken: () => authTokenFrom(authorization, url),
    };
    let conn: ServerConnection;
    try {
      conn = new ServerConnection(this.#ctx, ws, this.#nextId++, version, upgrade, (c) =>
        this.#connections.delete(c),
      );
    } catch (err) {
      this.#ctx.log({
        level: 'error',
        msg: 'cannot set up connection',
        fields: { error: (err as Error).message },
      });
      ws.terminate();
      return;
    }
    this.#connections.add(conn);
    conn.start();
  }

  #tick(): void {
    const now = this.#ctx.now();
    for (const conn of this.#connections) {
      try {
        conn.tick(now);
      } catch (err) {
        this.#ctx.log({
          level: 'error',
          msg: 'internal error in timers',
          fields: { conn: conn.id, error: String(err) },
        });
        conn.terminate('internal error');
      }
    }
  }

  /** The relay listener's address (HTTPS when TLS is configured). */
  get address(): AddressInfo | undefined {
    return this.#mainAddr;
  }

  /** The plain-HTTP listener's address (the captive-portal one when TLS is configured). */
  get httpAddr(): AddressInfo | undefined {
    return this.#options.tls !== undefined ? this.#captiveAddr : this.#mainAddr;
  }

  /** The HTTPS listener's address, when TLS is configured. */
  get httpsAddr(): AddressInfo | undefined {
    return this.#options.tls !== undefined ? this.#mainAddr : undefined;
  }

  /**
   * The relay URL clients use, e.g. `http://127.0.0.1:3340/` (`https` with TLS). An unspecified bind
   * address is shown as `localhost`.
   *
   * @throws {@link RelayServerError} `NotStarted` before {@link RelayServer.start}.
   */
  get url(): string {
    const url = urlFor(this.#options.tls !== undefined ? 'https' : 'http', this.#mainAddr);
    if (url === undefined) throw new RelayServerError('NotStarted', 'the relay server is not listening');
    return url;
  }

  /** The plain-HTTP URL, if listening. */
  get httpUrl(): string | undefined {
    return urlFor('http', this.httpAddr);
  }

  /** The `/metrics` URL, when `metricsAddr` is configured. */
  get metricsUrl(): string | undefined {
    return this.#metricsServer?.url;
  }

  /** Relay connections, including ones still handshaking. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Authenticated clients currently registered. */
  get clientCount(): number {
    let n = 0;
    for (const c of this.#connections) if (c.isActive) n++;
    return n;
  }

  /**
   * Stops the server: every connected client gets `Restarting` and a close (code 1012); listeners
   * close; clients still connected after the grace period are cut. Idempotent.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    for (const conn of this.#connections) {
      if (conn.isActive) conn.sendRestarting(options.reconnectInMs ?? 0, options.tryForMs ?? 5000);
      conn.close(CloseCode.ServiceRestart, 'relay restarting');
    }
    const deadline = this.#ctx.now() + (options.graceMs ?? 1000);
    while (this.#connections.size > 0 && this.#ctx.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const conn of this.#connections) conn.terminate('relay stopped');
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    await this.#closeListeners();
    this.#wss.close();
    this.#state = 'stopped';
    this.#ctx.log({ level: 'info', msg: 'relay stopped' });
  }

  async #closeListeners(): Promise<void> {
    await Promise.all([closeServer(this.#main), closeServer(this.#captive), this.#metricsServer?.close()]);
  }
}
