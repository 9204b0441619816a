// Relay load benchmark: the iroh-ts-relay app (apps/relay/dist/main.js --dev) in its own process,
// load generators (relay-load.mjs) in separate processes, all on loopback. Measures
//   1. concurrent authenticated clients held (ramped in steps, stop at the first failed step),
//   2. relay RSS per idle client,
//   3. aggregate forwarding of 1200-byte datagrams between 100 client pairs.
// Writes apps/relay/BENCH.md and prints the table.
//
// Environment knobs (all optional):
//   RELAY_BENCH_STEPS=1000,2000,…   client-count ramp (default below, capped by the fd limits)
//   RELAY_BENCH_CPU_PROF=<dir>       run the relay under `node --cpu-prof` writing profiles to <dir>
//   RELAY_BENCH_SKIP=idle|forward    skip one part (the table then shows "not run")
//   RELAY_BENCH_NO_WRITE=1           print only, do not write BENCH.md
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fmt, machine } from './measure.mjs';

const ROOT = new URL('../../../', import.meta.url).pathname;
const RELAY_MAIN = `${ROOT}apps/relay/dist/main.js`;
const WATCHDOG = new URL('./relay-watchdog.mjs', import.meta.url).pathname;
const LOAD = new URL('./relay-load.mjs', import.meta.url).pathname;
const OUT = `${ROOT}apps/relay/BENCH.md`;

const DEFAULT_STEPS = [1000, 2000, 5000, 10_000, 15_000, 20_000, 30_000, 50_000];
const IDLE_GENERATORS = 4;
const CLIENTS_PER_GENERATOR_MAX = 12_000;
const SETTLE_MS = 3000;
const FINAL_HOLD_MS = 22_000; // longer than the relay's keep-alive interval (15 s + 1–5 s jitter)
const PAIRS = 100;
const DATAGRAM = 1200;
const MEASURE_MS = 10_000;
const WARMUP_MS = 2000;
const OFFERED = 100e6; // payload bytes/s offered in total by the paced open-loop run
const WINDOW = 256; // datagrams in flight per pair (the relay queues up to 512 per recipient)
const TOTAL_TIMEOUT_MS = 15 * 60_000;

// ---- child processes and cleanup ----------------------------------------------------------------

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

function killAll(signal = 'SIGKILL') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {}
    }
  }
}
process.on('exit', () => killAll('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`relay bench: ${sig}, cleaning up`);
    killAll('SIGKILL');
    process.exit(130);
  });
}
const deadline = setTimeout(() => {
  console.error(`relay bench: timed out after ${TOTAL_TIMEOUT_MS / 60_000} min`);
  process.exit(1); // the exit handler kills the children
}, TOTAL_TIMEOUT_MS);

/** Spawns `node args…` through sh with the fd limit raised as far as the hard limit allows. */
function spawnNode(args, stdio) {
  const child = spawn(
    'sh',
    [
      '-c',
      'ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"',
      process.execPath,
      ...args,
    ],
    { stdio },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
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

function fdLimit(pid) {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
}

function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) used by `pid` so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU seconds (all CPUs, busy = not idle/iowait) used by the whole machine so far. */
function machineBusySeconds() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / CLK_TCK;
}

/** Tracks, over an interval, the CPU of our processes and of everything else on the machine. */
function cpuMeter(pids) {
  const ours = () =>
    pids.reduce((s, pid) => {
      try {
        return s + cpuSeconds(pid);
      } catch {
        return s;
      }
    }, 0);
  const t0 = performance.now();
  const busy0 = machineBusySeconds();
  const ours0 = ours();
  return () => {
    const secs = (performance.now() - t0) / 1000;
    const o = ours() - ours0;
    const all = machineBusySeconds() - busy0;
    return { ours: o / secs, other: Math.max(0, all - o) / secs };
  };
}

// ---- the relay ----------------------------------------------------------------------------------

