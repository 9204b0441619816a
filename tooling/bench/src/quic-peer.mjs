// The server side of the QUIC benchmarks, in its own process. argv[2]: "ours" or "iroh".
// Prints one JSON line {addr, id} when ready. Protocol per bi stream: a request byte, then
//   'P' ping: echo to end;  'S' sink: read to end, reply with the byte count (u32).

import { SecretKey } from '@iroh-ts/base';
import { irohServerCrypto, QuicEndpoint } from '@iroh-ts/quic';
import * as iroh from '@number0/iroh';

const ALPN = 'iroh-ts/bench/1';
// The bench asks for this process's memory with SIGUSR2 (after a GC when --expose-gc is on).
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  console.log(JSON.stringify({ rss: process.memoryUsage().rss }));
});
process.on('SIGINT', () => {
  if (process.env.PEER_CPU) {
    const u = process.cpuUsage();
    console.error('peer cpu ms', ((u.user + u.system) / 1000).toFixed(0));
  }
  process.exit(0);
});
const kind = process.argv[2];
const u32 = (n) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

if (kind === 'ours') {
  const secret = SecretKey.generate();
  const ep = await QuicEndpoint.bind({ bindAddr: '127.0.0.1:0' });
  console.log(JSON.stringify({ addr: ep.localAddress(), id: secret.public().toString() }));
  for (;;) {
    const inc = await ep.acceptNext();
    if (!inc) break;
    void (async () => {
      const conn = await inc.accept(irohServerCrypto({ secretKey: secret, alpns: [ALPN] }));
      for (;;) {
        const { send, recv } = await conn.acceptBi();
        void (async () => {
          const op = (await recv.readExact(1))[0];
          if (op === 0x50) {
            for (let c = await recv.read(); c !== null; c = await recv.read()) await send.writeAll(c);
          } else {
            let n = 0;
            for (let c = await recv.read(1 << 20); c !== null; c = await recv.read(1 << 20)) n += c.length;
            await send.writeAll(u32(n));
          }
          await send.finish();
        })().catch(() => {});
      }
    })().catch(() => {});
  }
} else {
  const b = iroh.Endpoint.builder();
  iroh.presetMinimal(b);
  b.relayMode(iroh.RelayMode.disabled());
  b.bindAddr('127.0.0.1:0');
  b.alpns([Array.from(new TextEncoder().encode(ALPN))]);
  const ep = await b.bind();
  console.log(JSON.stringify({ addr: ep.addr().directAddresses()[0], id: ep.id().toString() }));
  for (;;) {
    const inc = await ep.acceptNext();
    if (!inc) break;
    void (async () => {
      const conn = await (await inc.accept()).connect();
      for (;;) {
        const bi = await conn.acceptBi();
        void (async () => {
          const op = (await bi.recv.readExact(1))[0];
          if (op === 0x50) {
            for (;;) {
              let c;
              try {
                c = await bi.recv.read(65536);
              } catch {
                break;
              }
              if (c === null || c.length === 0) break;
              await bi.send.writeAll(c);
            }
          } else {
            let n = 0;
            for (;;) {
              let c;
              try {
                c = await bi.recv.read(1 << 20);
              } catch {
                break;
              }
              if (c === null || c.length === 0) break;
              n += c.length;
            }
            await bi.send.writeAll(Array.from(u32(n)));
          }
          await bi.send.finish();
        })().catch(() => {});
      }
    })().catch(() => {});
  }
}
