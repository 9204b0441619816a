/**
 * Acceptance (endpoint issue): the home relay dies (our relay app, kill -9) under an idle relayed
 * connection. With two relays configured the endpoints re-home and the connection resumes within
 * 10 s; with one, it resumes once the relay is back on its port. Relay-only endpoints (no UDP
 * sockets), so every packet crosses a relay.
 */
import { type Connection, Endpoint, presetMinimal, RelayMode } from '@iroh-ts/endpoint';
import { afterEach, describe, expect, it } from 'vitest';
import { findRelayApp, type Running, startRelayApp } from '../src/dns-peers.js';

const ALPN = 'iroh-ts/test/relay-kill/1';
const relayApp = findRelayApp();
const skip = 'skip' in relayApp ? relayApp.skip : null;
if (skip) console.warn(`SKIP endpoint-relay-kill: ${skip}`);

const procs: Running[] = [];
const endpoints: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
  await Promise.all(procs.splice(0).map((p) => p.stop()));
});

async function relay(port = 0): Promise<Running & { url: string }> {
  const r = await startRelayApp((relayApp as { path: string }).path, port);
  procs.push(r);
  return r;
}

async function relayOnly(urls: string[]): Promise<Endpoint> {
  const b = Endpoint.builder();
  presetMinimal(b);
  const ep = await b.clearIpTransports().relayMode(RelayMode.customFromUrls(urls)).alpns([ALPN]).bind();
  endpoints.push(ep);
  await ep.online();
  return ep;
}

function serveEcho(ep: Endpoint): void {
  void (async () => {
    const conn = await (await (await ep.acceptNext())!.accept()).connect();
    for (;;) {
      const bi = await conn.acceptBi().catch(() => null);
      if (!bi) return;
      void (async () => {
        await bi.send.writeAll(await bi.recv.readToEnd(1024));
        await bi.send.finish();
      })().catch(() => {});
    }
  })().catch(() => {});
}

async function echo(conn: Connection, byte: number): Promise<number[]> {
  const { send, recv } = await conn.openBi();
  await send.writeAll(Uint8Array.of(byte));
  await send.finish();
  return [...(await recv.readToEnd(16))];
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

async function kill9(r: Running): Promise<void> {
  const exited = new Promise((resolve) => r.child.once('exit', resolve));
  r.child.kill('SIGKILL');
  await exited;
}

describe.skipIf(skip !== null)('the home relay app is killed (kill -9) under a relayed connection', () => {
  it('two relays: the endpoints re-home and the connection resumes within 10 s', async () => {
    const [r1, r2] = await Promise.all([relay(), relay()]);
    const a = await relayOnly([r1.url, r2.url]);
    const b = await relayOnly([r1.url, r2.url]);
    serveEcho(b);
    const conn = await a.connect(b.addr(), ALPN);
    expect(await echo(conn, 1)).toEqual([1]);
    const dead = a.addr().relayUrl() === r1.url ? r1 : r2;
    const alive = dead === r1 ? r2 : r1;
    const rehomed = new Promise<string[]>((resolve) => a.watchHomeRelay(resolve));
    await kill9(dead);
    expect(await within(10_000, 'A re-homes', rehomed)).toEqual([alive.url]);
    expect(await within(10_000, 'the connection resumes', echo(conn, 2))).toEqual([2]);
    expect(conn.closeReason()).toBeNull();
  }, 60_000);

  it('one relay: the connection resumes once the relay is back on its port', async () => {
    const r = await relay();
    const port = Number(new URL(r.url).port);
    const a = await relayOnly([r.url]);
    const b = await relayOnly([r.url]);
    serveEcho(b);
    const conn = await a.connect(b.addr(), ALPN);
    expect(await echo(conn, 1)).toEqual([1]);
    await kill9(r);
    await relay(port);
    expect(await within(30_000, 'the connection resumes', echo(conn, 3))).toEqual([3]);
    expect(a.addr().relayUrl()).toBe(r.url);
  }, 60_000);
});
