#!/usr/bin/env node
/**
 * iroh-ts demo, end to end on this machine: an embedded relay and DNS/pkarr server, and two iroh
 * endpoints. Both publish their addresses to the pkarr server under their EndpointIds. A knows nothing
 * but B's EndpointId: it resolves it over DNS, dials it (QUIC + TLS 1.3 with raw Ed25519 keys, as
 * iroh), measures the round-trip time and a transfer rate, and prints which path carried it.
 *
 * By default endpoints publish only their home relay, as iroh's pkarr publisher does, so the connection
 * starts on the relay and then punches a direct path (NAT traversal over QUIC multipath, as iroh);
 * `--direct` publishes their IP addresses too, and the connection is direct from the start.
 *
 * Usage: iroh-ts-demo [--message <text>] [--direct] [--mib <n>]
 */
import { parseArgs } from 'node:util';
import { UdpTransport as DnsUdpTransport } from '@iroh-ts/dns-server/node';
import { PkarrServer } from '@iroh-ts/dns-server/server';
import {
  AddrFilter,
  type Connection,
  DnsLookup,
  Endpoint,
  EndpointTicket,
  PkarrPublisherLookup,
  type ProtocolHandler,
  presetMinimal,
  RelayMode,
  Router,
  SecretKey,
} from '@iroh-ts/endpoint';
import { RelayServer } from '@iroh-ts/relay/server';

const ALPN = 'iroh-ts/demo/1';
const ORIGIN = 'demo.iroh.test.';
const PING = 0x50;
const SINK = 0x53;

/** B's protocol: 'P' echoes the stream; 'S' counts the bytes and answers with the count. */
class DemoProtocol implements ProtocolHandler {
  async accept(conn: Connection): Promise<void> {
    for (;;) {
      const bi = await conn.acceptBi().catch(() => null);
      if (!bi) return;
      void (async () => {
        const op = (await bi.recv.readExact(1))[0];
        if (op === PING) {
          for (let c = await bi.recv.read(); c !== null; c = await bi.recv.read()) await bi.send.writeAll(c);
        } else {
          let n = 0;
          for (let c = await bi.recv.read(1 << 20); c !== null; c = await bi.recv.read(1 << 20))
            n += c.length;
          await bi.send.writeAll(new TextEncoder().encode(String(n)));
        }
        await bi.send.finish();
      })().catch(() => {});
    }
  }
}

