/**
 * Options of the relay server, shaped after iroh-relay's TOML configuration so a CLI can map its
 * config file onto them directly.
 *
 * @module
 */
import type { RandomSource } from '@iroh-ts/base';
import {
  ESTABLISH_TIMEOUT_MS,
  PER_CLIENT_SEND_QUEUE_DEPTH,
  PING_INTERVAL_MS,
  PING_TIMEOUT_MS,
  SERVER_WRITE_TIMEOUT_MS,
} from '../protos/constants.js';
import type { AccessConfig } from './access.js';
import { RelayServerError } from './errors.js';
import type { RelayLogger } from './log.js';
import { TokenBucket } from './token-bucket.js';

/** A TCP listen address. */
export interface BindAddr {
  /** Interface to bind. Default: Node's default, `::` when IPv6 is available, else `0.0.0.0`. */
  readonly host?: string | undefined;
  /** Port; `0` picks a free one. */
  readonly port?: number | undefined;
}

/** Serves HTTPS; `/generate_204` then moves to the plain-HTTP listener (captive portal checks). */
export interface RelayTlsOptions {
  /** PEM certificate chain. Required unless `createServer` is given. */
  readonly certPem?: string | Uint8Array | undefined;
  /** PEM private key. Required unless `createServer` is given. */
  readonly keyPem?: string | Uint8Array | undefined;
  /**
   * Builds the HTTPS server instead (e.g. with ACME-managed certificates). It must return a
   * `node:https` `Server` that is not yet listening; the relay attaches its handlers.
   */
  readonly createServer?: (() => import('node:https').Server) | undefined;
  /** Where HTTPS listens. Default: the HTTP host, port 443. */
  readonly httpsBindAddr?: BindAddr | undefined;
}

/** The per-client receive rate limit (`[limits.client.rx]`). */
export interface ClientRxLimit {
  /** Long-run rate in bytes per second. */
  readonly bytesPerSecond: number;
  /** Bucket size. Default `bytesPerSecond / 10`. */
  readonly maxBurstBytes?: number | undefined;
}

/** Resource limits. */
export interface RelayLimits {
  /** Per-client limits. */
  readonly client?: { readonly rx?: ClientRxLimit | undefined } | undefined;
  /** Most concurrent relay connections (including ones still handshaking). Default unlimited. */
  readonly maxClients?: number | undefined;
  /** Datagram frames queued per client before further ones are dropped. Default 512. */
  readonly sendQueueDepth?: number | undefined;
  /** Bytes buffered per client before datagrams are dropped. Default 4 MiB. */
  readonly maxSendQueueBytes?: number | undefined;
}

/** Timers of the server; the defaults are iroh's. Mostly useful to speed up tests. */
export interface RelayServerTiming {
  /** Keep-alive ping interval after the last received frame. Default 15 000. */
  readonly pingIntervalMs: number;
  /** Random extra delay added to each ping interval, `[min, max]`. Default `[1000, 5000]`. */
  readonly pingJitterMs: readonly [number, number];
  /** Longest pong wait. Default 5 000. */
  readonly pongTimeoutMs: number;
  /** A write not completed within this time disconnects the client. Default 2 000. */
  readonly writeTimeoutMs: number;
  /** The relay handshake must finish within this time. Default 30 000. */
  readonly establishTimeoutMs: number;
  /** How long a closing connection may linger before it is cut. Default 1 000. */
  readonly closeGraceMs: number;
  /** Granularity of the timer sweep. Default 250. */
  readonly tickMs: number;
}

/** Everything configurable on a {@link RelayServer}; every field is optional. */
export interface RelayServerOptions {
  /** Plain-HTTP listener (relay, probes, captive portal). Default port 80. */
  readonly httpBindAddr?: BindAddr | undefined;
  /** Serve HTTPS/WSS as well; see {@link RelayTlsOptions}. */
  readonly tls?: RelayTlsOptions | undefined;
  /** Who may connect. Default `'everyone'`. */
  readonly access?: AccessConfig | undefined;
  /** Rate and resource limits. */
  readonly limits?: RelayLimits | undefined;
  /** Serve `/metrics` on a separate listener here. Default: not served. */
  readonly metricsAddr?: BindAddr | undefined;
  /** Structured log hook. Default: silent. */
  readonly logger?: RelayLogger | undefined;
  /** Timer overrides. */
  readonly timing?: Partial<RelayServerTiming> | undefined;
  /** Randomness for challenges and pings. Default: the platform CSPRNG. */
  readonly random?: RandomSource | undefined;
  /**
   * Called first for every request on the plain-HTTP listener (the captive-portal listener when TLS is
   * on, else the relay listener), e.g. to answer ACME HTTP-01 challenges. Return true when it handled
   * the request; otherwise the relay's own routes answer. Not called for WebSocket upgrades.
   */
  readonly onHttpRequest?:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean)
    | undefined;
}

/** Resolved limits. */
export interface ResolvedLimits {
  readonly rx: { readonly bytesPerSecond: number; readonly maxBurstBytes: number } | undefined;
  readonly maxClients: number;
  readonly sendQueueDepth: number;
  readonly maxSendQueueBytes: number;
}

/** Default timing (iroh's values). */
export const DEFAULT_TIMING: RelayServerTiming = {
  pingIntervalMs: PING_INTERVAL_MS,
  pingJitterMs: [1000, 5000],
  pongTimeoutMs: PING_TIMEOUT_MS,
  writeTimeoutMs: SERVER_WRITE_TIMEOUT_MS,
  establishTimeoutMs: ESTABLISH_TIMEOUT_MS,
  closeGraceMs: 1000,
  tickMs: 250,
};

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RelayServerError('InvalidConfig', `${what} must be a positive number, got ${value}`);
  }
  return value;
}

/** Validates and fills in defaults. @throws {@link RelayServerError} `InvalidConfig`. */
export function resolveLimits(limits: RelayLimits | undefined): ResolvedLimits {
  const rx = limits?.client?.rx;
  let resolvedRx: ResolvedLimits['rx'];
  if (rx !== undefined) {
    const bytesPerSecond = positive(rx.bytesPerSecond, 0, 'limits.client.rx.bytesPerSecond');
    const maxBurstBytes = positive(
      rx.maxBurstBytes,
      Math.floor(bytesPerSecond / 10),
      'limits.client.rx.maxBurstBytes',
    );
    // Throws for a zero burst or a rate too small to refill anything per period.
    new TokenBucket(maxBurstBytes, bytesPerSecond, 0);
    resolvedRx = { bytesPerSecond, maxBurstBytes };
  }
  return {
    rx: resolvedRx,
    maxClients: positive(limits?.maxClients, Number.POSITIVE_INFINITY, 'limits.maxClients'),
    sendQueueDepth: positive(limits?.sendQueueDepth, PER_CLIENT_SEND_QUEUE_DEPTH, 'limits.sendQueueDepth'),
    maxSendQueueBytes: positive(limits?.maxSendQueueBytes, 4 * 1024 * 1024, 'limits.maxSendQueueBytes'),
  };
}

/** Fills in timing defaults. */
export function resolveTiming(timing: Partial<RelayServerTiming> | undefined): RelayServerTiming {
  return { ...DEFAULT_TIMING, ...timing };
}
