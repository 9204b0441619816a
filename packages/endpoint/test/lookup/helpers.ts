import { createSocket, type Socket } from 'node:dgram';
import { SecretKey } from '@iroh-ts/base';
import { UdpTransport } from '@iroh-ts/dns-server/node';
import { PkarrServer } from '@iroh-ts/dns-server/server';
import { DnsLookup } from '../../src/lookup/index.js';

/** The DNS origin the test servers answer for. */
export const ORIGIN = 'lookup.iroh.test.';

/** A deterministic secret key from a byte. */
export function keyFrom(byte: number): SecretKey {
  return SecretKey.fromBytes(new Uint8Array(32).fill(byte));
}

/** A real pkarr relay + DNS server on 127.0.0.1 (random ports, memory store, no rate limit). */
export function startServer(): Promise<PkarrServer> {
  return PkarrServer.start({
    http: { host: '127.0.0.1', port: 0, rateLimit: 'disabled' },
    dns: { host: '127.0.0.1', port: 0, origins: [ORIGIN] },
    eviction: false,
  });
}

/** A DnsLookup asking `server` over UDP. */
export function dnsLookupFor(server: PkarrServer): DnsLookup {
  return new DnsLookup({
    origin: ORIGIN,
    transport: new UdpTransport({ host: '127.0.0.1', port: server.dnsUdpAddr!.port }),
  });
}

/** An http URL on 127.0.0.1 where nothing listens: a server's port after it stopped. */
export async function deadPkarrUrl(): Promise<string> {
  const server = await PkarrServer.start({
    http: { host: '127.0.0.1', port: 0 },
    dns: false,
    eviction: false,
  });
  const url = server.pkarrUrl!;
  await server.stop();
  return url;
}

/** A UDP socket on 127.0.0.1 that receives DNS queries and never answers. */
export function silentUdpServer(): Promise<{ socket: Socket; port: number; received: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const received = new Promise<void>((r) => socket.once('message', () => r()));
    socket.bind(0, '127.0.0.1', () => resolve({ socket, port: socket.address().port, received }));
  });
}

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

/** Rejects if `promise` has not settled within `ms` (a deadline against hangs, not a timing claim). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
