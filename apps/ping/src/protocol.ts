/**
 * The ping protocol (ALPN `iroh-ts/ping/0`), as in iroh's "Connect two endpoints" tutorial: the
 * client opens a bidirectional stream, sends {@link PING_SIZE} random bytes and finishes; the server
 * sends the same bytes back and finishes. The time from opening the stream to the last byte coming
 * back is the round-trip time.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@iroh-ts/cli-common';
import type { BiStream, Connection, ProtocolHandler } from '@iroh-ts/endpoint';

/** The ALPN of the ping protocol. */
export const PING_ALPN = 'iroh-ts/ping/0';
/** The size of a ping (and of its pong), in bytes. */
export const PING_SIZE = 32;
/** The stream error code a malformed ping is reset with. */
export const PING_MALFORMED = 1n;

/** A pong that did not match its ping. */
export class PingMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PingMismatchError';
  }
}

/** Serves pings: every stream of {@link PING_SIZE} bytes is echoed. Register it with a `Router`. */
export class Ping implements ProtocolHandler {
  readonly #connections = new Set<Connection>();
  readonly #log: Logger | undefined;

  constructor(log?: Logger) {
    this.#log = log;
  }

  /** Answers the pings of one connection until it closes. */
  async accept(conn: Connection): Promise<void> {
    this.#connections.add(conn);
    const remote = conn.remoteId().toString();
    const [path] = conn.paths();
    this.#log?.info('connection accepted', { remote, path: path?.isRelay ? 'relay' : 'direct' });
    let pings = 0;
    try {
      for (;;) {
        let bi: BiStream;
        try {
          bi = await conn.acceptBi();
        } catch {
          break; // closed by the client (or by shutdown)
        }
        if (await pong(bi)) pings++;
      }
    } finally {
      this.#connections.delete(conn);
      this.#log?.info('connection closed', { remote, pings });
    }
  }

  /** Closes the connections being served, so the router's shutdown does not wait for clients. */
  async shutdown(): Promise<void> {
    const reason = new TextEncoder().encode('shutting down');
    for (const conn of this.#connections) conn.close(0n, reason);
  }
}

/** Answers one ping; false if it was malformed or the stream failed. */
async function pong({ send, recv }: BiStream): Promise<boolean> {
  try {
    const data = await recv.readToEnd(PING_SIZE);
    if (data.length !== PING_SIZE) {
      await send.reset(PING_MALFORMED);
      return false;
    }
    await send.writeAll(data);
    await send.finish();
    return true;
  } catch {
    await send.reset(PING_MALFORMED).catch(() => {});
    return false;
  }
}

/**
 * Sends one ping on `conn` and resolves with the round-trip time in milliseconds.
 *
 * @throws {@link PingMismatchError} when the pong differs from the ping; a stream or connection
 *   error when the stream fails.
 */
export async function ping(conn: Connection): Promise<number> {
  const payload = new Uint8Array(randomBytes(PING_SIZE));
  const started = performance.now();
  const { send, recv } = await conn.openBi();
  await send.writeAll(payload);
  await send.finish();
  const back = await recv.readToEnd(PING_SIZE);
  const rtt = performance.now() - started;
  if (Buffer.compare(back, payload) !== 0)
    throw new PingMismatchError(
      `the pong (${back.length} bytes) does not match the ping (${PING_SIZE} bytes)`,
    );
  return rtt;
}
