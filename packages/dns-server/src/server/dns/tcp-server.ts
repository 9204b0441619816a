import { createServer, type Server, type Socket } from 'node:net';
import type { DnsHandler } from './handler.js';
import type { BoundAddr } from './udp-server.js';

/** Options of {@link TcpDnsServer}. */
export interface TcpDnsOptions {
  /** Close a connection idle for this long (RFC 7766 §6.2.3). @defaultValue 10,000 ms */
  readonly idleTimeoutMs?: number;
  /** Most queries answered concurrently per connection; reading pauses beyond it. @defaultValue 32 */
  readonly maxInFlight?: number;
}

/**
 * Serves DNS over TCP: two-byte length-prefixed messages, pipelined (RFC 7766); responses may be written
 * out of order and carry the query ID. A query without a response (e.g. a response sent to us) closes the
 * connection.
 */
export class TcpDnsServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens on `host:port` (port 0 picks a free port). */
  static listen(
    handler: DnsHandler,
    port: number,
    host: string,
    options: TcpDnsOptions = {},
  ): Promise<TcpDnsServer> {
    const idle = options.idleTimeoutMs ?? 10_000;
    const maxInFlight = options.maxInFlight ?? 32;
    const server = createServer({ allowHalfOpen: true });
    const tcp = new TcpDnsServer(server);
    server.on('connection', (socket) => tcp.#serve(socket, handler, idle, maxInFlight));
    server.on('error', () => {});
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(tcp);
      });
    });
  }

  /** The bound address. */
  get address(): BoundAddr {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('TCP DNS server is not listening');
    return { host: a.address, port: a.port };
  }

  #serve(socket: Socket, handler: DnsHandler, idle: number, maxInFlight: number): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    if (idle > 0) socket.setTimeout(idle, () => socket.destroy());
    let buffered: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    let ended = false;
    const maybeEnd = () => {
      if (ended && inFlight === 0 && !socket.destroyed) socket.end();
    };
    const drain = () => {
      while (buffered.length >= 2 && inFlight < maxInFlight) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        inFlight++;
        handler.handle(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), 'tcp').then(
          (response) => {
            inFlight--;
            if (socket.destroyed) return;
            if (!response) {
              socket.destroy();
              return;
            }
            const frame = Buffer.allocUnsafe(2 + response.length);
            frame.writeUInt16BE(response.length, 0);
            frame.set(response, 2);
            socket.write(frame);
            if (socket.isPaused()) socket.resume();
            drain();
            maybeEnd();
          },
          () => socket.destroy(),
        );
      }
      if (inFlight >= maxInFlight) socket.pause();
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      drain();
    });
    socket.on('end', () => {
      ended = true;
      if (buffered.length > 0 && inFlight === 0) {
        socket.destroy();
        return;
      }
      maybeEnd();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#sockets.delete(socket));
  }

  /** Stops listening and closes open connections. */
  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
