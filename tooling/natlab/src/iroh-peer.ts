#!/usr/bin/env node
/**
 * The real-iroh side of an endpoint run in the lab, built on `@number0/iroh` 1.1.0 (the napi package):
 *
 *   node dist/iroh-peer.js accept --relay <url> [--bind 0.0.0.0:40000] [--external <ip:port>]
 *                                 [--lifetime 120] [--log Warn]
 *   node dist/iroh-peer.js dial --id <EndpointId> --relay <url> [--bind 0.0.0.0:40000] [--external <ip:port>]
 *                               [--origin dns.iroh.link.] [--mib 4] [--transfer sink|echo]
 *                               [--observe-ms 8000] [--deadline 90000] [--log Warn]
 *
 * `@number0/iroh` cannot be told to trust the test CA of our relay's QUIC address discovery, so it does
 * not learn its public address from the relay: it binds a fixed port (`--bind`) and is told its NAT's
 * public mapping (`--external`, `addExternalAddr`; the lab's eim routers keep the port).
 *
 * `accept` (presetMinimal, our relay) prints `{"event":"ready","id":…,"ticket":…}` once online and
 * serves the protocol of ./peer.ts: a bi stream whose first byte is `E` is echoed, one with `S` is
 * hashed and answered with `{"bytes":n,"sha256":…}`; our dialler connects with the ticket.
 *
 * `dial` knows only the EndpointId: presetN0 (n0's pkarr publisher and resolver, unreachable in the lab,
 * and DNS lookups of `_iroh.<z32>.dns.iroh.link.` through the system resolver, which the lab's
 * resolv.conf points at our DNS app), with the relay replaced by ours. It checks that the system
 * resolver sees the remote's TXT record, connects, watches `paths()` from the moment connect() resolves
 * for a selected direct path (`isIp && isSelected`), transfers --mib MiB and checks the SHA-256. It
 * prints one `{"event":"result",…}` line (the {@link DialReport} of ./peer.ts) and exits 0 when
 * connected with the data intact.
 *
 * iroh's own log (tracing, at --log level) goes to stdout too; those lines do not start with `{`.
 *
 * `Connection.watchPaths` and `watchPathEvents` of `@number0/iroh` 1.1.0 abort the process (a Rust
 * panic, "there is no reactor running": they spawn a tokio task from the JS thread), so both sides poll
 * `paths()` instead and derive path events from the changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { parseArgs } from 'node:util';
import { PublicKey } from '@iroh-ts/base';
import * as iroh from '@number0/iroh';
import type { DialReport, PathSample } from './peer.js';
import { ECHO, MIB, PEER_ALPN, print, SINK, sleep, withTimeout } from './peer-common.js';

/** The ALPN of ./peer.ts. */
const READ_CHUNK = 64 << 10;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: 'string' },
    relay: { type: 'string' },
    bind: { type: 'string', default: '0.0.0.0:40000' },
    external: { type: 'string' },
    origin: { type: 'string', default: 'dns.iroh.link.' },
    mib: { type: 'string', default: '4' },
    transfer: { type: 'string', default: 'sink' },
    'observe-ms': { type: 'string', default: '8000' },
    lifetime: { type: 'string', default: '120' },
    deadline: { type: 'string', default: '90000' },
    log: { type: 'string', default: 'Warn' },
  },
  strict: true,
});

const bytes = (s: string): number[] => Array.from(new TextEncoder().encode(s));

/**
 * An iroh endpoint on our relay, bound to `--bind`, online, and told its public address (`--external`).
 * `n0`: presetN0 (address lookup through DNS and n0's pkarr), else presetMinimal.
 */
async function bind(preset: 'n0' | 'minimal', alpns: string[]): Promise<iroh.Endpoint> {
  const b = iroh.Endpoint.builder();
  if (preset === 'n0') iroh.presetN0(b);
  else iroh.presetMinimal(b);
  b.relayMode(iroh.RelayMode.customFromUrls([values.relay!]));
  b.bindAddr(values.bind!);
  if (alpns.length) b.alpns(alpns.map(bytes));
  const ep = await b.bind();
  await withTimeout(ep.online(), 20_000, 'the relay');
  if (values.external) await ep.addExternalAddr(values.external);
  return ep;
}

/** Reads a stream until its end, handing each chunk to `each`; the byte count. */
async function drain(recv: iroh.RecvStream, each: (c: number[]) => Promise<void> | void): Promise<number> {
  let n = 0;
  for (;;) {
    const c = await recv.read(READ_CHUNK);
    if (c.length === 0) return n; // the end of the stream (read() never yields an empty chunk otherwise)
    await each(c);
    n += c.length;
  }
}

/**
 * Polls `conn.paths()` every `intervalMs` (the watch functions are unusable, see above): `onPaths` gets
 * every snapshot, `onEvent` a line per change, `opened #<id> <addr>`, `selected #<id> <addr>` or
 * `closed #<id> <addr>`. Returns a function that stops polling.
 */
