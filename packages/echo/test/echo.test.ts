import { randomBytes } from 'node:crypto';
import { Endpoint, presetMinimal, Router } from '@iroh-ts/endpoint';
import { afterEach, describe, expect, it } from 'vitest';
import { ECHO_ALPN, ECHO_SHUTDOWN, ECHO_STREAM_FAILED, Echo, echo } from '../src/index.js';

const endpoints: Endpoint[] = [];
const routers: Router[] = [];
afterEach(async () => {
  await Promise.all(routers.splice(0).map((r) => r.shutdown()));
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

async function bind(): Promise<Endpoint> {
  const b = Endpoint.builder();
  presetMinimal(b);
  const ep = await b.bindAddr('127.0.0.1:0').bind();
  endpoints.push(ep);
  return ep;
}

async function echoServer(): Promise<{ ep: Endpoint; router: Router }> {
  const ep = await bind();
  const router = Router.builder(ep).accept(ECHO_ALPN, new Echo()).spawn();
  routers.push(router);
  return { ep, router };
}

const bytes = (n: number) => new Uint8Array(randomBytes(n));

describe('echo', () => {
  it('echoes small, empty and multi-megabyte payloads byte for byte', async () => {
    const { ep: server } = await echoServer();
    const client = await bind();
    const hello = new TextEncoder().encode('hello, echo');
    expect(new TextDecoder().decode(await echo(client, server.addr(), hello))).toBe('hello, echo');
    expect(await echo(client, server.addr(), new Uint8Array(0))).toEqual(new Uint8Array(0));
    // Larger than the stream windows: only works when the client reads while it writes.
    const big = bytes(3 * 1024 * 1024 + 17);
    const back = await echo(client, server.addr(), big);
    expect(back.length).toBe(big.length);
    expect(Buffer.compare(back, big)).toBe(0);
  });

  it('serves several concurrent streams on one connection without mixing them', async () => {
    const { ep: server } = await echoServer();
    const client = await bind();
    const conn = await client.connect(server.addr(), ECHO_ALPN);
    const payloads = Array.from({ length: 8 }, (_, i) => bytes(1000 * (i + 1) + i));
    const results = await Promise.all(
      payloads.map(async (p) => {
        const { send, recv } = await conn.openBi();
        const [, back] = await Promise.all([
          send.writeAll(p).then(() => send.finish()),
          recv.readToEnd(1 << 20),
        ]);
        return back;
      }),
    );
    results.forEach((r, i) => {
      expect(Buffer.compare(r, payloads[i]!)).toBe(0);
    });
    conn.close(0n);
  });

  it('echoes as data arrives, before the client finishes', async () => {
    const { ep: server } = await echoServer();
    const client = await bind();
    const conn = await client.connect(server.addr(), ECHO_ALPN);
    const { send, recv } = await conn.openBi();
    for (const word of ['one', 'two', 'three']) {
      const data = new TextEncoder().encode(word);
      await send.writeAll(data);
      expect(new TextDecoder().decode(await recv.readExact(data.length))).toBe(word);
    }
    await send.finish();
    expect(await recv.read()).toBeNull();
    conn.close(0n);
  });

  it('a stream reset by the client is reset back; other streams keep working', async () => {
    const { ep: server } = await echoServer();
    const client = await bind();
    const conn = await client.connect(server.addr(), ECHO_ALPN);
    const broken = await conn.openBi();
    await broken.send.writeAll(Uint8Array.of(1, 2, 3));
    expect([...(await broken.recv.readExact(3))]).toEqual([1, 2, 3]);
    await broken.send.reset(42n);
    await expect(broken.recv.read()).rejects.toMatchObject({ code: 'Reset', errorCode: ECHO_STREAM_FAILED });
    const ok = await conn.openBi();
    await ok.send.writeAll(Uint8Array.of(7));
    await ok.send.finish();
    expect([...(await ok.recv.readToEnd(10))]).toEqual([7]);
    conn.close(0n);
  });

  it('answers several clients at once', async () => {
    const { ep: server } = await echoServer();
    const clients = await Promise.all([bind(), bind(), bind()]);
    const payloads = clients.map((_, i) => bytes(50_000 + i));
    const backs = await Promise.all(clients.map((c, i) => echo(c, server.addr(), payloads[i]!)));
    backs.forEach((b, i) => {
      expect(Buffer.compare(b, payloads[i]!)).toBe(0);
    });
  });

  it('router.shutdown() closes the connections being served and the endpoint', async () => {
    const { ep: server, router } = await echoServer();
    const client = await bind();
    const conn = await client.connect(server.addr(), ECHO_ALPN);
    // An idle client connection that never closes: Echo.shutdown must close it, or the router's
    // shutdown (which waits for the connections being served) never resolves.
    const { send, recv } = await conn.openBi();
    await send.writeAll(Uint8Array.of(5));
    expect([...(await recv.readExact(1))]).toEqual([5]);
    await withDeadline(router.shutdown(), 10_000, 'router.shutdown()');
    expect(router.isShutdown()).toBe(true);
    expect(server.isClosed()).toBe(true);
    expect(await server.acceptNext()).toBeNull();
  });

  it('the client is told when the router shuts down', async () => {
    const { ep: server, router } = await echoServer();
    const client = await bind();
    const conn = await client.connect(server.addr(), ECHO_ALPN);
    const { send, recv } = await conn.openBi();
    await send.writeAll(Uint8Array.of(5));
    await recv.readExact(1);
    await router.shutdown();
    const reason = await withDeadline(conn.closed(), 3_000, 'the client seeing the close');
    expect(reason).toMatchObject({ kind: 'application', errorCode: ECHO_SHUTDOWN, remote: true });
    expect(new TextDecoder().decode((reason as { reason: Uint8Array }).reason)).toBe('shutdown');
  });
});

/** Resolves like `p`, or rejects once `ms` passed. */
async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
