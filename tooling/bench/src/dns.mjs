// DNS server benchmark: the iroh-ts-dns-server app (apps/dns-server/dist/main.js --dev: in-memory store,
// PUT rate limit disabled) in its own process, this process as the load generator, on loopback:
//   1. PUTs/s: 100,000 pre-signed packets (one relay URL + one IP address each) PUT over HTTP/1.1
//      keep-alive with 64 requests in flight;
//   2. RSS of the server holding them;
//   3. DNS queries/s over UDP (TXT _iroh.<z32>.<origin>, 128 in flight): a first pass over every key
//      (zone-cache misses) and then random keys for a few seconds (hits); every answer is checked;
//   4. PUTs/s into the app's default durable store (lmdb in a temp data dir, every write synced).
// The same load (1-3) runs against the real iroh-dns-server when it is installed (tooling/interop-rs/
// scripts/install-rust-servers.sh), for reference. Writes apps/dns-server/BENCH.md.
//
// Environment knobs: DNS_BENCH_RECORDS (default 100000), DNS_BENCH_SECONDS (warm query phase, default 5),
// DNS_BENCH_LMDB_RECORDS (default 20000), DNS_BENCH_NO_IROH=1 (skip the real server), DNS_BENCH_NO_WRITE=1
// (print only).
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SecretKey, TransportAddr } from '@iroh-ts/base';
import { buildMessage, EndpointInfo, Flags, parseName, RecordClass, RecordType } from '@iroh-ts/dns-server';
import { fmt, machine } from './measure.mjs';

const ROOT = new URL('../../../', import.meta.url).pathname;
const APP = `${ROOT}apps/dns-server/dist/main.js`;
const OUT = `${ROOT}apps/dns-server/BENCH.md`;
const IROH_DNS = join(
  process.env.IROH_TS_RUST_BIN_CACHE || join(homedir(), '.cache', 'iroh-ts', 'rust-bin'),
  'bin',
  'iroh-dns-server',
);
const RECORDS = Number(process.env.DNS_BENCH_RECORDS ?? 100_000);
const WARM_SECONDS = Number(process.env.DNS_BENCH_SECONDS ?? 5);
const LMDB_RECORDS = Math.min(RECORDS, Number(process.env.DNS_BENCH_LMDB_RECORDS ?? 20_000));
const PUT_CONCURRENCY = 64;
const UDP_WINDOW = 128;
const ORIGIN = 'irohdns.example.';
const pct = (x) => `${Math.round(x * 100)}%`;

// ---------------------------------------------------------------------------------------------------
// servers

function waitLine(child) {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
  });
}

/** Our app: `--dev` (memory store), or with `store: 'lmdb'` its default lmdb store in a temp data dir. */
async function startOurs({ store = 'memory' } = {}) {
  const args = ['--dev', '--http-bind-addr', '127.0.0.1:0', '--dns-bind-addr', '127.0.0.1:0'];
  if (store === 'lmdb') {
    const dir = mkdtempSync(join(tmpdir(), 'iroh-ts-dns-bench-'));
    const config = join(dir, 'dns.toml');
    writeFileSync(
      config,
      `pkarr_put_rate_limit = "disabled"\ndata_dir = "${dir}/data"\n[metrics]\ndisabled = true\n`,
    );
    args.splice(0, 1, '--config', config);
  }
  const child = spawn(process.execPath, [APP, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, IROH_TS_LOG: 'warn' },
  });
  const line = await waitLine(child);
  const m = /http=(\S+) dns=127\.0\.0\.1:(\d+) origin=(\S+)/.exec(line);
  if (!m) throw new Error(`unexpected start line: ${line}`);
  return { name: 'iroh-ts-dns-server', child, http: new URL(m[1]), dnsPort: Number(m[2]) };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startIroh() {
  const [httpPort, dnsPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'iroh-dns-bench-'));
  const config = join(dir, 'dns.toml');
  writeFileSync(
    config,
    `pkarr_put_rate_limit = "disabled"\ndata_dir = "${dir}/data"\n[http]\nport = ${httpPort}\nbind_addr = "127.0.0.1"\n` +
      `[dns]\nport = ${dnsPort}\nbind_addr = "127.0.0.1"\norigins = ["${ORIGIN}", "."]\ndefault_ttl = 30\n` +
      `default_soa = "dns1.${ORIGIN} hostmaster.${ORIGIN} 0 10800 3600 604800 3600"\n[metrics]\ndisabled = true\n`,
  );
  const child = spawn(IROH_DNS, ['--config', config], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RUST_LOG: 'error' },
  });
  const http = new URL(`http://127.0.0.1:${httpPort}`);
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(new URL('/healthcheck', http)).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { name: 'iroh-dns-server (Rust)', child, http, dnsPort };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('iroh-dns-server did not start');
}

