import { afterEach, describe, expect, it } from 'vitest';
import { ConnectError, Endpoint, EndpointAddr, HookOutcome, presetMinimal, Side } from '../src/index.js';

const ALPN = 'iroh-ts/test/echo/1';
const endpoints: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

async function bind(alpns: string[] = [ALPN]): Promise<Endpoint> {
  const b = Endpoint.builder();
  presetMinimal(b);
  const ep = await b.bindAddr('127.0.0.1:0').alpns(alpns).bind();
  endpoints.push(ep);
  return ep;
}

/** Serves one echo connection: every bi stream is echoed back. */
async function serveEcho(ep: Endpoint): Promise<void> {
  const inc = await ep.acceptNext();
  const conn = await (await inc!.accept()).connect();
  for (;;) {
    const bi = await conn.acceptBi().catch(() => null);
    if (!bi) return;
    void (async () => {
      await bi.send.writeAll(await bi.recv.readToEnd(64 << 20));
      await bi.send.finish();
    })().catch(() => {});
  }
}

describe('Endpoint: direct connections on loopback', () => {
  it('addr() holds the bound loopback address and no relay', async () => {
    const ep = await bind();
    expect(ep.boundSockets()).toHaveLength(1);
    expect(ep.addr().directAddresses()).toEqual(ep.boundSockets());
    expect(ep.addr().relayUrl()).toBeNull();
    expect(ep.addr().id().equals(ep.id())).toBe(true);
  });

  it('dials by EndpointAddr and echoes; both sides see each other and the path is direct', async () => {
    const a = await bind();
    const b = await bind();
    const served = serveEcho(b);
    const conn = await a.connect(b.addr(), ALPN);
    expect(conn.remoteId().equals(b.id())).toBe(true);
    expect(new TextDecoder().decode(conn.alpn())).toBe(ALPN);
    expect(conn.side()).toBe(Side.Client);
    const { send, recv } = await conn.openBi();
    await send.writeAll(Uint8Array.of(1, 2, 3));
    await send.finish();
    expect([...(await recv.readToEnd(100))]).toEqual([1, 2, 3]);
    const [path] = conn.paths();
    expect(path).toMatchObject({
      isIp: true,
      isRelay: false,
      isSelected: true,
      remoteAddr: b.boundSockets()[0],
    });
    conn.close(0n);
    await served;
  });

  it('fails fast with NoAddress for an unknown id without lookup', async () => {
    const a = await bind();
    const b = await bind();
    const err = await a.connect(b.id(), ALPN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe('NoAddress');
  });

  it('connects by id alone once the address was added to the memory lookup', async () => {
    const a = await bind();
    const b = await bind();
    a.addAddress(b.addr());
    const served = serveEcho(b);
    const conn = await a.connect(b.id(), ALPN);
    expect(conn.remoteId().equals(b.id())).toBe(true);
    const { send, recv } = await conn.openBi();
    await send.writeAll(Uint8Array.of(9));
    await send.finish();
    expect([...(await recv.readToEnd(10))]).toEqual([9]);
    conn.close(0n);
    await served;
  });

  it('refuses self-connects and empty ALPNs with typed errors', async () => {
    const a = await bind();
    await expect(a.connect(a.addr(), ALPN)).rejects.toMatchObject({ code: 'SelfConnect' });
    const b = await bind();
    await expect(a.connect(b.addr(), new Uint8Array(0))).rejects.toMatchObject({ code: 'EmptyAlpn' });
  });

  it('a handshake against the wrong EndpointId fails with a typed error', async () => {
    const a = await bind();
    const b = await bind();
    const c = await bind();
    void b.acceptNext().then((inc) =>
      inc
        ?.accept()
        .then((x) => x.connect())
        .catch(() => {}),
    );
    // c's id at b's address: b cannot prove c's key.
    const wrong = new EndpointAddr(c.id(), null, b.boundSockets());
    const err = await a.connect(wrong, ALPN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe('Connection');
  });

  it('a beforeConnect hook rejects locally; an afterHandshake hook closes with its code', async () => {
    const b = Endpoint.builder();
    presetMinimal(b);
    const a = await b
      .bindAddr('127.0.0.1:0')
      .hooks({
        beforeConnect: (addr) =>
          addr.directAddresses().length > 5 ? HookOutcome.accept() : HookOutcome.reject(),
      })
      .bind();
    endpoints.push(a);
    const server = await (() => {
      const sb = Endpoint.builder();
      presetMinimal(sb);
      return sb
        .bindAddr('127.0.0.1:0')
        .alpns([ALPN])
        .hooks({ afterHandshake: () => HookOutcome.reject(403n, 'not you') })
        .bind();
    })();
    endpoints.push(server);
    await expect(a.connect(server.addr(), ALPN)).rejects.toMatchObject({ code: 'LocallyRejected' });
    const client = await bind();
    const accepted = server
      .acceptNext()
      .then(async (inc) => (await inc!.accept()).connect().catch((e: unknown) => e));
    const conn = await client.connect(server.addr(), ALPN);
    const reason = await conn.closed();
    expect(reason).toMatchObject({ kind: 'application', errorCode: 403n, remote: true });
    expect(new TextDecoder().decode((reason as { reason: Uint8Array }).reason)).toBe('not you');
    expect(await accepted).toBeInstanceOf(ConnectError);
  });

  it('an unknown ALPN is refused in the handshake', async () => {
    const a = await bind();
    const b = await bind(['only/this']);
    void b.acceptNext().then((inc) =>
      inc
        ?.accept()
        .then((x) => x.connect())
        .catch(() => {}),
    );
    await expect(a.connect(b.addr(), ALPN)).rejects.toMatchObject({ code: 'Connection' });
  });

  it('close() leaves connections closed and acceptNext returns null', async () => {
    const a = await bind();
    const b = await bind();
    const accepted = b.acceptNext().then(async (inc) => (await inc!.accept()).connect());
    const conn = await a.connect(b.addr(), ALPN);
    await accepted;
    await a.close();
    expect(a.isClosed()).toBe(true);
    expect(await a.acceptNext()).toBeNull();
    expect(conn.closeReason()).not.toBeNull();
    await expect(a.connect(b.addr(), ALPN)).rejects.toMatchObject({ code: 'EndpointClosed' });
  });

  it('Incoming: refuse gives the dialler Refused; retry validates and then accepts; remoteAddr says ip', async () => {
    const a = await bind();
    const b = await bind();
    void b.acceptNext().then((inc) => inc?.refuse());
    await expect(a.connect(b.addr(), ALPN)).rejects.toMatchObject({ code: 'Refused' });
    const served = (async () => {
      const first = (await b.acceptNext())!;
      expect(await first.remoteAddrValidated()).toBe(false);
      expect(await first.remoteAddr()).toEqual({ kind: 'ip', addr: a.boundSockets()[0] });
      expect(await first.localAddr()).toEqual({ kind: 'ip', addr: b.boundSockets()[0] });
      await first.retry();
      const second = (await b.acceptNext())!;
      expect(await second.remoteAddrValidated()).toBe(true);
      const accepting = await second.accept();
      await expect(second.ignore()).rejects.toThrow(/already/);
      const conn = await accepting.connect();
      expect(new TextDecoder().decode(await accepting.alpn())).toBe(ALPN);
      const { send, recv } = await conn.acceptBi();
      await send.writeAll(await recv.readToEnd(10));
      await send.finish();
      await conn.closed();
    })();
    const pending = await a.connectPending(b.addr(), ALPN);
    expect((await pending.remoteId()).equals(b.id())).toBe(true);
    const conn = await pending.connect();
    const { send, recv } = await conn.openBi();
    await send.writeAll(Uint8Array.of(4));
    await send.finish();
    expect([...(await recv.readToEnd(10))]).toEqual([4]);
    conn.close(0n);
    await served;
  });

  it('external addresses show in addr() and watchAddr reports the change', async () => {
    const a = await bind();
    const seen: string[][] = [];
    a.watchAddr((addr) => seen.push(addr.directAddresses()));
    await a.addExternalAddr('203.0.113.7:4433');
    expect(a.addr().directAddresses()).toContain('203.0.113.7:4433');
    expect(seen.at(-1)).toContain('203.0.113.7:4433');
    expect(await a.removeExternalAddr('203.0.113.7:4433')).toBe(true);
    expect(a.addr().directAddresses()).not.toContain('203.0.113.7:4433');
    expect(seen).toHaveLength(2);
    await expect(a.addExternalAddr('not an address')).rejects.toThrow();
  });
});
