import { NodeUdpTransport, type UdpTransport } from '@iroh-ts/quic/node';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectError, Endpoint, EndpointAddr, presetMinimal, SecretKey } from '../src/index.js';

const ALPN = 'iroh-ts/test/faults/1';
const endpoints: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

/** A UDP socket that can be made to vanish: once `cut`, it neither sends nor delivers anything. */
function cuttable(): { factory: (addr: string) => Promise<UdpTransport>; cut: () => void } {
  let dead = false;
  return {
    cut: () => {
      dead = true;
    },
    factory: async (addr) => {
      const inner = await NodeUdpTransport.bind(addr);
      return {
        localAddress: inner.localAddress,
        send: (to, data) => {
          if (!dead) inner.send(to, data);
        },
        onReceive: (cb) =>
          inner.onReceive((from, data) => {
            if (!dead) cb(from, data);
          }),
        close: () => inner.close(),
      };
    },
  };
}

async function bind(idleMs: number, factory?: (addr: string) => Promise<UdpTransport>): Promise<Endpoint> {
  const b = Endpoint.builder();
  presetMinimal(b);
  b.bindAddr('127.0.0.1:0').alpns([ALPN]).transportConfig({ maxIdleTimeout: idleMs, keepAliveInterval: 500 });
  if (factory) b.ipSocketFactory(factory);
  const ep = await b.bind();
  endpoints.push(ep);
  return ep;
}

describe('faults give typed errors, never hangs', () => {
  it('a remote reachable only through a dead relay: the dial fails with a timeout error', async () => {
    const a = await bind(1_500);
    const dead = new EndpointAddr(SecretKey.generate().public(), 'http://127.0.0.1:9/', []);
    const err = await a.connect(dead, ALPN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe('Connection');
    expect((err as ConnectError).message).toMatch(/timed out/);
  });

  it('a remote that vanishes mid-stream: the pending read rejects with the timeout', async () => {
    const a = await bind(1_500);
    const vanishing = cuttable();
    const b = await bind(1_500, vanishing.factory);
    const accepted = b.acceptNext().then(async (inc) => (await inc!.accept()).connect());
    const conn = await a.connect(b.addr(), ALPN);
    const { send, recv } = await conn.openBi();
    await send.writeAll(Uint8Array.of(1));
    const served = await accepted;
    const { recv: bRecv } = await served.acceptBi();
    expect([...(await bRecv.readExact(1))]).toEqual([1]);
    vanishing.cut();
    // Keep-alive pings go unanswered; the idle timeout ends the connection and the read.
    const err = await recv.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/timed out/);
    expect(conn.closeReason()).toEqual({ kind: 'timeout' });
  });
});