/** CPU time (user + system) a process has used, seconds (Linux /proc; 100 ticks/s). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs `fn` and adds the server's CPU use during it, as a share of one core. */
async function withCpu(pid, fn) {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const result = await fn();
  const cpu = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
  return { ...result, cpu };
}

/** Resident set size of a process, MiB (Linux /proc). */
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

// ---------------------------------------------------------------------------------------------------
// load

function makeRecords(n) {
  const t0 = performance.now();
  const records = [];
  for (let i = 0; i < n; i++) {
    const key = SecretKey.generate();
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${1024 + (i % 60000)}`;
    const info = new EndpointInfo(key.public(), [
      TransportAddr.relay('https://euc1-1.relay.n0.iroh.link./'),
      TransportAddr.ip(ip),
    ]);
    const packet = info.toSignedPacket(key);
    const query = buildMessage({
      id: 0,
      flags: Flags.RD,
      questions: [
        { name: parseName(`_iroh.${packet.z32}.${ORIGIN}`), type: RecordType.TXT, class: RecordClass.IN },
      ],
      answers: [],
      authorities: [],
      additionals: [],
    });
    const body = packet.toRelayPayload();
    const head = `PUT /pkarr/${packet.z32} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`;
    records.push({ request: Buffer.concat([Buffer.from(head, 'latin1'), body]), query: Buffer.from(query) });
  }
  console.log(`signed ${fmt(n)} packets in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return records;
}

/**
 * One keep-alive HTTP/1.1 connection that sends pre-serialized PUTs one at a time and parses just
 * enough of each response (status line, Content-Length) to find the next. A raw socket keeps the load
 * generator's own CPU use small, so the server gets most of the machine.
 */
function putConnection(base) {
  const sock = net.connect(Number(base.port), base.hostname);
  sock.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let waiting;
  sock.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0 || !waiting) return;
    const head = buf.subarray(0, end).toString('latin1');
    const len = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (buf.length < end + 4 + len) return;
    buf = buf.subarray(end + 4 + len);
    const w = waiting;
    waiting = undefined;
    w.resolve(Number(head.slice(9, 12)));
  });
  sock.on('error', (e) => waiting?.reject(e));
  const connected = new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  return {
    async put(rec) {
      await connected;
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        sock.write(rec.request);
      });
    },
    close: () => sock.destroy(),
  };
}

async function putAll(server, records) {
  let next = 0;
  let failed = 0;
  const latencies = new Float64Array(records.length);
  const conns = Array.from({ length: PUT_CONCURRENCY }, () => putConnection(server.http));
  const t0 = performance.now();
  const worker = async (conn) => {
    while (next < records.length) {
      const i = next++;
      const s = performance.now();
      const status = await conn.put(records[i]);
      latencies[i] = performance.now() - s;
      if (status !== 204) failed++;
    }
  };
  await Promise.all(conns.map(worker));
  const secs = (performance.now() - t0) / 1000;
  for (const c of conns) c.close();
  latencies.sort();
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { perSec: records.length / secs, failed, p50: pct(0.5), p99: pct(0.99) };
}

/**
 * Sends queries over one UDP socket with `UDP_WINDOW` in flight until `pick()` returns undefined or the
 * deadline passes; a query unanswered after 1 s counts as lost and is replaced.
 */
