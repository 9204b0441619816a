/**
 * `@iroh-ts/relay/server`: an iroh relay server for Node.js, wire-compatible with iroh-relay 1.x, and
 * its QUIC address discovery server ({@link QadServer}) with a probe client ({@link qadProbe}).
 *
 * @example
 * ```ts
 * import { RelayServer } from '@iroh-ts/relay/server';
 * const relay = await RelayServer.start({
 *   httpBindAddr: { host: '0.0.0.0', port: 3340 },
 *   access: { sharedToken: ['secret'] },
 *   limits: { client: { rx: { bytesPerSecond: 2_000_000 } } },
 * });
 * ```
 *
 * @packageDocumentation
 */
export {
  type Access,
  type AccessConfig,
  type AccessControl,
  accessControlFromConfig,
  authTokenFrom,
  type ClientRequest,
  DEFAULT_DENY_REASON,
} from './access.js';
export { CloseCode } from './close-codes.js';
export { RelayServerError, type RelayServerErrorCode } from './errors.js';
export { type HttpAccessOptions, httpAccessControl, X_IROH_NODE_ID } from './http-access.js';
export {
  NO_CONTENT_CHALLENGE_HEADER,
  NO_CONTENT_RESPONSE_HEADER,
  RELAY_VERSION,
  SECURITY_HEADERS,
} from './http-routes.js';
export type { RelayLogger, RelayLogLevel, RelayLogRecord } from './log.js';
export { RelayServerMetrics } from './metrics.js';
export {
  type BindAddr,
  type ClientRxLimit,
  DEFAULT_TIMING,
  type RelayLimits,
  type RelayServerOptions,
  type RelayServerTiming,
  type RelayTlsOptions,
} from './options.js';
export { checkQadIdentity, type QadIdentity, qadIdentityFromPem } from './qad-identity.js';
export {
  QadProbeError,
  type QadProbeErrorCode,
  type QadProbeOptions,
  type QadProbeResult,
  qadProbe,
} from './qad-probe.js';
export { QadServer, type QadServerOptions } from './qad-server.js';
export { RelayServer, type StopOptions } from './relay-server.js';
export { REFILL_PERIOD_MS, TokenBucket } from './token-bucket.js';
