#!/usr/bin/env node
/**
 * One side of an endpoint run in the lab, built on `@iroh-ts/endpoint`:
 *
 *   node dist/peer.js accept --relay <url> --pkarr <url> [--lifetime 120]
 *   node dist/peer.js dial --id <EndpointId> --relay <url> --pkarr <url> [--dns 198.18.0.10:53]
 *                          [--origin dns.iroh.link.] [--mib 4] [--transfer sink|echo] [--observe-ms 8000]
 *                          [--deadline 90000]
 *   node dist/peer.js dial --ticket <EndpointTicket> --relay <url> --pkarr <url> …   (no lookups)
 *
 * Both bind an endpoint on 0.0.0.0 with our relay (`RelayMode.customFromUrls`) and publish every address
 * they have (`AddrFilter.unfiltered()`) to the DNS app's pkarr API. `accept` prints
 * `{"event":"ready","id":…}` once its record is visible, then serves: a bi stream whose first byte is
 * `E` is echoed, one with `S` is hashed and answered with `{"bytes":n,"sha256":…}`. `dial` knows only
 * the EndpointId: it resolves it over DNS (UDP to --dns) and the pkarr API, connects, and watches the
 * connection's paths from the moment connect() resolves to record whether and when a direct path is
 * selected, while it transfers --mib MiB and checks the SHA-256. It prints one `{"event":"result",…}`
 * line ({@link DialReport}) and exits 0 when connected with the data intact.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TransportAddr } from '@iroh-ts/base';
import { UdpTransport } from '@iroh-ts/dns-server/node';
import {
  AddrFilter,
  type Connection,
  DnsLookup,
  Endpoint,
  EndpointTicket,
  type PathSnapshot,
  PkarrPublisherLookup,
  PkarrResolverLookup,
  type ProtocolHandler,
  PublicKey,
  presetMinimal,
  RelayMode,
  Router,
  SecretKey,
} from '@iroh-ts/endpoint';
import { ECHO, MIB, PEER_ALPN, print, SINK, sleep, withTimeout } from './peer-common.js';

/** One observation of the selected path, in ms since connect() resolved. */
export interface PathSample {
  readonly ms: number;
  readonly isRelay: boolean;
  readonly isIp: boolean;
  readonly remoteAddr: string;
}

/** What `dial` prints. */
export interface DialReport {
  readonly event: 'result';
  readonly id: string;
  readonly remote: string;
  /**
   * Whether our DNS server (UDP) and the pkarr API answered with the remote's record; `null`: not asked
   * (dialled by ticket, or a dialler that cannot ask that resolver).
   */
  readonly dnsOk: boolean | null;
  readonly pkarrOk: boolean | null;
  readonly connected: boolean;
  /** From the call to connect() until it resolved. */
  readonly connectMs: number | null;
  readonly initialPath: PathSample | null;
  /** Path changes seen after connect() resolved (the initial one first). */
  readonly paths: readonly PathSample[];
  readonly direct: boolean;
  /** When a direct path was first selected, in ms after connect() resolved. */
  readonly timeToDirectMs: number | null;
  readonly transfer: {
    readonly mode: 'sink' | 'echo';
    readonly bytes: number;
    readonly ms: number | null;
    readonly intact: boolean;
  };
  readonly error?: string;
  /** Our direct addresses when dialling (hole-punching candidates included). */
  readonly candidates: readonly string[];
  /** Path and NAT traversal events, `<ms after connect()> <type> [#path] <address>`. */
  readonly events: string[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: 'string' },
    /** Dial an EndpointTicket (relay URL and direct addresses) instead of resolving --id. */
    ticket: { type: 'string' },
    relay: { type: 'string' },
    /** PEM file of the CA that signed the relay's QAD certificate. */
    ca: { type: 'string' },
    /** Keep LAN (10/8) addresses out of what we publish and offer for hole punching (the hairpin case). */
    'no-lan': { type: 'boolean', default: false },
    /**
     * After this many MiB (and once a direct path is selected, or 10 s), print {"event":"paused"} and
     * wait for SIGUSR2 before sending the rest: lets a test change the network mid-transfer.
     */
    'pause-at-mib': { type: 'string' },
    pkarr: { type: 'string' },
    dns: { type: 'string', default: '198.18.0.10:53' },
    origin: { type: 'string', default: 'dns.iroh.link.' },
    mib: { type: 'string', default: '4' },
    transfer: { type: 'string', default: 'sink' },
    'observe-ms': { type: 'string', default: '8000' },
    lifetime: { type: 'string', default: '120' },
    deadline: { type: 'string', default: '90000' },
  },
  strict: true,
});

/** Drops the lab's LAN addresses (10/8): only public (reflexive) ones are published and offered. */
const noLan = (addrs: readonly TransportAddr[]): TransportAddr[] =>
  addrs.filter((a) => a.type !== 'ip' || !a.addr.toString().startsWith('10.'));