async function startRelay() {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const prof = process.env.RELAY_BENCH_CPU_PROF;
  const args = [
    '--import',
    WATCHDOG,
    ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
    RELAY_MAIN,
    '--dev',
    '--http-bind-addr',
    `127.0.0.1:${port}`,
    '--metrics-bind-addr',
    `127.0.0.1:${metricsPort}`,
  ];
  const child = spawnNode(args, ['ignore', 'pipe', 'pipe']);
  // Keep the last log lines for error reports; never let a full pipe block the relay.
  const logTail = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    logTail.push(line);
    if (logTail.length > 20) logTail.shift();
  });
  const lines = createInterface({ input: child.stdout });
  const first = await withTimeout(
    new Promise((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${logTail.join('\n')}`)));
    }),
    20_000,
    'relay start',
  );
  const m = /^relay listening on (\S+)/.exec(first);
  if (!m) throw new Error(`unexpected relay output: ${first}`);
  const pid = child.pid; // sh exec'd node: same pid
  return {
    child,
    pid,
    url: m[1],
    port,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    fdLimit: fdLimit(pid),
    logTail,
  };
}

async function stopRelay(relay) {
  if (relay.child.exitCode !== null || relay.child.signalCode !== null) return;
  const exited = new Promise((r) => relay.child.once('exit', r));
  relay.child.kill('SIGTERM');
  try {
    await withTimeout(exited, 15_000, 'relay stop');
  } catch {
    relay.child.kill('SIGKILL');
    await exited;
  }
}

async function relayMetrics(relay) {
  const res = await withTimeout(fetch(relay.metricsUrl), 10_000, 'metrics scrape');
  const text = await res.text();
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^relayserver_(\w+) (\S+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

// ---- load generators ----------------------------------------------------------------------------

async function startGenerator(index) {
  const child = spawnNode([LOAD], ['ignore', 'inherit', 'inherit', 'ipc']);
  const pending = new Map();
  let nextId = 1;
  let exitError;
  child.on('message', (msg) => {
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p?.resolve(msg);
    else p?.reject(new Error(`generator ${index}: ${msg.error}`));
  });
  child.once('exit', (code, signal) => {
    exitError = new Error(`generator ${index} exited (${code ?? signal})`);
    for (const p of pending.values()) p.reject(exitError);
    pending.clear();
  });
  await withTimeout(
    new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', () => reject(exitError));
    }),
    20_000,
    `generator ${index} start`,
  );
  const gen = {
    index,
    child,
    pid: child.pid,
    // Several source addresses per generator, so ephemeral ports never run out.
    localAddresses: [1, 2, 3, 4].map((k) => `127.0.${index + 1}.${k}`),
    call(op, args = {}, timeoutMs = 60_000) {
      if (exitError) return Promise.reject(exitError);
      const id = nextId++;
      const promise = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      child.send({ id, op, ...args });
      return withTimeout(promise, timeoutMs, `generator ${index} ${op}`).finally(() => pending.delete(id));
    },
    stop() {
      child.kill('SIGKILL');
    },
  };
  gen.fdLimit = fdLimit(gen.pid);
  return gen;
}

// ---- 1 + 2: idle clients ------------------------------------------------------------------------

async function benchIdle() {
  const relay = await startRelay();
  const gens = [];
  try {
    for (let i = 0; i < IDLE_GENERATORS; i++) gens.push(await startGenerator(i));
    const host = '127.0.0.1';
    const port = relay.port;
    // Capacity: the relay needs one fd per client (plus listeners, stdio, …); so does each generator.
    const relayCap = relay.fdLimit - 200;
    const genCap = gens.reduce((s, g) => s + Math.min(CLIENTS_PER_GENERATOR_MAX, g.fdLimit - 100), 0);
    const cap = Math.min(relayCap, genCap);
    const wanted = process.env.RELAY_BENCH_STEPS
      ? process.env.RELAY_BENCH_STEPS.split(',').map(Number)
      : DEFAULT_STEPS;
    const steps = [...new Set(wanted.map((n) => Math.min(n, cap)))];
    const capped = wanted.some((n) => n > cap);
    console.log(
      `relay pid ${relay.pid}, fd limit ${relay.fdLimit}; ${gens.length} generators (fd limit ${gens[0].fdLimit}); steps ${steps.join(', ')}${capped ? ` (capped at ${cap} by fd limits)` : ''}`,
    );

    // Warm up the relay's code paths (JIT, lazily loaded modules), then take the 0-client baseline.
    await gens[0].call('connect', { count: 200, host, port, localAddresses: gens[0].localAddresses });
    await gens[0].call('closeAll');
    await sleep(SETTLE_MS);
    const m0 = await relayMetrics(relay);
    const rss0 = rssBytes(relay.pid);
    console.log(`baseline: relay RSS ${(rss0 / 2 ** 20).toFixed(1)} MiB with ${m0.clients} clients`);

    const results = [];
    let held = 0;
    let failure;
    for (const target of steps) {
      const delta = target - held;
      if (delta <= 0) continue;
      const shares = gens.map((_, i) => Math.floor(delta / gens.length) + (i < delta % gens.length ? 1 : 0));
      const t0 = performance.now();
      const meter = cpuMeter([relay.pid, process.pid, ...gens.map((g) => g.pid)]);
      const relayCpu0 = cpuSeconds(relay.pid);
      let replies;
      try {
        replies = await Promise.all(
          gens.map((g, i) =>
            g.call(
              'connect',
              {
                count: shares[i],
                host,
                port,
                localAddresses: g.localAddresses,
                concurrency: 64,
                timeoutMs: 30_000,
              },
              180_000,
            ),
          ),
        );
      } catch (err) {
        failure = { target, reason: err.message };
        break;
      }
      const ms = performance.now() - t0;
      const cpu = { ...meter(), relay: (cpuSeconds(relay.pid) - relayCpu0) / (ms / 1000) };
      const established = replies.reduce((s, r) => s + r.established, 0);
      const failed = replies.reduce((s, r) => s + r.failed, 0);
      await sleep(SETTLE_MS);
      const check = await verify(relay, gens, target);
      const rss = rssBytes(relay.pid);
      const row = { target, established: held + established, failed, ms, rss, cpu, ...check };
      results.push(row);
      console.log(
        `step ${fmt(target)}: +${fmt(established)} in ${(ms / 1000).toFixed(1)} s (${fmt((established * 1000) / ms)}/s), ` +
          `${failed} failed; relay gauge ${fmt(check.gauge)}, generators open ${fmt(check.open)}, dropped ${check.dropped}, ` +
          `pings ${check.pingsAnswered}/${check.pingsSent} (median ${check.pingMedianMs?.toFixed(1)} ms); ` +
          `relay RSS ${(rss / 2 ** 20).toFixed(1)} MiB; CPU while connecting: relay ${(cpu.relay * 100).toFixed(0)} %, ` +
          `all bench processes ${(cpu.ours * 100).toFixed(0)} %, other processes ${(cpu.other * 100).toFixed(0)} %`,
      );
      const ok =
        established === delta &&
        failed === 0 &&
        check.gauge === target &&
        check.open === target &&
        check.dropped === 0 &&
        check.pingsAnswered === check.pingsSent;
      if (!ok) {
        const errors = replies.flatMap((r) => r.errors).map(([m, n]) => `${n}× ${m}`);
        failure = {
          target,
          reason: `held ${fmt(check.gauge)} (relay) / ${fmt(check.open)} (generators), ${failed} connects failed${errors.length ? `: ${errors.slice(0, 3).join('; ')}` : ''}`,
        };
        break;
      }
      held = target;
    }

    // Hold through a keep-alive cycle and check again.
    let hold;
    if (held > 0) {
      console.log(`holding ${fmt(held)} clients for ${FINAL_HOLD_MS / 1000} s (relay keep-alive pings) …`);
      await sleep(FINAL_HOLD_MS);
      const after = await verify(relay, gens, held);
      const m = await relayMetrics(relay);
      hold = {
        ...after,
        pingTimeouts: m.ping_timeouts_total ?? 0,
        pongsFromRelay: m.other_packets_recv_total,
      };
      console.log(
        `after hold: relay gauge ${fmt(after.gauge)}, generators open ${fmt(after.open)}, dropped ${after.dropped}, ` +
          `relay ping timeouts ${hold.pingTimeouts}, pings ${after.pingsAnswered}/${after.pingsSent}`,
      );
    }
    const lastOk = results.filter((r) => r.target <= held).at(-1);
    const at10k = results.find((r) => r.target === 10_000 && r.target <= held);
    const rssRow = at10k ?? lastOk;
    const genRss = await Promise.all(gens.map((g) => g.call('status')));
    return {
      relayFdLimit: relay.fdLimit,
      genFdLimit: gens[0].fdLimit,
      cap,
      capped,
      steps,
      results,
      held,
      failure,
      hold,
      establishMs: results.filter((r) => r.target <= held).reduce((s, r) => s + r.ms, 0),
      rss0,
      rssRow,
      rssPerClient: rssRow ? (rssRow.rss - rss0) / rssRow.target : undefined,
      genRssPerClient: held > 0 ? genRss.reduce((s, r) => s + r.rss, 0) / held : undefined,
    };
  } finally {
    for (const g of gens) g.stop();
    await stopRelay(relay);
  }
}

async function verify(relay, gens, expected) {
  const m = await relayMetrics(relay);
  const statuses = await Promise.all(gens.map((g) => g.call('status')));
  const pings = await Promise.all(gens.map((g) => g.call('ping', { sample: 25, timeoutMs: 5000 }, 20_000)));
  const medians = pings.map((p) => p.medianMs).filter((x) => x !== null);
  return {
    expected,
    gauge: m.clients,
    open: statuses.reduce((s, r) => s + r.open, 0),
    dropped: statuses.reduce((s, r) => s + r.dropped, 0),
    pingsSent: pings.reduce((s, p) => s + p.sent, 0),
    pingsAnswered: pings.reduce((s, p) => s + p.answered, 0),
    pingMedianMs: medians.length ? medians.sort((a, b) => a - b)[Math.floor(medians.length / 2)] : undefined,
  };
}

/** Short description of a forwarding run's flow control. */
function flowDesc(r, long = false) {
  if (r.window > 0)
    return long ? `closed loop: ≤ ${r.window} datagrams in flight per pair` : `window ${r.window}/pair`;
  if (r.rate > 0) {
    const total = (r.rate * PAIRS) / 1e6;
    return long
      ? `open loop, paced: ${fmt(total)} MB/s offered in total`
      : `paced, ${fmt(total)} MB/s offered`;
  }
  return long ? 'open loop, unpaced (senders bound only their socket buffer)' : 'unpaced open loop';
}

// ---- 3: forwarding ------------------------------------------------------------------------------

async function benchForward() {
  const relay = await startRelay();
  const runs = [];
  try {
    const configs = [
      { generators: 1, window: WINDOW, rate: 0 },
      { generators: 2, window: WINDOW, rate: 0 },
      // Open loop, offering the goal rate in total: loss when nobody slows down for the relay.
      { generators: 2, window: 0, rate: OFFERED / PAIRS },
      // Open loop, unpaced: senders bound only their own socket buffer.
      { generators: 2, window: 0, rate: 0 },
    ];
    for (const cfg of configs) {
      const gens = [];
      try {
        for (let i = 0; i < cfg.generators; i++) gens.push(await startGenerator(10 + i));
        const shares = gens.map(
          (_, i) => Math.floor(PAIRS / gens.length) + (i < PAIRS % gens.length ? 1 : 0),
        );
        await Promise.all(
          gens.map((g, i) =>
            g.call(
              'forwardSetup',
              { pairs: shares[i], host: '127.0.0.1', port: relay.port, localAddresses: g.localAddresses },
              120_000,
            ),
          ),
        );
        await sleep(500);
        const m0 = await relayMetrics(relay);
        const runArgs = {
          size: DATAGRAM,
          window: cfg.window,
          rate: cfg.rate,
          maxBuffered: 256 * 1024,
          warmupMs: WARMUP_MS,
          measureMs: MEASURE_MS,
          drainMs: 2000,
        };
        // Relay CPU, and CPU of everything else on the machine, over the measurement window only.
        const cpuAt = (async () => {
          await sleep(WARMUP_MS);
          const c0 = cpuSeconds(relay.pid);
          const meter = cpuMeter([relay.pid, process.pid, ...gens.map((g) => g.pid)]);
          const t0 = performance.now();
          await sleep(MEASURE_MS);
          return { relay: (cpuSeconds(relay.pid) - c0) / ((performance.now() - t0) / 1000), ...meter() };
        })();
        const replies = await Promise.all(gens.map((g) => g.call('forwardRun', runArgs, 120_000)));
        const { relay: relayCpu, other: otherCpu } = await cpuAt;
        const m1 = await relayMetrics(relay);
        const d = (k) => (m1[k] ?? 0) - (m0[k] ?? 0);
        const win = replies.reduce(
          (s, r) => ({
            seconds: Math.max(s.seconds, r.window.seconds),
            rxBytes: s.rxBytes + r.window.rxBytes,
            rxFrames: s.rxFrames + r.window.rxFrames,
            sentFrames: s.sentFrames + r.window.sentFrames,
          }),
          { seconds: 0, rxBytes: 0, rxFrames: 0, sentFrames: 0 },
        );
        const sent = replies.reduce((s, r) => s + r.total.sentFrames, 0);
        const received = replies.reduce((s, r) => s + r.total.rxFrames, 0);
        const run = {
          ...cfg,
          mbps: win.rxBytes / win.seconds / 1e6,
          datagramsPerSec: win.rxFrames / win.seconds,
          sent,
          received,
          loss: sent > 0 ? 1 - received / sent : 1,
          misdelivered: replies.reduce((s, r) => s + r.misdelivered, 0),
          maxInflight: Math.max(...replies.map((r) => r.maxInflight)),
          relayCpu,
          otherCpu,
          genCpu: replies.map((r) => r.cpuSeconds / r.wallSeconds),
          relayDropped: d('send_packets_dropped_total'),
          relayQueueDropped: d('send_queue_dropped_total'),
          relayForwarded: d('send_packets_sent_total'),
          relayRss: rssBytes(relay.pid),
        };
        runs.push(run);
        console.log(
          `forwarding, ${cfg.generators} generator(s), ${flowDesc(cfg)}: ` +
            `${run.mbps.toFixed(1)} MB/s (${fmt(run.datagramsPerSec)} datagrams/s), loss ${(run.loss * 100).toFixed(3)} % ` +
            `(sent ${fmt(sent)}, received ${fmt(received)}, relay queue drops ${fmt(run.relayQueueDropped)}); ` +
            `relay CPU ${(relayCpu * 100).toFixed(0)} %, generators ${run.genCpu.map((c) => `${(c * 100).toFixed(0)} %`).join(' + ')}, ` +
            `other processes on the machine ${(otherCpu * 100).toFixed(0)} %`,
        );
        await Promise.all(gens.map((g) => g.call('closeAll')));
      } finally {
        for (const g of gens) g.stop();
      }
      await sleep(1000);
    }
  } finally {
    await stopRelay(relay);
  }
  return runs;
}

// ---- report -------------------------------------------------------------------------------------

const skip = process.env.RELAY_BENCH_SKIP ?? '';
let idle;
let fwd;
try {
  if (skip !== 'idle') idle = await benchIdle();
  if (skip !== 'forward') fwd = await benchForward();
} catch (err) {
  console.error('relay bench failed:', err);
  killAll('SIGKILL');
  process.exit(1);
}
clearTimeout(deadline);

const KiB = 1024;
const pass = (ok) => (ok ? '✅' : '❌');
const rows = [];
if (idle) {
  const { held, failure, hold } = idle;
  const heldThroughHold = hold && hold.gauge === held && hold.dropped === 0 && hold.pingTimeouts === 0;
  const limitNote = failure
    ? `stopped at ${fmt(failure.target)}: ${failure.reason}`
    : idle.capped
      ? `every step held; ramp capped at ${fmt(idle.cap)} by the fd limits (relay ${fmt(idle.relayFdLimit)}, hard limit of this container)`
      : 'every step held';
  rows.push([
    `concurrent authenticated clients held (ramp ${idle.steps.map(fmt).join(' → ')}; ${limitNote})`,
    `**${fmt(held)}**${hold ? `, ${heldThroughHold ? 'all' : `${fmt(hold.gauge)}`} still connected after a ${FINAL_HOLD_MS / 1000} s hold` : ''}`,
    '≥ 10,000',
    `≥ 5,000 ${pass(held >= 5000)}`,
  ]);
  rows.push([
    `time to establish ${fmt(held)} clients (sum of the ramp steps; ${IDLE_GENERATORS} generator processes, 64 handshakes in flight each)`,
    `${(idle.establishMs / 1000).toFixed(1)} s (${fmt((held * 1000) / idle.establishMs)} clients/s)`,
    '—',
    '—',
  ]);
  if (idle.rssRow) {
    const r = idle.rssRow;
    rows.push([
      `relay RSS per idle client: (VmRSS with ${fmt(r.target)} − VmRSS with 0) / ${fmt(r.target)}`,
      `${(idle.rssPerClient / KiB).toFixed(1)} KiB (${(idle.rss0 / 2 ** 20).toFixed(0)} → ${(r.rss / 2 ** 20).toFixed(0)} MiB)`,
      '≤ 30 KiB',
      `${pass(idle.rssPerClient <= 30 * KiB)}`,
    ]);
  }
}
let best;
if (fwd) {
  const closed = fwd.filter((r) => r.window > 0);
  best = closed.reduce((a, b) => (b.mbps > a.mbps ? b : a), closed[0]);
  for (const r of fwd) {
    const isBest = r === best;
    const paced = r.window === 0 && r.rate > 0;
    rows.push([
      `forwarding, ${DATAGRAM}-byte datagrams, ${PAIRS} pairs, ${r.generators} generator process(es), ${flowDesc(r, true)}: delivered payload over ${MEASURE_MS / 1000} s (loss)`,
      `${isBest ? '**' : ''}${r.mbps.toFixed(1)} MB/s${isBest ? '**' : ''}, ${(r.loss * 100).toFixed(2)} % loss`,
      isBest ? '≥ 100 MB/s, < 1 % loss' : paced ? '< 1 % loss' : '—',
      isBest ? `≥ 50 MB/s ${pass(r.mbps >= 50 && r.loss < 0.01)}` : paced ? pass(r.loss < 0.01) : '—',
    ]);
  }
}

const table = [
  '| measurement | iroh-ts result | goal | first bar |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');

/** A warning when other jobs used a good part of the machine while we measured. */
function contentionNote(others) {
  const max = Math.max(...others);
  if (!(max > 0.25)) return '';
  const min = Math.min(...others);
  return `**Shared machine:** other processes used ${(min * 100).toFixed(0)}–${(max * 100).toFixed(0)} % CPU (of ${os.cpus().length * 100} %) during these runs, so the relay and the generators got only part of it; CPU-bound numbers here are lower bounds.\n`;
}

const idleDetail = idle
  ? `
### Ramp (concurrent clients)

| step | established | time (s) | clients/s | relay CPU while connecting | other processes' CPU | relay gauge | generators open | ping sample (answered, median RTT) | relay VmRSS (MiB) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${idle.results
  .map(
    (r) =>
      `| ${fmt(r.target)} | ${fmt(r.established)} | ${(r.ms / 1000).toFixed(1)} | ${fmt(((r.established - (idle.results[idle.results.indexOf(r) - 1]?.established ?? 0)) * 1000) / r.ms)} | ${(r.cpu.relay * 100).toFixed(0)} % | ${(r.cpu.other * 100).toFixed(0)} % | ${fmt(r.gauge)} | ${fmt(r.open)} | ${r.pingsAnswered}/${r.pingsSent}, ${r.pingMedianMs?.toFixed(1) ?? '—'} ms | ${(r.rss / 2 ** 20).toFixed(1)} |`,
  )
  .join('\n')}

${contentionNote(idle.results.map((r) => r.cpu.other))}
Baseline (0 clients, after a 200-client warm-up): ${(idle.rss0 / 2 ** 20).toFixed(1)} MiB.
${idle.failure ? `The ramp stopped at ${fmt(idle.failure.target)}: ${idle.failure.reason}.` : ''}
Load generators used about ${idle.genRssPerClient ? (idle.genRssPerClient / KiB).toFixed(1) : '—'} KiB RSS per client (all generator processes together).
File-descriptor limits: relay ${fmt(idle.relayFdLimit)}, each generator ${fmt(idle.genFdLimit)} (\`ulimit -n 1048576\` is refused above the
container's hard limit, so the bench raises the soft limit to the hard one); the ramp is capped at ${fmt(idle.cap)}.
`
  : '';

const fwdDetail = fwd
  ? `
### Forwarding runs

| generators | flow control | MB/s | datagrams/s | sent | received | loss | relay queue drops | relay CPU | generator CPU | other processes' CPU |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|
${fwd
  .map(
    (r) =>
      `| ${r.generators} | ${flowDesc(r)} | ${r.mbps.toFixed(1)} | ${fmt(r.datagramsPerSec)} | ${fmt(r.sent)} | ${fmt(r.received)} | ${(r.loss * 100).toFixed(3)} % | ${fmt(r.relayQueueDropped)} | ${(r.relayCpu * 100).toFixed(0)} % | ${r.genCpu.map((c) => `${(c * 100).toFixed(0)} %`).join(' + ')} | ${(r.otherCpu * 100).toFixed(0)} % |`,
  )
  .join('\n')}

Datagrams delivered to the wrong receiver: ${fmt(fwd.reduce((n, r) => n + r.misdelivered, 0))}.
${contentionNote(fwd.map((r) => r.otherCpu))}
`
  : '';

const md = `# iroh-ts-relay benchmarks

Generated by \`pnpm bench\` (\`tooling/bench/src/relay.mjs\`, load generator \`relay-load.mjs\`) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}. The relay is \`apps/relay/dist/main.js --dev\` (plain HTTP, no rate limit) in its own process;
load generators are separate Node processes on the same machine, so relay and generators share the CPUs.

${table}

How it is measured:
- **Clients**: minimal WebSocket clients on \`node:net\` (upgrade with subprotocol \`iroh-relay-v2\`, \`ServerChallenge\` →
  \`ClientAuth\` → \`ServerConfirmsAuth\`, answering relay pings), opened from ${IDLE_GENERATORS} generator processes using source
  addresses 127.0.x.y. The ramp adds clients step by step; after each step it waits ${SETTLE_MS / 1000} s and checks the relay's
  \`relayserver_clients\` gauge, that no generator client was dropped, and a relay Ping/Pong round trip on 25 random clients
  per generator. A step fails on any failed connect, a gauge mismatch, a dropped client or an unanswered ping; the ramp stops there.
  Finally the clients are held for ${FINAL_HOLD_MS / 1000} s (longer than the relay's 15 s + jitter keep-alive) and checked again.
- **RSS per idle client**: VmRSS of the relay process from \`/proc/<pid>/status\`, with the clients of the 10,000 step (or the
  largest held step) minus the 0-client baseline, divided by the client count.
- **Forwarding**: ${PAIRS} sender→receiver pairs, each sender writing \`ClientToRelayDatagram\` frames (type 4, ${DATAGRAM}-byte payload)
  to its partner; receivers count the payload bytes of \`RelayToClientDatagram\` (type 6) frames. Throughput is delivered payload
  bytes per second (1 MB = 10⁶ B) over ${MEASURE_MS / 1000} s after a ${WARMUP_MS / 1000} s warm-up; loss = 1 − received / sent over
  the whole run (after a 2 s drain). Flow control on the sender: at most 256 KiB unsent in its socket, and (closed loop) at most
  ${WINDOW} datagrams per pair in flight — every datagram carries a sequence number and the receiver (in the same generator
  process) reports the highest one seen, so in flight = sent − highest received, like an ACK-clocked sender without
  retransmission; ${WINDOW} is below the relay's 512-frame per-recipient queue. The open-loop rows show loss when senders do not
  react to the relay: paced at the goal rate in total, and unpaced (only their own socket buffer bounds them). Receivers also
  check that each datagram's source is their partner. Relay CPU is the relay process's user+system time over the window
  (100 % = one core); "other processes" is the CPU used by everything else on the machine meanwhile (other jobs shared it).
${idleDetail}${fwdDetail}`;

console.log(`\n${table}\n`);
if (!process.env.RELAY_BENCH_NO_WRITE) {
  writeFileSync(OUT, md);
  console.log('wrote apps/relay/BENCH.md');
}
