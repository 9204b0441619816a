/**
 * The QAD server's UDP sockets, as `@iroh-ts/quic` datagram transports. Unlike the QUIC package's
 * `NodeUdpTransport`, an IPv6 socket can be made IPv6-only (so an IPv4 socket can share its port), and a
 * dual-stack socket reports IPv4 clients by their plain IPv4 address instead of `[::ffff:a.b.c.d]`:
 * the address a QAD server reports is what the client should publish.
 *
 * @module
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { SocketAddr } from '@iroh-ts/base';
import type { UdpTransport } from '@iroh-ts/quic';
import { RelayServerError } from './errors.js';

const MAPPED_PREFIX = '::ffff:';

/** A UDP socket for a QAD server. */
export class QadUdpSocket implements UdpTransport {
  readonly localAddress: string;
  readonly #socket: Socket;
  readonly #v6: boolean;
  #callback: ((from: string, data: Uint8Array) => void) | undefined;
  /** Parsed destinations (a QAD server sends to each client a few times). */
  readonly #destinations = new Map<string, { ip: string; port: number }>();
  /** Datagrams that could not be sent for a bad destination, and socket errors. */
  sendErrors = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const a = socket.address();
    this.#v6 = a.family === 'IPv6';
    this.localAddress = this.#v6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
    socket.on('message', (msg, rinfo) => {
      let from: string;
      if (rinfo.family !== 'IPv6') from = `${rinfo.address}:${rinfo.port}`;
      else if (rinfo.address.startsWith(MAPPED_PREFIX) && isIPv4(rinfo.address.slice(MAPPED_PREFIX.length)))
        from = `${rinfo.address.slice(MAPPED_PREFIX.length)}:${rinfo.port}`;
      else from = `[${rinfo.address}]:${rinfo.port}`;
      this.#callback?.(from, new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
    });
    socket.on('error', () => {
      this.sendErrors++;
    });
  }

  /**
   * Binds `addr` (`ip:port` or `[v6]:port`; port 0 picks one). An IPv6 address binds a dual-stack
   * socket unless `ipv6Only`.
   *
   * @throws {@link RelayServerError} `InvalidConfig` for a bad address, `BindFailed` when it cannot bind.
   */
  static async bind(addr: string, options: { readonly ipv6Only?: boolean } = {}): Promise<QadUdpSocket> {
    let sa: SocketAddr;
    try {
      sa = SocketAddr.parse(addr);
    } catch (e) {
      throw new RelayServerError('InvalidConfig', `bad QAD bind address ${JSON.stringify(addr)}`, {
        cause: e,
      });
    }
    const socket = createSocket({
      type: sa.family === 6 ? 'udp6' : 'udp4',
      ipv6Only: sa.family === 6 && options.ipv6Only === true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => {
        socket.close();
        reject(new RelayServerError('BindFailed', `cannot bind UDP ${addr}: ${err.message}`, { cause: err }));
      });
      socket.bind(sa.port, sa.ip(), () => {
        socket.removeAllListeners('error');
        resolve();
      });
    });
    return new QadUdpSocket(socket);
  }

  send(destination: string, data: Uint8Array): void {
    let dest = this.#destinations.get(destination);
    if (dest === undefined) {
      let sa: SocketAddr;
      try {
        sa = SocketAddr.parse(destination);
      } catch {
        this.sendErrors++;
        return;
      }
      // A dual-stack socket reaches an IPv4 client through its mapped address.
      dest = { ip: this.#v6 && sa.family === 4 ? `${MAPPED_PREFIX}${sa.ip()}` : sa.ip(), port: sa.port };
      if (this.#destinations.size >= 4096) this.#destinations.clear();
      this.#destinations.set(destination, dest);
    }
    this.#socket.send(data, dest.port, dest.ip);
  }

  onReceive(callback: (from: string, data: Uint8Array) => void): void {
    this.#callback = callback;
  }

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