function pollPaths(
  conn: iroh.Connection,
  intervalMs: number,
  onPaths: (ps: iroh.PathSnapshot[]) => void,
  onEvent: (e: string) => void,
): () => void {
  const known = new Map<string, { addr: string; selected: boolean }>();
  const tick = () => {
    let ps: iroh.PathSnapshot[];
    try {
      ps = conn.paths();
    } catch {
      return;
    }
    onPaths(ps);
    for (const p of ps) {
      const k = known.get(p.id);
      if (!k) onEvent(`opened #${p.id} ${p.remoteAddr}`);
      if (p.isSelected && !k?.selected) onEvent(`selected #${p.id} ${p.remoteAddr}`);
      known.set(p.id, { addr: p.remoteAddr, selected: p.isSelected });
    }
    for (const [id, k] of known)
      if (!ps.some((p) => p.id === id)) {
        onEvent(`closed #${id} ${k.addr}`);
        known.delete(id);
      }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return () => clearInterval(timer);
}

/** The protocol of ./peer.ts on one accepted connection: `E` echoes a stream, `S` answers its digest. */
async function serve(conn: iroh.Connection): Promise<void> {
  const path = conn.paths().find((p) => p.isSelected) ?? conn.paths()[0];
  print({ event: 'accepted', remote: conn.remoteId().toString(), isRelay: path?.isRelay ?? null });
  const t0 = performance.now();
  const stopPolling = pollPaths(
    conn,
    20,
    () => {},
    (e) => print({ event: 'path', ms: Math.round(performance.now() - t0), path: e }),
  );
  void conn.closed().then(
    (reason) => {
      stopPolling();
      print({ event: 'closed', ms: Math.round(performance.now() - t0), reason });
    },
    () => stopPolling(),
  );
  for (;;) {
    const bi = await conn.acceptBi().catch(() => null);
    if (!bi) return;
    void (async () => {
      const op = (await bi.recv.readExact(1))[0];
      const hash = createHash('sha256');
      const n = await drain(bi.recv, async (c) => {
        if (op === ECHO) await bi.send.writeAll(c);
        else hash.update(Uint8Array.from(c));
      });
      if (op === SINK)
        await bi.send.writeAll(bytes(JSON.stringify({ bytes: n, sha256: hash.digest('hex') })));
      await bi.send.finish();
    })().catch((e: unknown) => print({ event: 'stream-error', error: (e as Error).message }));
  }
}

async function accept(): Promise<void> {
  const ep = await bind('minimal', [PEER_ALPN]);
  const stop = async () => {
    print({ event: 'stopping' }); // what iroh logs from here on is its shutdown
    await withTimeout(ep.close(), 3000, 'close').catch(() => {});
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  setTimeout(() => void stop(), Number(values.lifetime) * 1000).unref();
  const addr = ep.addr();
  print({
    event: 'ready',
    id: ep.id().toString(),
    ticket: iroh.EndpointTicket.fromAddr(addr).toString(),
    relay: addr.relayUrl(),
    addrs: addr.directAddresses(),
    sockets: ep.boundSockets(),
  });
  for (;;) {
    const inc = await ep.acceptNext();
    if (!inc) return;
    void (async () => {
      const from = await inc.remoteAddr().catch(() => null);
      const at = await inc.localAddr().catch(() => null);
      const conn = await (async () => (await inc.accept()).connect())().catch((e: unknown) => {
        // The first line only: napi appends a Rust backtrace.
        const error = (e as Error).message.split('\n')[0];
        print({ event: 'accept-error', from: from?.addr ?? from?.kind ?? null, at: at?.addr ?? null, error });
        return null;
      });
      if (!conn) return;
      if (new TextDecoder().decode(Uint8Array.from(conn.alpn())) !== PEER_ALPN) {
        conn.close(1n, bytes('unknown alpn'));
        return;
      }
      await serve(conn);
    })().catch((e: unknown) => print({ event: 'serve-error', error: (e as Error).message.split('\n')[0] }));
  }
}

/** Whether the system resolver (the namespace's resolv.conf) finds `_iroh.<z32>.<origin>` TXT. */
async function systemDnsResolves(id: string, ms: number): Promise<boolean> {
  const name = `_iroh.${PublicKey.fromString(id).toZ32()}.${values.origin!.replace(/\.$/, '')}`;
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const txt = await resolver.resolveTxt(name);
      if (txt.some((r) => r.join('').startsWith('relay='))) return true;
    } catch {
      // not yet, or unreachable
    }
    await sleep(200);
  }
  return false;
}