/** An endpoint on our relay that publishes every address to the pkarr API. */
async function bind(
  extraLookups: (DnsLookup | PkarrResolverLookup)[],
): Promise<{ ep: Endpoint; publisher: PkarrPublisherLookup }> {
  const secret = SecretKey.generate();
  const filter = values['no-lan'] ? noLan : AddrFilter.unfiltered();
  const publisher = new PkarrPublisherLookup(secret, { relayUrl: values.pkarr!, addrFilter: filter });
  const b = Endpoint.builder();
  presetMinimal(b);
  if (values.ca) b.caRoots({ extraRoots: [readFileSync(values.ca, 'utf8')] });
  if (values['no-lan']) b.addrFilter(noLan);
  b.secretKey(secret)
    .bindAddr('0.0.0.0:0')
    .alpns([PEER_ALPN])
    .relayMode(RelayMode.customFromUrls([values.relay!]))
    .addressLookup(publisher);
  for (const l of extraLookups) b.addressLookup(l);
  const ep = await b.bind();
  await withTimeout(ep.online(), 20_000, 'the relay');
  // The relay's QUIC address discovery: our public address, before we publish or dial.
  if (values.ca) await withTimeout(ep.updateNetReport(), 10_000, 'QAD');
  await publisher.flush();
  return { ep, publisher };
}

/** Whether `lookup` yields a record for `id` with a relay URL (polled every 200 ms until `ms`). */
async function resolves(
  lookup: DnsLookup | PkarrResolverLookup,
  id: PublicKey,
  ms: number,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      for await (const item of lookup.resolve(id)) if (item.addr.relayUrl() !== null) return true;
    } catch {
      // not yet, or unreachable
    }
    await sleep(200);
  }
  return false;
}

/** B's protocol: `E` echoes the stream, `S` hashes it and answers with the count and digest. */
class LabProtocol implements ProtocolHandler {
  async accept(conn: Connection): Promise<void> {
    const path = conn.paths()[0];
    print({ event: 'accepted', remote: conn.remoteId().toString(), isRelay: path?.isRelay ?? null });
    // The accepting side's path and NAT traversal events, for diagnosis.
    const t0 = performance.now();
    conn.quic.onPathEvent((e) => print({ event: 'path', ms: Math.round(performance.now() - t0), ...e }));
    for (;;) {
      const bi = await conn.acceptBi().catch(() => null);
      if (!bi) return;
      void (async () => {
        const op = (await bi.recv.readExact(1))[0];
        const hash = createHash('sha256');
        let n = 0;
        for (let c = await bi.recv.read(MIB); c !== null; c = await bi.recv.read(MIB)) {
          if (op === ECHO) await bi.send.writeAll(c);
          else hash.update(c);
          n += c.length;
        }
        if (op === SINK)
          await bi.send.writeAll(
            new TextEncoder().encode(JSON.stringify({ bytes: n, sha256: hash.digest('hex') })),
          );
        await bi.send.finish();
      })().catch((e: unknown) => print({ event: 'stream-error', error: (e as Error).message }));
    }
  }
}

