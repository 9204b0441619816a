import { RelayServer } from '@iroh-ts/relay/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type Connection, Endpoint, presetMinimal, RelayMode } from '../src/index.js';

const ALPN = 'iroh-ts/test/failover/1';
const endpoints: Endpoint[] = [];
const relays: RelayServer[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
  await Promise.all(relays.splice(0).map((r) => r.stop().catch(() => {})));
});

async function relay(port = 0): Promise<RelayServer> {
  const r = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port } });
  relays.push(r);
  return r;
}

/** A relay-only endpoint (no UDP sockets at all), so every packet crosses a relay. */
async function relayOnly(urls: string[]): Promise<Endpoint> {
  const b = Endpoint.builder();
  presetMinimal(b);
  const ep = await b.clearIpTransports().relayMode(RelayMode.customFromUrls(urls)).alpns([ALPN]).bind();
  endpoints.push(ep);
  await ep.online();
  return ep;
}

/** Echoes every bi stream of the first connection. */
function serveEcho(ep: Endpoint): Promise<Connection> {
  return (async () => {
    const inc = await ep.acceptNext();
    const conn = await (await inc!.accept()).connect();
    void (async () => {
      for (;;) {
        const bi = await conn.acceptBi().catch(() => null);
        if (!bi) return;
        void (async () => {
          await bi.send.writeAll(await bi.recv.readToEnd(1 << 20));
          await bi.send.finish();
        })().catch(() => {});
      }
    })();
    return conn;
  })();
}

async function echo(conn: Connection, byte: number): Promise<number[]> {
  const { send, recv } = await conn.openBi();
  await send.writeAll(Uint8Array.of(byte));
  await send.finish();
  return [...(await recv.readToEnd(16))];
}

/** Resolves once `cond()` holds (checked every 20 ms); rejects with `what` after `ms`. */
async function until(ms: number, what: string, cond: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits for `p` at most `ms`; rejects with `what` after that (a deadline, not a measurement). */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

describe('relays: home relay, failover and reconnect', () => {
  it('relay-only endpoints advertise their home relay and connect through it', async () => {
    const r = await relay();
    const a = await relayOnly([r.url]);
    const b = await relayOnly([r.url]);
    expect(a.addr().relayUrl()).toBe(r.url);
    expect(a.addr().directAddresses()).toEqual([]);
    const served = serveEcho(b);
    const conn = await a.connect(b.addr(), ALPN);
    expect(await echo(conn, 1)).toEqual([1]);
    expect(conn.paths()[0]).toMatchObject({ isRelay: true, isIp: false, remoteAddr: r.url });
    const incoming = await served;
    expect(incoming.paths()[0]).toMatchObject({ isRelay: true, remoteAddr: r.url });
    expect(a.stats().send_data_relay!.value).toBeGreaterThan(0);
    expect(a.stats().send_data_direct!.value).toBe(0);
  });

  it('with two relays, killing the home relay re-homes and an idle connection resumes within 10 s', async () => {
    const r1 = await relay();
    const r2 = await relay();
    const a = await relayOnly([r1.url, r2.url]);
    const b = await relayOnly([r1.url, r2.url]);
    const served = serveEcho(b);
    const conn = await a.connect(b.addr(), ALPN);
    expect(await echo(conn, 1)).toEqual([1]);
    await served;
    // Kill A's home relay (B may be homed there too).
    const home = a.addr().relayUrl();
    const dead = home === r1.url ? r1 : r2;
    const alive = dead === r1 ? r2 : r1;
    const rehomed = new Promise<string[]>((resolve) => a.watchHomeRelay(resolve));
    await dead.stop();
    expect(await within(10_000, 'A re-homes', rehomed)).toEqual([alive.url]);
    expect(await within(10_000, 'the connection resumes', echo(conn, 2))).toEqual([2]);
    expect(conn.paths()[0]).toMatchObject({ isRelay: true });
    expect(conn.closeReason()).toBeNull();
  });

  it('with one relay, the endpoint reconnects when the relay comes back and the connection resumes', async () => {
    const r = await relay();
    const port = Number(new URL(r.url).port);
    const a = await relayOnly([r.url]);
    const b = await relayOnly([r.url]);
    const served = serveEcho(b);
    const conn = await a.connect(b.addr(), ALPN);
    expect(await echo(conn, 1)).toEqual([1]);
    await served;
    const homeConnected = () => a.stats().relay_home_connected!.value;
    expect(homeConnected()).toBe(1);
    await r.stop();
    relays.splice(relays.indexOf(r), 1);
    await until(10_000, 'A notices the relay is gone', () => homeConnected() === 0);
    await relay(port);
    await until(30_000, 'A is back online', () => homeConnected() === 1);
    await a.online();
    expect(await within(30_000, 'the connection resumes', echo(conn, 3))).toEqual([3]);
    expect(a.addr().relayUrl()).toBe(r.url);
  });
});
