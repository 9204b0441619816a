// Endpoint benchmarks, two processes on loopback (plus a relay process for the relayed numbers):
// direct throughput next to raw @iroh-ts/quic in the same run (runs interleaved, medians), relayed
// throughput, connect time by ticket (connect -> first 1-byte round trip) direct and via the relay,
// and RSS per idle connection. Writes packages/endpoint/BENCH.md.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PublicKey, SecretKey } from '@iroh-ts/base';
import { Endpoint, EndpointTicket, presetMinimal, RelayMode } from '@iroh-ts/endpoint';
import { irohClientCrypto, QuicEndpoint } from '@iroh-ts/quic';
import { machine } from './measure.mjs';

const ALPN = 'iroh-ts/bench/1';
const BULK = 128 << 20;
const RELAY_BULK = 32 << 20;
const MP_BULK = 64 << 20;
const RUNS = 3;
const CONNECTS = 30;
const WARMUP = 100;
const IDLE_CONNECTIONS = 1000;

async function startChild(script, args) {
  const child = spawn(process.execPath, ['--expose-gc', new URL(script, import.meta.url).pathname, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const line = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (c) => reject(new Error(`${script} exited with ${c}`)));
  });
  const rss = () =>
    new Promise((resolve) => {
      lines.once('line', (l) => resolve(JSON.parse(l).rss));
      child.kill('SIGUSR2');
    });
  return { child, rss, ...JSON.parse(line) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ownRss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};

/** Sends `bytes` on one stream of `conn` (sink protocol); returns MB/s. */
async function bulk(conn, bytes) {
  const chunk = new Uint8Array(1 << 20).fill(7);
  const t0 = performance.now();
  const { send, recv } = await conn.openBi();
  await send.writeAll(Uint8Array.of(0x53));
  for (let sent = 0; sent < bytes; sent += chunk.length) await send.writeAll(chunk);
  await send.finish();
  const count = new DataView((await recv.readToEnd(4)).buffer).getUint32(0);
  if (count !== bytes) throw new Error(`server counted ${count}`);
  return bytes / ((performance.now() - t0) / 1000) / 1e6;
}

/** connect → 1-byte round trip, median of CONNECTS after `warmup`. */
async function connectTimes(connect, warmup) {
  const times = [];
  for (let i = 0; i < warmup + CONNECTS; i++) {
    const t0 = performance.now();
    const conn = await connect();
    const { send, recv } = await conn.openBi();
    await send.writeAll(Uint8Array.of(0x50, 1));
    await send.finish();
    await recv.readToEnd(10);
    if (i >= warmup) times.push(performance.now() - t0);
    conn.close(0n);
  }
  return median(times);
}

async function client(relayUrl, opts = {}) {
  const b = Endpoint.builder();
  presetMinimal(b);
  if (relayUrl && !opts.withUdp) b.clearIpTransports().relayMode(RelayMode.customFromUrls([relayUrl]));
  else b.bindAddr('127.0.0.1:0');
  if (relayUrl && opts.withUdp) b.relayMode(RelayMode.customFromUrls([relayUrl]));
  if (opts.singlePath) b.transportConfig({ maxPathId: undefined, maxNatTraversalAddresses: undefined });
  const ep = await b.bind();
  await ep.online();
  return ep;
}

// Raw QUIC peer (the quic benchmark's server) and endpoint peer, both direct.
const rawPeer = await startChild('./quic-peer.mjs', ['ours']);
const epPeer = await startChild('./endpoint-peer.mjs', []);
const raw = await QuicEndpoint.bind({ bindAddr: '127.0.0.1:0' });
const rawConn = await raw.connect(
  rawPeer.addr,
  irohClientCrypto({
    secretKey: SecretKey.generate(),
    remoteId: PublicKey.fromString(rawPeer.id),
    alpns: [ALPN],
  }),
  { allowServerMigration: true },
);
const direct = await client();
const peerAddr = EndpointTicket.fromString(epPeer.ticket).endpointAddr();
const epConn = await direct.connect(peerAddr, ALPN);
const rawRates = [];
const epRates = [];
for (let r = 0; r < RUNS; r++) {
  rawRates.push(await bulk(rawConn, BULK));
  epRates.push(await bulk(epConn, BULK));
  console.log(
    `run ${r + 1}: raw quic ${rawRates[r].toFixed(1)} MB/s, endpoint direct ${epRates[r].toFixed(1)} MB/s`,
  );
}
rawConn.close(0n);
await raw.close();
rawPeer.child.kill();
epConn.close(0n);
const connectDirect = await connectTimes(() => direct.connect(peerAddr, ALPN), WARMUP);
console.log(`connect by ticket, direct: ${connectDirect.toFixed(2)} ms`);

// RSS per idle connection (direct).
await sleep(500);
const [c0, s0] = [ownRss(), await epPeer.rss()];
const idle = [];
for (let i = 0; i < IDLE_CONNECTIONS; i += 50)
  idle.push(...(await Promise.all(Array.from({ length: 50 }, () => direct.connect(peerAddr, ALPN)))));
