/**
 * `@iroh-ts/echo`: a tiny protocol written with nothing but `@iroh-ts/endpoint`'s public API, as a
 * template for your own. The server ({@link Echo}) echoes each bidirectional stream back; the client
 * ({@link echo}) sends bytes and returns what came back.
 *
 * @example
 * ```ts
 * const server = await Endpoint.builder().applyMinimal().bind();
 * const router = Router.builder(server).accept(ECHO_ALPN, new Echo()).spawn();
 * const client = await Endpoint.builder().applyMinimal().bind();
 * const back = await echo(client, server.addr(), new TextEncoder().encode('hi'));
 * await router.shutdown(); // closes the server endpoint too
 * ```
 *
 * @packageDocumentation
 */
export { echo } from './client.js';
export { ECHO_ALPN, ECHO_SHUTDOWN, ECHO_STREAM_FAILED, Echo } from './protocol.js';
