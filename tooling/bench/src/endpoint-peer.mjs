// The server side of the endpoint benchmarks, in its own process: an @iroh-ts/endpoint Endpoint.
// argv[2]: optional relay URL (then the endpoint is relay-only: no UDP sockets, unless argv[3] is 'udp').
// Prints one JSON line {ticket, id} when ready. Protocol per bi stream: a request byte, then
//   'P' ping: echo to end;  'S' sink: read to end, reply with the byte count (u32).
import { Endpoint, EndpointTicket, presetMinimal, RelayMode, Router } from '@iroh-ts/endpoint';

const ALPN = 'iroh-ts/bench/1';
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  console.log(JSON.stringify({ rss: process.memoryUsage().rss }));
});
const relayUrl = process.argv[2];
// argv[3] 'udp': the relay and a UDP socket (for multipath), else relay-only.
const withUdp = process.argv[3] === 'udp';
const b = Endpoint.builder();
presetMinimal(b);
if (relayUrl && !withUdp) b.clearIpTransports().relayMode(RelayMode.customFromUrls([relayUrl]));
else b.bindAddr('127.0.0.1:0');
if (relayUrl && withUdp) b.relayMode(RelayMode.customFromUrls([relayUrl]));
const ep = await b.bind();
await ep.online();
const u32 = (n) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};
Router.builder(ep)
  .accept(ALPN, {
    async accept(conn) {
      for (;;) {
        const bi = await conn.acceptBi().catch(() => null);
        if (!bi) return;
        void (async () => {
          const op = (await bi.recv.readExact(1))[0];
          if (op === 0x50) {
            for (let c = await bi.recv.read(); c !== null; c = await bi.recv.read())
              await bi.send.writeAll(c);
          } else {
            let n = 0;
            for (let c = await bi.recv.read(1 << 20); c !== null; c = await bi.recv.read(1 << 20))
              n += c.length;
            await bi.send.writeAll(u32(n));
          }
          await bi.send.finish();
        })().catch(() => {});
      }
    },
  })
  .spawn();
console.log(
  JSON.stringify({ ticket: EndpointTicket.fromAddr(ep.addr()).toString(), id: ep.id().toString() }),
);
