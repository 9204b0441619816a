/**
 * The echo protocol's server side: every bidirectional stream a client opens is written back to it,
 * byte for byte, until the client finishes its side; then the echo finishes too.
 */
import type { BiStream, Connection, ProtocolHandler } from '@iroh-ts/endpoint';

/** The ALPN of the echo protocol. */
export const ECHO_ALPN = 'iroh-ts/echo/0';

/** The stream error code an echo stream is reset with when the client's side failed (e.g. was reset). */
export const ECHO_STREAM_FAILED = 1n;

/** The application error code connections are closed with when the handler shuts down. */
export const ECHO_SHUTDOWN = 0n;

/**
 * Serves the echo protocol: register it with `Router.builder(endpoint).accept(ECHO_ALPN, new Echo())`.
 * Every bidirectional stream is echoed as it arrives (not buffered to the end), so streams of any
 * length work and many streams of one connection are served at once. {@link Echo.shutdown} closes
 * the connections being served, so the router's shutdown does not wait for idle clients.
 */
export class Echo implements ProtocolHandler {
  readonly #connections = new Set<Connection>();

  /** Serves one connection until it closes: each bidirectional stream is echoed concurrently. */
  async accept(conn: Connection): Promise<void> {
    this.#connections.add(conn);
    const streams = new Set<Promise<void>>();
    try {
      for (;;) {
        let bi: BiStream;
        try {
          bi = await conn.acceptBi();
        } catch {
          break; // the connection is closed: no more streams
        }
        const task = echoStream(bi);
        streams.add(task);
        void task.then(() => streams.delete(task));
      }
      await Promise.all(streams);
    } finally {
      this.#connections.delete(conn);
    }
  }

  /** Closes every connection being served (code {@link ECHO_SHUTDOWN}, reason `shutdown`). */
  async shutdown(): Promise<void> {
    const reason = new TextEncoder().encode('shutdown');
    for (const conn of this.#connections) conn.close(ECHO_SHUTDOWN, reason);
  }
}

/** Echoes one stream; never rejects (a failed stream is reset, a closed connection just ends it). */
async function echoStream({ send, recv }: BiStream): Promise<void> {
  try {
    for (let chunk = await recv.read(); chunk !== null; chunk = await recv.read()) await send.writeAll(chunk);
    await send.finish();
  } catch {
    await send.reset(ECHO_STREAM_FAILED).catch(() => {});
  }
}
