import type { PublicKey, SecretKey } from '@iroh-ts/base';
import { afterEach } from 'vitest';
import { type ReceivedDatagrams, RelayClient, type RelayClientOptions } from '../../src/index.js';
import { RelayServer, type RelayServerOptions } from '../../src/server/index.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Registers a cleanup to run after the current test. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** Starts a relay on an ephemeral loopback port, stopped after the test. */
export async function startRelay(options: RelayServerOptions = {}): Promise<RelayServer> {
  const server = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 }, ...options });
  onCleanup(() => server.stop({ graceMs: 200 }));
  return server;
}

/** A client of `server` (not yet connected), closed after the test. */
export function client(
  url: string,
  secretKey: SecretKey,
  options: Partial<RelayClientOptions> = {},
): RelayClient {
  const c = new RelayClient({ url, secretKey, ...options });
  onCleanup(() => c.close());
  return c;
}

/** Connects a client; resolves when connected. */
export async function connected(
  url: string,
  secretKey: SecretKey,
  options: Partial<RelayClientOptions> = {},
): Promise<RelayClient> {
  const c = client(url, secretKey, options);
  await c.connect();
  return c;
}

/** Resolves with the next datagrams `c` receives (optionally from `src`). */
export function nextDatagrams(c: RelayClient, src?: PublicKey, timeoutMs = 5000): Promise<ReceivedDatagrams> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for datagrams'));
    }, timeoutMs);
    const off = c.on('datagrams', (d) => {
      if (src !== undefined && !d.src.equals(src)) return;
      clearTimeout(timer);
      off();
      resolve(d);
    });
  });
}

/** Polls `cond` until true (every 5 ms), failing after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves with the next payload of `event`. */
export function nextEvent<T>(subscribe: (fn: (v: T) => void) => () => void, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for event'));
    }, timeoutMs);
    const off = subscribe((v) => {
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}