function queryLoad(server, pick, deadlineMs) {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const pending = new Map();
    let id = 0;
    let ok = 0;
    let bad = 0;
    let lost = 0;
    let done = false;
    let last = performance.now();
    const t0 = performance.now();
    const sendOne = () => {
      if (done) return;
      if (performance.now() - t0 > deadlineMs) return;
      const q = pick();
      if (q === undefined) return;
      do id = (id + 1) & 0xffff;
      while (pending.has(id));
      q.writeUInt16BE(id, 0);
      pending.set(id, performance.now());
      sock.send(q, server.dnsPort, '127.0.0.1');
    };
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(sweep);
      sock.close();
      resolve({ perSec: ok / ((last - t0) / 1000), ok, bad, lost });
    };
    sock.on('message', (msg) => {
      const rid = msg.readUInt16BE(0);
      if (!pending.delete(rid)) return;
      // NOERROR, at least one answer (both TXT records of the key).
      if ((msg[3] & 0x0f) === 0 && msg.readUInt16BE(6) >= 1) ok++;
      else bad++;
      last = performance.now();
      sendOne();
      if (pending.size === 0) finish();
    });
    const sweep = setInterval(() => {
      const now = performance.now();
      for (const [k, at] of pending) {
        if (now - at > 1000) {
          pending.delete(k);
          lost++;
          sendOne();
        }
      }
      if (pending.size === 0) finish();
    }, 100);
    sock.on('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      sock.setRecvBufferSize(8 << 20);
      sock.setSendBufferSize(8 << 20);
      for (let i = 0; i < UDP_WINDOW; i++) sendOne();
    });
  });
}

async function bench(server, records) {
  const idle = rssMiB(server.child.pid);
  const pid = server.child.pid;
  const puts = await withCpu(pid, () => putAll(server, records));
  console.log(
    `${server.name}: ${fmt(puts.perSec)} PUTs/s (p50 ${puts.p50.toFixed(1)} ms, p99 ${puts.p99.toFixed(1)} ms, ${puts.failed} failed, server CPU ${pct(puts.cpu)})`,
  );
  const rssLoaded = rssMiB(server.child.pid);
  // Cold: every key once, in order of publication (each a zone-cache miss).
  let i = 0;
  const cold = await withCpu(pid, () =>
    queryLoad(server, () => (i < records.length ? records[i++].query : undefined), 120_000),
  );
  console.log(
    `${server.name}: cold ${fmt(cold.perSec)} queries/s (${cold.ok} ok, ${cold.bad} bad, ${cold.lost} lost, server CPU ${pct(cold.cpu)})`,
  );
  // Warm: random keys.
  const warm = await withCpu(pid, () =>
    queryLoad(server, () => records[Math.floor(Math.random() * records.length)].query, WARM_SECONDS * 1000),
  );
  console.log(
    `${server.name}: warm ${fmt(warm.perSec)} queries/s (${warm.ok} ok, ${warm.bad} bad, ${warm.lost} lost, server CPU ${pct(warm.cpu)})`,
  );
  const rssAfter = rssMiB(server.child.pid);
  console.log(
    `${server.name}: RSS idle ${idle.toFixed(0)} MiB, ${fmt(records.length)} records ${rssLoaded.toFixed(0)} MiB, after queries ${rssAfter.toFixed(0)} MiB`,
  );
  return { puts, cold, warm, idle, rssLoaded, rssAfter };
}

// ---------------------------------------------------------------------------------------------------

if (!existsSync(APP)) {
  console.error(`apps/dns-server is not built (${APP}): run pnpm build first`);
  process.exit(1);
}
const loadAtStart = loadavg()[0];
const records = makeRecords(RECORDS);
const results = {};
const runIroh = !process.env.DNS_BENCH_NO_IROH && existsSync(IROH_DNS);
if (!runIroh)
  console.log(
    `SKIP real iroh-dns-server reference: ${existsSync(IROH_DNS) ? 'DNS_BENCH_NO_IROH set' : `${IROH_DNS} not installed`}`,
  );
for (const [kind, start] of [['ours', startOurs], ...(runIroh ? [['iroh', startIroh]] : [])]) {
  const server = await start();
  try {
    results[kind] = await bench(server, records);
  } finally {
    server.child.kill('SIGTERM');
  }
}

// PUTs into the default, durable store (lmdb, each write synced before the 204).
const durable = await startOurs({ store: 'lmdb' });
let lmdb;
try {
  const subset = records.slice(0, LMDB_RECORDS);
  lmdb = await withCpu(durable.child.pid, () => putAll(durable, subset));
  lmdb.rss = rssMiB(durable.child.pid);
  console.log(
    `iroh-ts-dns-server (lmdb): ${fmt(lmdb.perSec)} PUTs/s (p50 ${lmdb.p50.toFixed(1)} ms, p99 ${lmdb.p99.toFixed(1)} ms, ${lmdb.failed} failed, server CPU ${pct(lmdb.cpu)}), RSS ${lmdb.rss.toFixed(0)} MiB`,
  );
} finally {
  durable.child.kill('SIGTERM');
}

