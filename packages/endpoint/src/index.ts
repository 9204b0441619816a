/**
 * `@iroh-ts/endpoint`: iroh endpoints in TypeScript. Bind an {@link Endpoint}, dial other endpoints by
 * EndpointId with an ALPN (over direct UDP or relays), accept connections and route them to protocol
 * handlers with a {@link Router}. The API mirrors `@number0/iroh`, with `Uint8Array` for bytes.
 *
 * @example
 * ```ts
 * const ep = await Endpoint.builder().applyMinimal().alpns(['my/proto/1']).bind();
 * const conn = await ep.connect(remoteAddr, 'my/proto/1');
 * const { send, recv } = await conn.openBi();
 * ```
 *
 * @packageDocumentation
 */
import './presets.js';

export { EndpointAddr, EndpointId, PublicKey, SecretKey } from '@iroh-ts/base';
export { AddrFilter, UserData } from '@iroh-ts/dns-server';
export { type BiStream, type CloseReason, RecvStream, SendStream } from '@iroh-ts/quic';
export { EndpointTicket } from '@iroh-ts/tickets';
export { type CaRootsConfig, EndpointBuilder, type EndpointOptions } from './builder.js';
export { Connecting } from './connecting.js';
export {
  Connection,
  type ConnectionStats,
  type PathEvent,
  type PathEventKind,
  type PathSnapshot,
  type PathStatsRecord,
  Side,
} from './connection.js';
export { type CounterStats, Endpoint } from './endpoint.js';
export { ConnectError, type ConnectErrorCode, EndpointError, type EndpointErrorCode } from './errors.js';
export { type EndpointHooks, HookOutcome } from './hooks.js';
export { Accepting, Incoming, type IncomingAddr, type IncomingLocalAddr } from './incoming.js';
export * from './lookup/index.js';
export { EndpointMetrics } from './metrics.js';
export { presetMinimal, presetN0, presetN0DisableRelay, systemDnsTransport } from './presets.js';
export { N0_RELAYS_PROD, N0_RELAYS_STAGING, type RelayConfig, RelayMap, RelayMode } from './relay-map.js';
export {
  type IncomingFilter,
  type IncomingFilterOutcome,
  type ProtocolHandler,
  Router,
  RouterBuilder,
} from './router.js';
export type { CustomTransport } from './socket/custom.js';
export type { IpSocketFactory, SocketStats } from './socket/socket-layer.js';
export { WatchHandle } from './watch.js';
