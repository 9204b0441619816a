/**
 * The relay's QUIC address discovery (QAD) server, as iroh-relay runs it next to HTTPS: a QUIC
 * endpoint on UDP (default port 7842) with ALPN `/iroh-qad/0`, TLS with the relay's X.509
 * certificate, no streams, and observed_address = send-only. It accepts every client, reports the
 * address it sees the client at in OBSERVED_ADDRESS frames (again whenever the client moves), and keeps
 * the connection until the client closes it (code 1, "finished") or it idles out.
 *
 * @module
 */
import { type RandomSource, secureRandom } from '@iroh-ts/base';
import {
  type CloseReason,
  type CryptoSession,
  createTlsSession,
  type QuicConnection,
  QuicEndpoint,
  type QuicIncoming,
  type TransportConfig,
} from '@iroh-ts/quic';
import { QAD_ALPN, QAD_CLOSE_CODE, QAD_CLOSE_REASON, QAD_SERVER_IDLE_TIMEOUT_MS } from '../protos/qad.js';
import { RelayServerError } from './errors.js';
import { type RelayLogger, silentLogger } from './log.js';
import { RelayServerMetrics } from './metrics.js';
import { checkQadIdentity, type QadIdentity } from './qad-identity.js';
import { QadUdpSocket } from './qad-udp.js';

/** Options of {@link QadServer.bind}. */
export interface QadServerOptions extends QadIdentity {
  /**
   * The UDP socket, `ip:port` or `[v6]:port` (port 0 picks a free one), e.g. `0.0.0.0:7842`. An IPv6
   * wildcard (`[::]:7842`) is dual-stack and also serves IPv4 clients, as iroh-relay's default does.
   */
  readonly bindAddr: string;
  /**
   * A second, IPv6-only socket (e.g. `[::]:7842` next to `bindAddr = "0.0.0.0:7842"`). Clients are
   * told the address they reached, so give both when clients of both families should be served.
   */
  readonly bindAddrV6?: string | undefined;
  /** Most connections at once, handshakes included; further clients are refused. Default 8192. */
  readonly maxConnections?: number | undefined;
  /**
   * Clients not yet proven to own their address must answer a Retry once this many handshakes are in
   * flight (spoofed Initials then cost nothing). Default 256; 0 always asks.
   */
  readonly retryAboveHandshakes?: number | undefined;
  /** Idle timeout we advertise, ms (the connection uses the smaller of ours and the client's). Default 30 000, as iroh. */
  readonly idleTimeoutMs?: number | undefined;
  /** Counters `qad_*`; pass the relay server's group to report them with the relay's metrics. */
  readonly metrics?: RelayServerMetrics | undefined;
  /** Structured log hook. Default: silent. */
  readonly logger?: RelayLogger | undefined;
  /** Randomness for TLS and QUIC. Default: the platform CSPRNG. */
  readonly random?: RandomSource | undefined;
}

const enc = new TextEncoder();
const ALPN_BYTES = enc.encode(QAD_ALPN);

