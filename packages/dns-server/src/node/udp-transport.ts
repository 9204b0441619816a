import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { DnsTransport } from '../client/dns-lookup.js';

/** A DNS server address. */
export interface DnsServerAddr {
  readonly host: string;
  readonly port: number;
}

/**
 * DNS over UDP: one socket per query; the first datagram from the server whose ID matches the query is the
 * response.
 */
export class UdpTransport implements DnsTransport {
  readonly #server: DnsServerAddr;

  constructor(server: DnsServerAddr) {
    this.#server = server;
  }

  query(query: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      const socket = createSocket(isIPv6(this.#server.host) ? 'udp6' : 'udp4');
      const finish = (err: unknown, value?: Uint8Array) => {
        signal.removeEventListener('abort', onAbort);
        try {
          socket.close();
        } catch {
          // already closed
        }
        if (value) resolve(value);
        else reject(err);
      };
      const onAbort = () => finish(signal.reason ?? new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('error', (err) => finish(err));
      socket.on('message', (msg) => {
        if (msg.length >= 2 && msg[0] === query[0] && msg[1] === query[1])
          finish(undefined, new Uint8Array(msg));
      });
      socket.send(query, this.#server.port, this.#server.host, (err) => {
        if (err) finish(err);
      });
    });
  }
}
