import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { DnsHandler } from './handler.js';

/** A bound socket address. */
export interface BoundAddr {
  readonly host: string;
  readonly port: number;
}

/**
 * Serves DNS over UDP: one datagram in, at most one datagram out. A handler failure or a send error is
 * counted and dropped; the socket keeps serving.
 */
export class UdpDnsServer {
  readonly #socket: Socket;
  readonly #handler: DnsHandler;
  #errors = 0;

  private constructor(socket: Socket, handler: DnsHandler) {
    this.#socket = socket;
    this.#handler = handler;
  }

  /** Binds `host:port` (port 0 picks a free port). */
  static bind(handler: DnsHandler, port: number, host: string): Promise<UdpDnsServer> {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    const server = new UdpDnsServer(socket, handler);
    socket.on('message', (msg, rinfo) => server.#onMessage(msg, rinfo.address, rinfo.port));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', () => {
          server.#errors++;
        });
        resolve(server);
      });
    });
  }

  /** The bound address. */
  get address(): BoundAddr {
    const a = this.#socket.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Messages that failed in the handler or could not be sent. */
  get errors(): number {
    return this.#errors;
  }

  #onMessage(msg: Buffer, address: string, port: number): void {
    const query = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    this.#handler.handle(query, 'udp').then(
      (response) => {
        if (!response) return;
        this.#socket.send(response, port, address, (err) => {
          if (err) this.#errors++;
        });
      },
      () => {
        this.#errors++;
      },
    );
  }

  /** Closes the socket. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