function positiveInt(v: number | undefined, fallback: number, what: string, min = 1): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < min)
    throw new RelayServerError('InvalidConfig', `QAD: ${what} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/**
 * A QAD server. Bind it with {@link QadServer.bind}; {@link QadServer.close} ends every connection
 * (application code 1, "finished", as iroh-relay does on shutdown) and releases the sockets.
 *
 * @example
 * ```ts
 * const qad = await QadServer.bind({ bindAddr: '0.0.0.0:7842', ...qadIdentityFromPem(certPem, keyPem) });
 * console.log(qad.localAddresses); // ['0.0.0.0:7842']
 * await qad.close();
 * ```
 */
export class QadServer {
  /** The `relayserver` metrics group the `qad_*` counters are in. */
  readonly metrics: RelayServerMetrics;
  readonly #endpoints: QuicEndpoint[];
  readonly #loops: Promise<void>[] = [];
  readonly #open = new Set<QuicConnection>();
  readonly #log: RelayLogger;
  readonly #random: RandomSource;
  readonly #maxConnections: number;
  readonly #retryAbove: number;
  #identity: QadIdentity;
  #handshaking = 0;
  #closing = false;
  #closed: Promise<void> | undefined;

  private constructor(endpoints: QuicEndpoint[], identity: QadIdentity, o: QadServerOptions) {
    this.#endpoints = endpoints;
    this.#identity = identity;
    this.metrics = o.metrics ?? new RelayServerMetrics();
    this.#log = o.logger ?? silentLogger;
    this.#random = o.random ?? secureRandom;
    this.#maxConnections = positiveInt(o.maxConnections, 8192, 'maxConnections');
    this.#retryAbove = positiveInt(o.retryAboveHandshakes, 256, 'retryAboveHandshakes', 0);
    for (const ep of endpoints) this.#loops.push(this.#acceptLoop(ep));
  }

  /**
   * Checks the certificate and key, binds the socket(s) and starts accepting.
   *
   * @throws {@link RelayServerError} `InvalidConfig` (bad address, limit, certificate or key) or
   * `BindFailed`.
   */
  static async bind(options: QadServerOptions): Promise<QadServer> {
    const identity = { chain: [...options.chain], privateKeyPkcs8: options.privateKeyPkcs8 };
    checkQadIdentity(identity);
    positiveInt(options.maxConnections, 1, 'maxConnections');
    positiveInt(options.retryAboveHandshakes, 0, 'retryAboveHandshakes', 0);
    const transportConfig: Partial<TransportConfig> = {
      addressDiscovery: 'sendOnly',
      maxConcurrentBidiStreams: 0,
      maxConcurrentUniStreams: 0,
      maxDatagramFrameSize: 0,
      maxIdleTimeout: positiveInt(options.idleTimeoutMs, QAD_SERVER_IDLE_TIMEOUT_MS, 'idleTimeoutMs'),
      keepAliveInterval: undefined, // the client keeps the connection alive if it wants to
      maxPathId: undefined,
      maxNatTraversalAddresses: undefined,
    };
    const sockets: QadUdpSocket[] = [];
    try {
      sockets.push(await QadUdpSocket.bind(options.bindAddr));
      if (options.bindAddrV6 !== undefined)
        sockets.push(await QadUdpSocket.bind(options.bindAddrV6, { ipv6Only: true }));
    } catch (e) {
      await Promise.all(sockets.map((s) => s.close()));
      throw e;
    }
    const endpoints = await Promise.all(
      sockets.map((transport) =>
        QuicEndpoint.bind({ transport, transportConfig, random: options.random ?? secureRandom }),
      ),
    );
    const server = new QadServer(endpoints, identity, options);
    server.#log({
      level: 'info',
      msg: 'QAD server listening',
      fields: { addrs: server.localAddresses },
    });
    return server;
  }

  /** The bound socket addresses (`ip:port`), the IPv4 or dual-stack one first. */
  get localAddresses(): string[] {
    return this.#endpoints.map((ep) => ep.localAddress());
  }

  /** Established connections. */
  get connectionCount(): number {
    return this.#open.size;
  }

  /** Connections still in their handshake. */
  get handshakeCount(): number {
    return this.#handshaking;
  }

  /**
   * Replaces the certificate and key (e.g. after an ACME renewal); new handshakes use them.
   *
   * @throws {@link RelayServerError} `InvalidConfig` for a bad certificate or key (the old pair stays).
   */
  setIdentity(identity: QadIdentity): void {
    const next = { chain: [...identity.chain], privateKeyPkcs8: identity.privateKeyPkcs8 };
    checkQadIdentity(next);
    this.#identity = next;
  }

  readonly #crypto = (transportParameters: Uint8Array): CryptoSession =>
    createTlsSession({
      side: 'server',
      alpnProtocols: [ALPN_BYTES],
      transportParameters,
      identity: { kind: 'x509', ...this.#identity },
      verify: { kind: 'x509', roots: [] },
      random: this.#random,
    });

  async #acceptLoop(ep: QuicEndpoint): Promise<void> {
    for (;;) {
      const incoming = await ep.acceptNext();
      if (incoming === null) return;
      try {
        this.#onIncoming(incoming);
      } catch (err) {
        // Never let one client end the loop.
        this.#log({ level: 'error', msg: 'QAD incoming failed', fields: { error: String(err) } });
      }
    }
  }

  #onIncoming(incoming: QuicIncoming): void {
    const m = this.metrics;
    if (this.#closing) {
      incoming.ignore();
      return;
    }
    if (this.#handshaking >= this.#retryAbove && !incoming.remoteAddressValidated()) {
      this.#log({ level: 'debug', msg: 'QAD Retry sent', fields: { remote: incoming.remoteAddress() } });
      incoming.retry(); // the client comes back as a new incoming with a token
      return;
    }
    m.qadIncoming.inc();
    if (this.#handshaking + this.#open.size >= this.#maxConnections) {
      m.qadIncomingError.inc();
      m.qadRejectedMaxConnections.inc();
      this.#log({ level: 'debug', msg: 'QAD connection refused: at the limit', fields: {} });
      incoming.refuse();
      return;
    }
    void this.#serve(incoming);
  }

  async #serve(incoming: QuicIncoming): Promise<void> {
    const m = this.metrics;
    const remote = incoming.remoteAddress();
    let conn: QuicConnection;
    this.#handshaking++;
    try {
      conn = await incoming.accept(this.#crypto);
    } catch (err) {
      m.qadIncomingError.inc();
      this.#log({ level: 'debug', msg: 'QAD handshake failed', fields: { remote, error: String(err) } });
      return;
    } finally {
      this.#handshaking--;
    }
    m.qadConnections.inc();
    this.#open.add(conn);
    if (this.#closing) conn.close(QAD_CLOSE_CODE, enc.encode(QAD_CLOSE_REASON));
    const reason = await conn.closed();
    this.#open.delete(conn);
    m.qadConnectionsClosed.inc();
    if (!isClientFinished(reason)) {
      m.qadConnectionsErrored.inc();
      this.#log({
        level: 'debug',
        msg: 'QAD connection ended',
        fields: { remote, reason: describe(reason) },
      });
    }
  }

  /**
   * Closes every connection with code 1 ("finished"), stops accepting and releases the sockets.
   * Idempotent; resolves once the sockets are closed.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    const reason = enc.encode(QAD_CLOSE_REASON);
    for (const conn of this.#open) conn.close(QAD_CLOSE_CODE, reason);
    // Handshakes still under way get QUIC's close (code 0) from the endpoint.
    await Promise.all(this.#endpoints.map((ep) => ep.close()));
    await Promise.all(this.#loops);
    this.#log({ level: 'info', msg: 'QAD server stopped' });
  }
}

/** Whether the client ended the connection the way QAD clients do. */
function isClientFinished(r: CloseReason): boolean {
  return r.kind === 'application' && r.remote && r.errorCode === QAD_CLOSE_CODE;
}

function describe(r: CloseReason): string {
  if (r.kind === 'application' || r.kind === 'transport')
    return `${r.kind} ${r.remote ? 'remote' : 'local'} code ${r.errorCode}`;
  return r.kind;
}