async function accept(): Promise<void> {
  const { ep, publisher } = await bind([]);
  const router = Router.builder(ep).accept(PEER_ALPN, new LabProtocol()).spawn();
  // Ready once the record is visible through the pkarr API.
  const visible = await resolves(new PkarrResolverLookup(values.pkarr!), ep.id(), 20_000);
  if (!visible) throw new Error('our record did not become visible on the pkarr API');
  const stop = async () => {
    publisher.close();
    await router.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  setTimeout(() => void stop(), Number(values.lifetime) * 1000).unref();
  print({ event: 'ready', id: ep.id().toString(), addr: ep.addr().toString(), sockets: ep.boundSockets() });
  await new Promise(() => {});
}

function sample(p: PathSnapshot | undefined, ms: number): PathSample | null {
  return p ? { ms: Math.round(ms), isRelay: p.isRelay, isIp: p.isIp, remoteAddr: p.remoteAddr } : null;
}

/** Sends `mib` MiB of random data; `sink` compares B's digest, `echo` the echoed bytes' digest. */
async function transfer(
  conn: Connection,
  mode: 'sink' | 'echo',
  mib: number,
  pause?: { atMib: number; ready: () => Promise<void> },
): Promise<boolean> {
  const { send, recv } = await conn.openBi();
  const sent = createHash('sha256');
  const echoed = createHash('sha256');
  let echoedBytes = 0;
  const reading =
    mode === 'echo'
      ? (async () => {
          for (let c = await recv.read(MIB); c !== null; c = await recv.read(MIB)) {
            echoed.update(c);
            echoedBytes += c.length;
          }
        })()
      : recv.readToEnd(4096);
  await send.writeAll(Uint8Array.of(mode === 'echo' ? ECHO : SINK));
  for (let i = 0; i < mib * 4; i++) {
    if (pause && i === pause.atMib * 4) await pause.ready();
    const chunk = new Uint8Array(randomBytes(MIB / 4));
    sent.update(chunk);
    await send.writeAll(chunk);
  }
  await send.finish();
  const answer = await reading;
  const want = sent.digest('hex');
  if (mode === 'echo') return echoedBytes === mib * MIB && echoed.digest('hex') === want;
  const got = JSON.parse(new TextDecoder().decode(answer as Uint8Array)) as { bytes: number; sha256: string };
  return got.bytes === mib * MIB && got.sha256 === want;
}

async function dial(): Promise<number> {
  if (!values.id && !values.ticket) throw new Error('dial needs --id <EndpointId> or --ticket <ticket>');
  const ticket = values.ticket ? EndpointTicket.fromString(values.ticket).endpointAddr() : null;
  const remote = ticket ? ticket.id() : PublicKey.fromString(values.id!);
  const mode = values.transfer === 'echo' ? 'echo' : 'sink';
  const mib = Number(values.mib);
  const observeMs = Number(values['observe-ms']);
  const [host, port] = values.dns!.split(':') as [string, string];
  const dns = () =>
    new DnsLookup({
      transport: new UdpTransport({ host, port: Number(port) }),
      origin: values.origin!,
      staggeringMs: [300],
      timeoutMs: 2000,
    });
  const pkarr = () => new PkarrResolverLookup(values.pkarr!);
  // With a ticket, the ticket is all we know of the remote: no lookups.
  const { ep, publisher } = await bind(ticket ? [] : [dns(), pkarr()]);
  const [dnsOk, pkarrOk] = ticket
    ? [null, null]
    : await Promise.all([resolves(dns(), remote, 3000), resolves(pkarr(), remote, 3000)]);
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
    pkarrOk,
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
    const conn = await withTimeout(ep.connect(ticket ?? remote, PEER_ALPN), 30_000, 'connect');
    const connectedAt = performance.now();
    // Multipath and NAT traversal events, for diagnosing slow or failed punches.
    conn.quic.onPathEvent((e) => {
      const ms = Math.round(performance.now() - connectedAt);
      const what =
        'addr' in e
          ? e.addr
          : 'addrs' in e
            ? `r${e.round} [${e.addrs.join(' ')}]`
            : 'remote' in e
              ? String(e.remote)
              : '';
      report.events.push(`${ms} ${e.type}${'id' in e && e.id !== undefined ? ` #${e.id}` : ''} ${what}`);
    });
    report.connected = true;
    report.connectMs = Math.round(connectedAt - t0);
    const paths: PathSample[] = [];
    const see = (ps: PathSnapshot[]) => {
      const s = sample(ps.find((p) => p.isSelected) ?? ps[0], performance.now() - connectedAt);
      if (!s) return;
      const last = paths[paths.length - 1];
      if (!last || last.remoteAddr !== s.remoteAddr || last.isRelay !== s.isRelay) paths.push(s);
      if (!s.isRelay && s.isIp && report.timeToDirectMs === null) report.timeToDirectMs = s.ms;
    };
    see(conn.paths());
    report.initialPath = paths[0] ?? null;
    report.paths = paths; // filled in as paths change: a failed run reports what it saw
    const watch = conn.watchPaths(see);
    // Every path event, and a 10 ms poll: time to direct is measured to about 10 ms.
    const offEvents = conn.quic.onPathEvent(() => see(conn.paths()));
    const poll = setInterval(() => see(conn.paths()), 10);
    const t1 = performance.now();
    const pauseAt = values['pause-at-mib'] === undefined ? undefined : Number(values['pause-at-mib']);
    const pause =
      pauseAt === undefined
        ? undefined
        : {
            atMib: pauseAt,
            ready: async () => {
              const until = performance.now() + 10_000;
              while (report.timeToDirectMs === null && performance.now() < until) await sleep(20);
              const go = new Promise<void>((r) => process.once('SIGUSR2', () => r()));
              print({ event: 'paused', direct: report.timeToDirectMs !== null });
              await go;
              report.events.push(`${Math.round(performance.now() - connectedAt)} resumed`);
            },
          };
    moved.intact = await withTimeout(transfer(conn, mode, mib, pause), 180_000, 'transfer');
    moved.ms = Math.round(performance.now() - t1);
    // Keep watching until a direct path shows up or the observation window ends.
    while (report.timeToDirectMs === null && performance.now() - connectedAt < observeMs) await sleep(100);
    clearInterval(poll);
    offEvents();
    await watch.stop();
    report.direct = report.timeToDirectMs !== null;
    conn.close(0n);
  } catch (e) {
    report.error = (e as Error).message;
  }
  print(report);
  publisher.close();
  await withTimeout(ep.close(), 5000, 'close').catch(() => {});
  return report.connected && report.transfer.intact ? 0 : 1;
}

async function main(): Promise<void> {
  if (!values.relay || !values.pkarr) throw new Error('--relay and --pkarr are required');
  if (positionals[0] === 'accept') return accept();
  if (positionals[0] !== 'dial') throw new Error('usage: peer.js accept|dial …');
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
