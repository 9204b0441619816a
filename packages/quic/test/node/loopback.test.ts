import { sha256 } from '@noble/hashes/sha2.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { QuicConnection } from '../../src/node/connection.js';
import { QuicEndpoint } from '../../src/node/endpoint.js';
import { ConnectionError } from '../../src/node/errors.js';
import { ScriptedCrypto } from '../support/scripted-crypto.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const endpoints: QuicEndpoint[] = [];

async function connectedPair(): Promise<{
  client: QuicConnection;
  server: QuicConnection;
  a: QuicEndpoint;
  b: QuicEndpoint;
}> {
  const a = await QuicEndpoint.bind();
  const b = await QuicEndpoint.bind();
  endpoints.push(a, b);
  const accepted = (async () => {
    const inc = await b.acceptNext();
    return inc!.accept((tp) => new ScriptedCrypto('server', tp));
  })();
  const client = await a.connect(b.localAddress(), (tp) => new ScriptedCrypto('client', tp));
  return { client, server: await accepted, a, b };
}

afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

describe('Node driver over real UDP on loopback (scripted handshake)', () => {
  it('echoes one byte on a bidirectional stream', async () => {
    const { client, server } = await connectedPair();
    const echo = (async () => {
      const { send, recv } = await server.acceptBi();
      await send.writeAll(await recv.readToEnd(10));
      await send.finish();
    })();
    const { send, recv } = await client.openBi();
    await send.writeAll(Uint8Array.of(7));
    await send.finish();
    expect([...(await recv.readToEnd(10))]).toEqual([7]);
    await echo;
  });

  it('transfers 10 MiB intact', async () => {
    const { client, server } = await connectedPair();
    const data = new Uint8Array(10 << 20);
    for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;
    const got = (async () => {
      const r = await server.acceptUni();
      return r.readToEnd(20 << 20);
    })();
    const s = await client.openUni();
    await s.writeAll(data);
    await s.finish();
    const received = await got;
    expect(received.length).toBe(data.length);
    expect(hex(sha256(received))).toBe(hex(sha256(data)));
  });

  it('runs 100 concurrent bidirectional streams', async () => {
    const { client, server } = await connectedPair();
    const serverSide = (async () => {
      const tasks: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) {
        const { send, recv } = await server.acceptBi();
        tasks.push(
          (async () => {
            const msg = await recv.readToEnd(1000);
            await send.writeAll(msg);
            await send.finish();
          })(),
        );
      }
      await Promise.all(tasks);
    })();
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const { send, recv } = await client.openBi();
        await send.writeAll(new TextEncoder().encode(`stream ${i}`));
        await send.finish();
        return new TextDecoder().decode(await recv.readToEnd(1000));
      }),
    );
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => `stream ${i}`));
    await serverSide;
  });

  it('sends datagrams both ways', async () => {
    const { client, server } = await connectedPair();
    client.sendDatagram(Uint8Array.of(1, 2));
    expect([...(await server.readDatagram())]).toEqual([1, 2]);
    server.sendDatagram(Uint8Array.of(3));
    expect([...(await client.readDatagram())]).toEqual([3]);
  });

  it('closes with an application code and reason seen by the peer; pending reads fail with ConnectionError', async () => {
    const { client, server } = await connectedPair();
    const pending = server.acceptBi();
    client.close(42n, new TextEncoder().encode('done'));
    const reason = await server.closed();
    expect(reason).toEqual({
      kind: 'application',
      errorCode: 42n,
      reason: new TextEncoder().encode('done'),
      remote: true,
    });
    await expect(pending).rejects.toBeInstanceOf(ConnectionError);
    await expect(client.openBi()).rejects.toThrow(/closed by us: code 42, done/);
  });
});

describe('stream limits over the driver', () => {
  it('openBi waits for MAX_STREAMS without spinning, when many openers are blocked at once', async () => {
    const a = await QuicEndpoint.bind();
    const b = await QuicEndpoint.bind({ transportConfig: { maxConcurrentBidiStreams: 2 } });
    endpoints.push(a, b);
    const accepted = (async () => (await b.acceptNext())!.accept((tp) => new ScriptedCrypto('server', tp)))();
    const client = await a.connect(b.localAddress(), (tp) => new ScriptedCrypto('client', tp));
    const server = await accepted;
    void (async () => {
      for (;;) {
        const { send, recv } = await server.acceptBi();
        void (async () => {
          await send.writeAll(await recv.readToEnd(100));
          await send.finish();
        })();
      }
    })().catch(() => {});
    const replies = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { send, recv } = await client.openBi();
        await send.writeAll(Uint8Array.of(i));
        await send.finish();
        return (await recv.readToEnd(100))[0];
      }),
    );
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('WHATWG stream adapters', () => {
  it('pipes a ReadableStream into a QUIC stream and reads it back as a ReadableStream', async () => {
    const { client, server } = await connectedPair();
    const parts = ['hello ', 'whatwg ', 'streams'];
    const received = (async () => {
      const r = await server.acceptUni();
      const chunks: string[] = [];
      const reader = r.toReadable().pipeThrough(new TextDecoderStream()).getReader();
      for (let x = await reader.read(); !x.done; x = await reader.read()) chunks.push(x.value);
      return chunks.join('');
    })();
    const s = await client.openUni();
    const source = new ReadableStream<string>({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    });
    await source.pipeThrough(new TextEncoderStream()).pipeTo(s.toWritable());
    expect(await received).toBe(parts.join(''));
  });
});