/** Sends `mib` MiB of random data; `sink` compares the digest B answers, `echo` the echoed bytes'. */
async function transfer(conn: iroh.Connection, mode: 'sink' | 'echo', mib: number): Promise<boolean> {
  const bi = await conn.openBi();
  const sent = createHash('sha256');
  const echoed = createHash('sha256');
  const reading =
    mode === 'echo'
      ? drain(bi.recv, (c) => {
          echoed.update(Uint8Array.from(c));
        })
      : bi.recv.readToEnd(4096);
  await bi.send.writeAll([mode === 'echo' ? ECHO : SINK]);
  for (let i = 0; i < mib * 4; i++) {
    const chunk = randomBytes(MIB / 4);
    sent.update(chunk);
    await bi.send.writeAll(Array.from(chunk));
  }
  await bi.send.finish();
  const answer = await reading;
  const want = sent.digest('hex');
  if (mode === 'echo') return answer === mib * MIB && echoed.digest('hex') === want;
  const got = JSON.parse(new TextDecoder().decode(Uint8Array.from(answer as number[]))) as {
    bytes: number;
    sha256: string;
  };
  return got.bytes === mib * MIB && got.sha256 === want;
}

function sample(p: iroh.PathSnapshot | undefined, ms: number): PathSample | null {
  return p ? { ms: Math.round(ms), isRelay: p.isRelay, isIp: p.isIp, remoteAddr: p.remoteAddr } : null;
}

async function dial(): Promise<number> {
  if (!values.id) throw new Error('dial needs --id <EndpointId>');
  const remote = iroh.EndpointId.fromString(values.id);
  const mode = values.transfer === 'echo' ? 'echo' : 'sink';
  const mib = Number(values.mib);
  const observeMs = Number(values['observe-ms']);
  const ep = await bind('n0', []);
  const dnsOk = await systemDnsResolves(values.id, 3000);
  const moved: { mode: 'sink' | 'echo'; bytes: number; ms: number | null; intact: boolean } = {
    mode,
    bytes: mib * MIB,
    ms: null,
    intact: false,
  };
  const report: { -readonly [K in keyof DialReport]: DialReport[K] } = {
    event: 'result',
    id: ep.id().toString(),
    remote: remote.toString(),
    dnsOk,
    // presetN0's pkarr resolver asks n0's server, which is unreachable in the lab.
    pkarrOk: null,
    connected: false,
    connectMs: null,
    initialPath: null,
    paths: [],
    direct: false,
    timeToDirectMs: null,
    transfer: moved,
    candidates: ep.addr().directAddresses(),
    events: [],
  };
  try {
    const t0 = performance.now();
    const conn = await withTimeout(
      ep.connect(new iroh.EndpointAddr(remote), bytes(PEER_ALPN)),
      30_000,
      'connect',
    );
    const connectedAt = performance.now();
    report.connected = true;
    report.connectMs = Math.round(connectedAt - t0);
    const paths: PathSample[] = [];
    // The selected path; time to direct: the first sample whose selected path is an IP path.
    const see = (ps: iroh.PathSnapshot[]) => {
      const selected = ps.find((p) => p.isSelected);
      const s = sample(selected ?? ps[0], performance.now() - connectedAt);
      if (!s) return;
      const last = paths[paths.length - 1];
      if (!last || last.remoteAddr !== s.remoteAddr || last.isRelay !== s.isRelay) paths.push(s);
      if (selected?.isIp && report.timeToDirectMs === null) report.timeToDirectMs = s.ms;
    };
    see(conn.paths());
    report.initialPath = paths[0] ?? null;
    report.paths = paths;
    // A 10 ms poll of the paths (time to direct is measured to ~10 ms) and the changes it sees.
    const stopPolling = pollPaths(conn, 10, see, (e) =>
      report.events.push(`${Math.round(performance.now() - connectedAt)} ${e}`),
    );
    const t1 = performance.now();
    moved.intact = await withTimeout(transfer(conn, mode, mib), 120_000, 'transfer');
    moved.ms = Math.round(performance.now() - t1);
    // Keep watching until a direct path shows up or the observation window ends.
    while (report.timeToDirectMs === null && performance.now() - connectedAt < observeMs) await sleep(100);
    stopPolling();
    report.direct = report.timeToDirectMs !== null;
    conn.close(0n, []);
  } catch (e) {
    report.error = (e as Error).message;
  }
  print(report);
  await withTimeout(ep.close(), 5000, 'close').catch(() => {});
  return report.connected && report.transfer.intact ? 0 : 1;
}

async function main(): Promise<void> {
  if (!values.relay) throw new Error('--relay is required');
  iroh.setLogLevel(values.log as iroh.LogLevel);
  if (positionals[0] === 'accept') return accept();
  if (positionals[0] !== 'dial') throw new Error('usage: iroh-peer.js accept|dial …');
  setTimeout(() => {
    print({ event: 'error', error: `deadline of ${values.deadline} ms` });
    process.exit(3);
  }, Number(values.deadline)).unref();
  process.exit(await dial());
}

main().catch((e: unknown) => {
  print({ event: 'error', error: (e as Error).message });
  process.exit(2);
});
