/**
 * The datagram transport under a QUIC endpoint: send a datagram to an address, deliver received ones.
 * Addresses are strings (`ip:port`, `[v6]:port`, or anything a custom transport understands), which is
 * what lets the iroh socket layer plug relays and custom transports in under QUIC.
 */
import { createSocket, type Socket } from 'node:dgram';
import { SocketAddr } from '@iroh-ts/base';

/** A datagram transport. */
export interface UdpTransport {
  /** Our address as peers see it on this transport (for UDP: the bound `ip:port`). */
  readonly localAddress: string;
  /** Sends one datagram; never throws (a datagram that cannot be sent is lost, as on the wire). */
  send(destination: string, data: Uint8Array): void;
  /** Registers the receive callback (one per transport). */
  onReceive(callback: (from: string, data: Uint8Array) => void): void;
  /** Stops receiving and releases the socket. */
  close(): Promise<void>;
}

/** A UDP socket from node:dgram. */
export class NodeUdpTransport implements UdpTransport {
  readonly localAddress: string;
  private readonly socket: Socket;
  private callback: ((from: string, data: Uint8Array) => void) | undefined;
  /**
   * Datagrams not sent for a bad destination, plus socket errors. A send the kernel refuses (e.g.
   * EHOSTUNREACH) is not counted: node:dgram reports those only to a per-datagram callback, which
   * costs a callback turn per packet. QUIC treats such datagrams as lost either way.
   */
  sendErrors = 0;
  /** Parsed destinations: connections send to a handful of addresses, many times. */
  private readonly destinations = new Map<string, { ip: string; port: number }>();

  private constructor(socket: Socket) {
    this.socket = socket;
    const a = socket.address();
    this.localAddress = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
    // Datagrams mostly come from the same few peers: reuse the last sender's address string.
    let lastIp = '';
    let lastPort = -1;
    let lastFrom = '';
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== lastPort || rinfo.address !== lastIp) {
        lastIp = rinfo.address;
        lastPort = rinfo.port;
        lastFrom = rinfo.family === 'IPv6' ? `[${lastIp}]:${lastPort}` : `${lastIp}:${lastPort}`;
      }
      this.callback?.(lastFrom, new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
    });
    socket.on('error', () => {
      this.sendErrors++;
    });
  }

  /** Binds a UDP socket to `addr` (`ip:port`; port 0 picks a free one). */
  static async bind(addr = '127.0.0.1:0'): Promise<NodeUdpTransport> {
    const sa = SocketAddr.parse(addr);
    const socket = createSocket({
      type: sa.family === 6 ? 'udp6' : 'udp4',
      recvBufferSize: 4 << 20,
      sendBufferSize: 4 << 20,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(sa.port, sa.ip(), () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new NodeUdpTransport(socket);
  }

  send(destination: string, data: Uint8Array): void {
    let dest = this.destinations.get(destination);
    if (!dest) {
      try {
        const sa = SocketAddr.parse(destination);
        dest = { ip: sa.ip(), port: sa.port };
      } catch {
        this.sendErrors++;
        return;
      }
      if (this.destinations.size > 1024) this.destinations.clear();
      this.destinations.set(destination, dest);
    }
    // No per-datagram callback (see `sendErrors`).
    this.socket.send(data, dest.port, dest.ip);
  }

  onReceive(callback: (from: string, data: Uint8Array) => void): void {
    this.callback = callback;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
