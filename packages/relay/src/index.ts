/**
 * `@iroh-ts/relay`: the iroh relay protocol and the relay client. Browser-safe: this entry point
 * has no Node.js imports (the client uses the global `WebSocket` in browsers and `ws` on Node).
 * The Node relay server is in `@iroh-ts/relay/server`.
 *
 * @packageDocumentation
 */

export * from './client/index.js';
export * from './protos/index.js';