async function endpoint(
  relayUrl: string,
  pkarrUrl: string,
  dnsPort: number,
  direct: boolean,
): Promise<{ ep: Endpoint; publisher: PkarrPublisherLookup }> {
  const secret = SecretKey.generate();
  const publisher = new PkarrPublisherLookup(secret, {
    relayUrl: pkarrUrl,
    addrFilter: direct ? AddrFilter.unfiltered() : AddrFilter.relayOnly(),
  });
  const b = Endpoint.builder();
  presetMinimal(b);
  const ep = await b
    .secretKey(secret)
    .bindAddr('127.0.0.1:0')
    .relayMode(RelayMode.customFromUrls([relayUrl]))
    .addressLookup(publisher)
    .addressLookup(
      new DnsLookup({ origin: ORIGIN, transport: new DnsUdpTransport({ host: '127.0.0.1', port: dnsPort }) }),
    )
    .bind();
  await ep.online();
  await publisher.flush();
  return { ep, publisher };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      message: { type: 'string' },
      direct: { type: 'boolean' },
      mib: { type: 'string' },
    },
    strict: true,
  });
  const message = values.message ?? 'hello from iroh-ts';
  const mib = Number(values.mib ?? 16);
  if (!Number.isInteger(mib) || mib < 1 || mib > 4096) throw new Error('--mib must be an integer in 1..4096');
  const started = performance.now();

  const relayServer = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 } });
  const dns = await PkarrServer.start({
    http: { host: '127.0.0.1', port: 0, rateLimit: 'disabled' },
    dns: { host: '127.0.0.1', port: 0, origins: [ORIGIN] },
    eviction: false,
  });
  const dnsPort = dns.dnsUdpAddr!.port;
  console.log(`relay:       ${relayServer.url} (embedded)`);
  console.log(`dns-server:  http=${dns.httpUrl} dns=127.0.0.1:${dnsPort} origin=${ORIGIN}`);

  const a = await endpoint(relayServer.url, dns.pkarrUrl!, dnsPort, values.direct === true);
  const b = await endpoint(relayServer.url, dns.pkarrUrl!, dnsPort, values.direct === true);
  const router = Router.builder(b.ep).accept(ALPN, new DemoProtocol()).spawn();
  const bId = b.ep.id();
  console.log(`B:           ${bId} published ${values.direct ? 'its relay and IP addresses' : 'its relay'}`);
  console.log(`B's ticket:  ${EndpointTicket.fromAddr(b.ep.addr())}`);

  // A knows only B's EndpointId: the DNS lookup finds the rest.
  const conn = await a.ep.connect(bId, ALPN);
  const [path] = conn.paths();
  console.log(
    `A → B:       dialled ${bId.fmtShort()} by EndpointId over DNS (TXT _iroh.${bId.toZ32()}.${ORIGIN}); ` +
      `QUIC + TLS 1.3, B's key verified; path: ${path!.isRelay ? `relay ${path!.remoteAddr}` : `direct ${path!.remoteAddr}`}`,
  );

  // Hole punching: a connection that starts on the relay moves to a direct path once one is punched.
  if (path!.isRelay) {
    const t1 = performance.now();
    let direct = conn.paths().find((p) => p.isSelected && p.isIp);
    while (!direct && performance.now() - t1 < 3000) {
      await new Promise((r) => setTimeout(r, 5));
      direct = conn.paths().find((p) => p.isSelected && p.isIp);
    }
    console.log(
      direct
        ? `hole punch:  direct path ${direct.remoteAddr} selected ${Math.round(performance.now() - t1)} ms after connect (the relay stays as backup)`
        : 'hole punch:  no direct path within 3 s; staying on the relay',
    );
  }

  // Round trips: one stream, 20 small echoes.
  const ping = await conn.openBi();
  await ping.send.writeAll(Uint8Array.of(PING));
  const rtts: number[] = [];
  const msg = new TextEncoder().encode(message);
  let echoed = '';
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await ping.send.writeAll(msg);
    echoed = new TextDecoder().decode(await ping.recv.readExact(msg.length));
    rtts.push(performance.now() - t0);
  }
  await ping.send.finish();
  if (echoed !== message) throw new Error(`echo mismatch: ${JSON.stringify(echoed)}`);
  rtts.sort((x, y) => x - y);
  console.log(`echo:        "${echoed}", round trip median ${rtts[10]!.toFixed(2)} ms over 20`);

  // Transfer rate: `mib` MiB on one stream, B answers with the byte count.
  const sink = await conn.openBi();
  const chunk = new Uint8Array(1 << 20).fill(0x61);
  const t0 = performance.now();
  await sink.send.writeAll(Uint8Array.of(SINK));
  for (let i = 0; i < mib; i++) await sink.send.writeAll(chunk);
  await sink.send.finish();
  const counted = Number(new TextDecoder().decode(await sink.recv.readToEnd(64)));
  const seconds = (performance.now() - t0) / 1000;
  if (counted !== mib << 20) throw new Error(`B counted ${counted} bytes, expected ${mib << 20}`);
  console.log(
    `transfer:    ${mib} MiB in ${seconds.toFixed(2)} s = ${((mib * 1.048576) / seconds).toFixed(1)} MB/s`,
  );
  console.log(`done in ${Math.round(performance.now() - started)} ms: ok`);

  conn.close(0n);
  a.publisher.close();
  b.publisher.close();
  await router.shutdown();
  await a.ep.close();
  await relayServer.stop();
  await dns.stop();
}

main().catch((err: unknown) => {
  console.error(`iroh-ts-demo: ${(err as Error).message}`);
  process.exitCode = 1;
});
