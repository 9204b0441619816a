import { connect } from 'node:net';
import type { DnsTransport } from '../client/dns-lookup.js';
import type { DnsServerAddr } from './udp-transport.js';

/** DNS over TCP: one connection per query, two-byte length prefix (RFC 1035 §4.2.2). */
export class TcpTransport implements DnsTransport {
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
      const socket = connect({ host: this.#server.host, port: this.#server.port });
      let buffered = Buffer.alloc(0);
      let done = false;
      const finish = (err: unknown, value?: Uint8Array) => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        if (value) resolve(value);
        else reject(err);
      };
      const onAbort = () => finish(signal.reason ?? new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('connect', () => {
        const frame = Buffer.allocUnsafe(2 + query.length);
        frame.writeUInt16BE(query.length, 0);
        frame.set(query, 2);
        socket.write(frame);
      });
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2) {
          const len = buffered.readUInt16BE(0);
          if (buffered.length >= 2 + len) finish(undefined, new Uint8Array(buffered.subarray(2, 2 + len)));
        }
      });
      socket.on('error', (err) => finish(err));
      socket.on('close', () => finish(new Error('connection closed before a response')));
    });
  }
}