const o = results.ours;
const r = results.iroh;
const col = (f) => (r ? f(r) : 'not run');
const cpuRow = (x) => `${pct(x.puts.cpu)} / ${pct(x.cold.cpu)} / ${pct(x.warm.cpu)}`;
const perOp = (x) =>
  `${fmt((x.puts.cpu / x.puts.perSec) * 1e6)} / ${fmt((x.warm.cpu / x.warm.perSec) * 1e6)}`;
const lossNote = (x) => (x.bad + x.lost > 0 ? ` (${x.bad} bad, ${x.lost} lost)` : '');
const md = `# iroh-ts-dns-server benchmarks

Generated by \`pnpm bench\` (\`tooling/bench/src/dns.mjs\`) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}. The server runs in its own process (\`--dev\`: in-memory store, PUT rate limit
disabled); the load generator is one Node.js process on the same machine, over loopback, so both share
the CPUs. ${fmt(RECORDS)} records, each a signed packet with one relay URL and one IP address (two TXT
records). The real iroh-dns-server (Rust, redb store, same load, rate limit disabled) is the reference.

| measurement | iroh-ts-dns-server | real iroh-dns-server | goal (bar) |
|---|---:|---:|---:|
| PUT /pkarr/<z32>, ${PUT_CONCURRENCY} in flight over keep-alive HTTP/1.1 (PUTs/s) | ${fmt(o.puts.perSec)} | ${col((x) => fmt(x.puts.perSec))} | ≥ 2,000 |
| PUT latency p50 / p99 (ms) | ${o.puts.p50.toFixed(1)} / ${o.puts.p99.toFixed(1)} | ${col((x) => `${x.puts.p50.toFixed(1)} / ${x.puts.p99.toFixed(1)}`)} | |
| PUTs/s into the default lmdb store (every write synced to disk), first ${fmt(LMDB_RECORDS)} records | ${fmt(lmdb.perSec)}, p50 ${lmdb.p50.toFixed(1)} ms | — | |
| DNS TXT queries over UDP, first pass over all keys, cache misses (queries/s) | ${fmt(o.cold.perSec)}${lossNote(o.cold)} | ${col((x) => fmt(x.cold.perSec) + lossNote(x.cold))} | ≥ 20,000 (≥ 10,000) |
| DNS TXT queries over UDP, random keys for ${WARM_SECONDS} s, cached (queries/s) | ${fmt(o.warm.perSec)}${lossNote(o.warm)} | ${col((x) => fmt(x.warm.perSec) + lossNote(x.warm))} | ≥ 20,000 (≥ 10,000) |
| server CPU during PUT / cold / warm (share of one core) | ${cpuRow(o)} | ${col(cpuRow)} | |
| server CPU time per PUT / per cached query (µs) | ${perOp(o)} | ${col(perOp)} | |
| RSS, idle (MiB) | ${o.idle.toFixed(0)} | ${col((x) => x.idle.toFixed(0))} | |
| RSS with ${fmt(RECORDS)} records stored (MiB) | ${o.rssLoaded.toFixed(0)} | ${col((x) => x.rssLoaded.toFixed(0))} | ≤ 300 |
| RSS after the query phases, all zones cached (MiB) | ${o.rssAfter.toFixed(0)} | ${col((x) => x.rssAfter.toFixed(0))} | ≤ 300 |

The load average was ${loadAtStart.toFixed(2)} when the run started (other work on the machine lowers
every number here). Server CPU comes from /proc; CPU time per operation = CPU share / rate.
Queries keep ${UDP_WINDOW} in flight on one UDP socket; every response must be NOERROR with answers
("bad" counts the others, "lost" the ones unanswered after 1 s, which are replaced).
`;
if (process.env.DNS_BENCH_NO_WRITE) console.log(md);
else {
  writeFileSync(OUT, md);
  console.log('wrote apps/dns-server/BENCH.md');
}
