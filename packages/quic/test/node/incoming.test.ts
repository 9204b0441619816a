import { afterEach, describe, expect, it } from 'vitest';
import { QuicEndpoint } from '../../src/node/endpoint.js';
import { ConnectionError } from '../../src/node/errors.js';
import { TransportErrorCode } from '../../src/proto/transport-error.js';
import { ScriptedCrypto } from '../support/scripted-crypto.js';

const endpoints: QuicEndpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

async function two(): Promise<[QuicEndpoint, QuicEndpoint]> {
  const a = await QuicEndpoint.bind();
  const b = await QuicEndpoint.bind();
  endpoints.push(a, b);
  return [a, b];
}

describe('incoming connections: refuse and retry', () => {
  it('refuse: the client fails with CONNECTION_REFUSED', async () => {
    const [a, b] = await two();
    const refused = (async () => {
      const inc = await b.acceptNext();
      inc!.refuse();
    })();
    const err = await a
      .connect(b.localAddress(), (tp) => new ScriptedCrypto('client', tp))
      .catch((e: unknown) => e);
    await refused;
    expect(err).toBeInstanceOf(ConnectionError);
    const reason = (err as ConnectionError).reason;
    expect(reason?.kind).toBe('transport');
    expect(reason?.kind === 'transport' && reason.errorCode).toBe(
      BigInt(TransportErrorCode.CONNECTION_REFUSED),
    );
  });

  it('retry: the client comes back with a validated address and is accepted', async () => {
    const [a, b] = await two();
    const server = (async () => {
      const first = await b.acceptNext();
      expect(first!.remoteAddressValidated()).toBe(false);
      first!.retry();
      const second = await b.acceptNext();
      expect(second!.remoteAddressValidated()).toBe(true);
      return second!.accept((tp) => new ScriptedCrypto('server', tp));
    })();
    const client = await a.connect(b.localAddress(), (tp) => new ScriptedCrypto('client', tp));
    const conn = await server;
    const { send } = await client.openBi();
    await send.writeAll(Uint8Array.of(42));
    await send.finish();
    const { recv } = await conn.acceptBi();
    expect([...(await recv.readToEnd(8))]).toEqual([42]);
  });

  it('retry: a client that already went through a Retry cannot get a second one', async () => {
    const [a, b] = await two();
    const server = (async () => {
      (await b.acceptNext())!.retry();
      const second = (await b.acceptNext())!;
      expect(() => second.retry()).toThrow(/already went through a Retry/);
    })();
    const client = a.connect(b.localAddress(), (tp) => new ScriptedCrypto('client', tp)).catch(() => null);
    await server;
    await a.close();
    await client;
  });
});

describe('closing', () => {
  it('QuicEndpoint.close() tells the peer: its connection closes with code 0 from the remote', async () => {
    const [a, b] = await two();
    const accepted = (async () => (await b.acceptNext())!.accept((tp) => new ScriptedCrypto('server', tp)))();
    const client = await a.connect(b.localAddress(), (tp) => new ScriptedCrypto('client', tp));
    const server = await accepted;
    // One round trip so the server has completed its handshake too.
    const { send } = await client.openBi();
    await send.writeAll(Uint8Array.of(1));
    await (await server.acceptBi()).recv.readExact(1);
    await a.close();
    const reason = await server.closed();
    expect(reason).toMatchObject({ kind: 'application', errorCode: 0n, remote: true });
  });

  it('stopped() rejects once the connection closes instead of waiting forever', async () => {
    const [a, b] = await two();
    const accepted = (async () => (await b.acceptNext())!.accept((tp) => new ScriptedCrypto('server', tp)))();
    const client = await a.connect(b.localAddress(), (tp) => new ScriptedCrypto('client', tp));
    await accepted;
    const { send } = await client.openBi();
    await send.writeAll(Uint8Array.of(1));
    const stopped = send.stopped();
    client.close(7n);
    await expect(stopped).rejects.toBeInstanceOf(ConnectionError);
    await expect(send.stopped()).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe('stopped()', () => {
  it('settles at once when asked again after the stream ended, or after the peer stopped it', async () => {
    const [a, b] = await two();
    const accepted = (async () => (await b.acceptNext())!.accept((tp) => new ScriptedCrypto('server', tp)))();
    const client = await a.connect(b.localAddress(), (tp) => new ScriptedCrypto('client', tp));
    const server = await accepted;
    const { send } = await client.openBi();
    await send.writeAll(Uint8Array.of(1, 2));
    await send.finish();
    const { recv } = await server.acceptBi();
    expect([...(await recv.readToEnd(10))]).toEqual([1, 2]);
    expect(await send.stopped()).toBeNull();
    // The 'finished' event is long gone: a second call must not wait for it.
    expect(await send.stopped()).toBeNull();

    const other = await client.openUni();
    await other.writeAll(Uint8Array.of(3));
    const peerSide = await server.acceptUni();
    await peerSide.readExact(1);
    await peerSide.stop(9n);
    expect(await other.stopped()).toBe(9n);
    expect(await other.stopped()).toBe(9n);
  });
});
