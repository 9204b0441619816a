/**
 * A one-shot QUIC address discovery client: connect to a QAD server the way iroh's
 * `iroh_relay::quic::QuicClient` does, wait for the first OBSERVED_ADDRESS report, close with code 1
 * ("finished") and return the address. Useful in tests, health checks and tools; an iroh endpoint
 * probes from its own socket by passing its QUIC endpoint.
 *
 * @module
 */
import { isIP } from 'node:net';
import { IrohError, type RandomSource, secureRandom } from '@iroh-ts/base';
import { createTlsSession, type QuicConnection, QuicEndpoint } from '@iroh-ts/quic';
import {
  canonicalSocketAddr,
  QAD_ALPN,
  QAD_CLIENT_TRANSPORT,
  QAD_CLOSE_CODE,
  QAD_CLOSE_REASON,
} from '../protos/qad.js';

/** Codes of {@link QadProbeError}. */
export type QadProbeErrorCode =
  /** An option is invalid (server address, timeout). */
  | 'InvalidArgument'
  /** The handshake failed (unreachable, refused, certificate not trusted, ALPN refused, …). */
  | 'ConnectFailed'
  /** The connection ended before the server reported an address. */
  | 'NoObservedAddress'
  /** No address within `timeoutMs`. */
  | 'Timeout';

/** A QAD probe failed. */
export class QadProbeError extends IrohError {
  declare readonly code: QadProbeErrorCode;
  constructor(code: QadProbeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Options of {@link qadProbe}. */
export interface QadProbeOptions {
  /** The QAD server, `ip:port` or `[v6]:port`, e.g. `203.0.113.7:7842`. */
  readonly server: string;
  /** Trusted root certificates (DER) for the server's certificate. */
  readonly roots: readonly Uint8Array[];
  /** The name the certificate must be valid for (a DNS name or an IP). Default: the server's IP. */
  readonly serverName?: string | undefined;
  /**
   * Dial from this QUIC endpoint: its socket is the one whose address the server observes (it is not
   * closed). Without it, a fresh endpoint on `bindAddr` is used and closed afterwards.
   */
  readonly endpoint?: QuicEndpoint | undefined;
  /** The fresh endpoint's socket. Default `0.0.0.0:0` (`[::]:0` for an IPv6 server). */
  readonly bindAddr?: string | undefined;
  /** Give up after this long, ms. Default 5000. */
  readonly timeoutMs?: number | undefined;
  /** The clock for certificate validity (ms since the epoch). Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  readonly random?: RandomSource | undefined;
}

/** What a probe learnt. */
export interface QadProbeResult {
  /** Our address as the server sees it (`ip:port`; IPv4-mapped IPv6 addresses as plain IPv4). */
  readonly observedAddress: string;
  /** The connection's RTT estimate when the report arrived, ms. */
  readonly rttMs: number;
  /** The local socket the probe went from. */
  readonly localAddress: string;
}

const enc = new TextEncoder();

/**
 * Asks a QAD server which address it sees us at.
 *
 * @throws {@link QadProbeError} `InvalidArgument`, `ConnectFailed`, `NoObservedAddress` or `Timeout`.
 */
export async function qadProbe(options: QadProbeOptions): Promise<QadProbeResult> {
  let serverIp: string;
  try {
    serverIp = canonicalSocketAddr(options.server);
  } catch (e) {
    throw new QadProbeError('InvalidArgument', `bad QAD server address ${JSON.stringify(options.server)}`, {
      cause: e,
    });
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new QadProbeError('InvalidArgument', `timeoutMs must be positive, got ${timeoutMs}`);
  const host = serverIp.startsWith('[') ? serverIp.slice(1, serverIp.indexOf(']')) : serverIp.split(':')[0]!;
  const name = options.serverName ?? host;
  const owned = options.endpoint === undefined;
  const ep =
    options.endpoint ??
    (await QuicEndpoint.bind({
      bindAddr: options.bindAddr ?? (serverIp.startsWith('[') ? '[::]:0' : '0.0.0.0:0'),
    }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let conn: QuicConnection | undefined;
  let done = false;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new QadProbeError('Timeout', `no QAD report from ${serverIp} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const connecting = ep
      .connect(
        serverIp,
        (transportParameters) =>
          createTlsSession({
            side: 'client',
            alpnProtocols: [enc.encode(QAD_ALPN)],
            transportParameters,
            verify: { kind: 'x509', roots: options.roots, serverName: name },
            // No SNI for an IP address (RFC 6066), as rustls.
            serverName: isIP(name) === 0 ? name : undefined,
            now: options.now ?? Date.now,
            random: options.random ?? secureRandom,
          }),
        { transportConfig: { ...QAD_CLIENT_TRANSPORT } },
      )
      .catch((e: unknown) => {
        throw new QadProbeError('ConnectFailed', `QAD handshake with ${serverIp} failed: ${errText(e)}`, {
          cause: e,
        });
      });
    // A connection completed after the deadline is closed at once.
    connecting.then(
      (c) => {
        if (done) c.close(QAD_CLOSE_CODE, enc.encode(QAD_CLOSE_REASON));
      },
      () => {},
    );
    conn = await Promise.race([connecting, deadline]);
    const observed = await Promise.race([firstReport(conn), deadline]);
    return {
      observedAddress: canonicalSocketAddr(observed),
      rttMs: conn.rtt(),
      localAddress: ep.localAddress(),
    };
  } finally {
    done = true;
    clearTimeout(timer);
    conn?.close(QAD_CLOSE_CODE, enc.encode(QAD_CLOSE_REASON));
    if (owned) await ep.close();
  }
}

/** The first reported address (possibly already in). */
function firstReport(conn: QuicConnection): Promise<string> {
  return new Promise((resolve, reject) => {
    const now = conn.observedAddress;
    if (now !== undefined) {
      resolve(now);
      return;
    }
    const off = conn.onPathEvent((e) => {
      if (e.type !== 'observed-address') return;
      off();
      resolve(e.addr);
    });
    conn.closed().then((reason) => {
      off();
      reject(
        new QadProbeError(
          'NoObservedAddress',
          `the QAD connection closed before any report (${reason.kind}${'errorCode' in reason ? ` ${reason.errorCode}` : ''})`,
        ),
      );
    }, reject);
  });
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