await sleep(1500);
const [c1, s1] = [ownRss(), await epPeer.rss()];
for (const c of idle) c.close(0n);
const rssClient = (c1 - c0) / IDLE_CONNECTIONS;
const rssServer = (s1 - s0) / IDLE_CONNECTIONS;
console.log(
  `RSS per idle connection: ${(rssClient / 1024).toFixed(1)} / ${(rssServer / 1024).toFixed(1)} KiB`,
);
await direct.close();
epPeer.child.kill();

// Relayed: a relay process, a relay-only peer and client.
const relay = await startChild('./endpoint-relay.mjs', []);
const relayPeer = await startChild('./endpoint-peer.mjs', [relay.url]);
const relayed = await client(relay.url);
const relayAddr = EndpointTicket.fromString(relayPeer.ticket).endpointAddr();
const relayConn = await relayed.connect(relayAddr, ALPN);
const relayRate = await bulk(relayConn, RELAY_BULK);
relayConn.close(0n);
console.log(`relayed throughput: ${relayRate.toFixed(1)} MB/s`);
const connectRelay = await connectTimes(() => relayed.connect(relayAddr, ALPN), 20);
console.log(`connect by ticket, via relay: ${connectRelay.toFixed(2)} ms`);
await relayed.close();
relayPeer.child.kill();

// Multipath (relay + direct path, data on the direct one) against a single path (multipath off on
// the client), to the same relay + UDP peer, interleaved.
const mpPeer = await startChild('./endpoint-peer.mjs', [relay.url, 'udp']);
const mpAddr = EndpointTicket.fromString(mpPeer.ticket).endpointAddr();
const mpClient = await client(relay.url, { withUdp: true });
const spClient = await client(relay.url, { withUdp: true, singlePath: true });
const mpConn = await mpClient.connect(mpAddr, ALPN);
const spConn = await spClient.connect(mpAddr, ALPN);
for (let i = 0; i < 50 && mpConn.paths().length < 2; i++) await sleep(100);
const mpPaths = mpConn.paths().length;
const spPaths = spConn.paths().length;
const mpRates = [];
const spRates = [];
for (let r = 0; r < RUNS; r++) {
  mpRates.push(await bulk(mpConn, MP_BULK));
  spRates.push(await bulk(spConn, MP_BULK));
  console.log(
    `run ${r + 1}: multipath (${mpPaths} paths) ${mpRates[r].toFixed(1)} MB/s, single path ${spRates[r].toFixed(1)} MB/s`,
  );
}
mpConn.close(0n);
spConn.close(0n);
await Promise.all([mpClient.close(), spClient.close()]);
mpPeer.child.kill();
relay.child.kill('SIGTERM');

const rawMed = median(rawRates);
const epMed = median(epRates);
const ratio = epMed / rawMed;
const md = `# @iroh-ts/endpoint benchmarks

Generated by \`pnpm bench\` (\`tooling/bench/src/endpoint.mjs\`) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}. Client and server in two processes on loopback (the relay in a third);
max UDP payload 1452. Raw \`@iroh-ts/quic\` and the endpoint run in the same process, interleaved
(${RUNS} runs each of ${BULK >> 20} MiB on one stream), so VM noise hits both alike; medians shown.

| measurement | result | goal (bar) |
|---|---:|---:|
| raw \`@iroh-ts/quic\` bulk, one stream (MB/s, median of ${RUNS}) | ${rawMed.toFixed(1)} | |
| endpoint, direct path, bulk, one stream (MB/s, median of ${RUNS}) | ${epMed.toFixed(1)} | |
| endpoint direct ÷ raw QUIC | ${(ratio * 100).toFixed(0)} % | ≥ 90 % |
| endpoint via our relay (relay-only endpoints), ${RELAY_BULK >> 20} MiB (MB/s) | ${relayRate.toFixed(1)} | reported |
| connect by ticket → first 1-byte round trip, direct (ms, median of ${CONNECTS} after ${WARMUP}) | ${connectDirect.toFixed(2)} | |
| connect by ticket → first 1-byte round trip, via relay (ms, median of ${CONNECTS} after 20) | ${connectRelay.toFixed(2)} | |
| RSS per idle connection, client / server side, ${IDLE_CONNECTIONS} connections held (KiB) | ${(rssClient / 1024).toFixed(1)} / ${(rssServer / 1024).toFixed(1)} | |
| multipath connection (${mpPaths} paths: relay + direct, data on direct), ${MP_BULK >> 20} MiB (MB/s, median of ${RUNS}) | ${median(mpRates).toFixed(1)} | reported |
| single-path connection (multipath off on the client, ${spPaths} path), ${MP_BULK >> 20} MiB (MB/s, median of ${RUNS}) | ${median(spRates).toFixed(1)} | reported |

Per run (MB/s): raw ${rawRates.map((x) => x.toFixed(1)).join(', ')}; endpoint ${epRates.map((x) => x.toFixed(1)).join(', ')};
multipath ${mpRates.map((x) => x.toFixed(1)).join(', ')}; single path ${spRates.map((x) => x.toFixed(1)).join(', ')}.
On a shared 2-core VM these numbers move by about ±15 % from run to run; compare runs made together.
`;
writeFileSync(new URL('../../../packages/endpoint/BENCH.md', import.meta.url), md);
console.log('wrote packages/endpoint/BENCH.md');
process.exit(0);
