import { CustomAddr } from '@iroh-ts/base';
import { afterEach, describe, expect, it } from 'vitest';
import { type CustomTransport, Endpoint, EndpointAddr, presetMinimal } from '../src/index.js';

const ALPN = 'iroh-ts/test/transports/1';
const endpoints: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

/** An in-memory datagram bus: custom transports on it reach each other by a one-byte address. */
class Bus {
  readonly #members = new Map<number, (from: CustomAddr, data: Uint8Array) => void>();
  delivered = 0;

  transport(n: number): CustomTransport {
    const self = CustomAddr.fromParts(42n, Uint8Array.of(n));
    return {
      id: 42n,
      localAddrs: () => [self],
      send: (to, data) => {
        const deliver = this.#members.get(to.data()[0]!);
        if (!deliver) return;
        this.delivered++;
        const copy = data.slice();
        queueMicrotask(() => deliver(self, copy));
      },
      onReceive: (cb) => {
        this.#members.set(n, cb);
      },
      close: async () => {
        this.#members.delete(n);
      },
    };
  }
}

async function echoOnce(server: Endpoint): Promise<void> {
  const conn = await (await (await server.acceptNext())!.accept()).connect();
  const { send, recv } = await conn.acceptBi();
  await send.writeAll(await recv.readToEnd(1 << 20));
  await send.finish();
  await conn.closed();
}

describe('transports', () => {
  it('a custom transport carries a whole connection (no UDP, no relay)', async () => {
    const bus = new Bus();
    const make = async (n: number) => {
      const b = Endpoint.builder();
      presetMinimal(b);
      const ep = await b.clearIpTransports().addCustomTransport(bus.transport(n)).alpns([ALPN]).bind();
      endpoints.push(ep);
      return ep;
    };
    const a = await make(1);
    const b = await make(2);
    expect(b.addr().addrs).toEqual([{ type: 'custom', addr: CustomAddr.fromParts(42n, Uint8Array.of(2)) }]);
    const served = echoOnce(b);
    const conn = await a.connect(b.addr(), ALPN);
    const { send, recv } = await conn.openBi();
    await send.writeAll(new Uint8Array(100_000).fill(3));
    await send.finish();
    expect((await recv.readToEnd(1 << 20)).length).toBe(100_000);
    expect(conn.paths()[0]).toMatchObject({ isIp: false, isRelay: false });
    expect(bus.delivered).toBeGreaterThan(70);
    conn.close(0n);
    await served;
  });

  it('networkChange() rebinds the UDP socket on the same port and the connection carries on', async () => {
    const make = async () => {
      const b = Endpoint.builder();
      presetMinimal(b);
      const ep = await b.bindAddr('127.0.0.1:0').alpns([ALPN]).bind();
      endpoints.push(ep);
      return ep;
    };
    const a = await make();
    const b = await make();
    const served = (async () => {
      const conn = await (await (await b.acceptNext())!.accept()).connect();
      for (;;) {
        const bi = await conn.acceptBi().catch(() => null);
        if (!bi) return;
        await bi.send.writeAll(await bi.recv.readToEnd(100));
        await bi.send.finish();
      }
    })();
    const conn = await a.connect(new EndpointAddr(b.id(), null, b.boundSockets()), ALPN);
    const round = async (x: number) => {
      const { send, recv } = await conn.openBi();
      await send.writeAll(Uint8Array.of(x));
      await send.finish();
      return [...(await recv.readToEnd(100))];
    };
    expect(await round(1)).toEqual([1]);
    const before = a.boundSockets();
    let changes = 0;
    a.watchNetworkChange(() => changes++);
    await a.networkChange();
    expect(a.boundSockets()).toEqual(before);
    expect(changes).toBe(1);
    expect(await round(2)).toEqual([2]);
    conn.close(0n);
    await served;
  });
});
