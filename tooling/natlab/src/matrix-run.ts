/**
 * The endpoint matrix: for a pair of NAT modes, a lab with our relay app and DNS/pkarr app in the server
 * namespace (198.18.0.10), then N runs of ./peer.ts: `accept` in hostB, `dial` in hostA by EndpointId
 * alone. Each run says whether the connection came up, whether and when a direct path was selected,
 * and whether the data arrived intact.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LabProcess, NatLab, type NatMode, type Router, SERVER_IP, WAN_IP } from './lab.js';
import type { DialReport } from './peer.js';

/** The built programs that run inside the lab. */
export const PEER_JS = fileURLToPath(new URL('../dist/peer.js', import.meta.url));
/** The real-iroh side (`@number0/iroh`, napi). */
export const IROH_PEER_JS = fileURLToPath(new URL('../dist/iroh-peer.js', import.meta.url));
/** The UDP port real iroh binds in the lab (eim routers keep it, so its public address is known). */
export const IROH_PORT = 40000;
export const RELAY_APP = fileURLToPath(new URL('../../../apps/relay/dist/main.js', import.meta.url));
export const DNS_APP = fileURLToPath(new URL('../../../apps/dns-server/dist/main.js', import.meta.url));
/** The DNS app's origin and ports in the lab. */
export const ORIGIN = 'dns.iroh.link.';
export const RELAY_PORT = 3340;
export const DNS_HTTP_PORT = 8080;

/** Why the matrix cannot run (a program is not built), or `null`. */
export function matrixProgramsMissing(): string | null {
  const wanted: [string, string][] = [
    [PEER_JS, 'tooling/natlab'],
    [RELAY_APP, 'apps/relay'],
    [DNS_APP, 'apps/dns-server'],
  ];
  for (const [path, what] of wanted)
    if (!existsSync(path)) return `${what} is not built (${path} is missing)`;
  return null;
}

/** Why real iroh cannot run (its peer not built, the napi binary does not load), or `null`. */
export async function irohUnavailable(): Promise<string | null> {
  if (!existsSync(IROH_PEER_JS)) return `tooling/natlab is not built (${IROH_PEER_JS} is missing)`;
  // In a child process: a binary that does not load (or crashes) must not take the caller with it.
  const probe = "require('@number0/iroh').SecretKey.generate().public().toString()";
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--no-deprecation', '-e', probe],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 20_000 },
      (err, _stdout, stderr) =>
        resolve(
          err
            ? `@number0/iroh does not load: ${(String(stderr).trim() || err.message).split('\n')[0]}`
            : null,
        ),
    );
  });
}

/** Our servers running in the lab's server namespace. */
export interface Services {
  readonly relayUrl: string;
  /** PEM file of the test CA that signed the relay's QAD certificate (peers trust it). */
  readonly caPath: string;
  readonly pkarrUrl: string;
  readonly dnsAddr: string;
  readonly origin: string;
  readonly procs: readonly LabProcess[];
}

/**
 * Starts our relay app and DNS/pkarr app in the server namespace, bound to 198.18.0.10. The relay
 * runs QUIC address discovery on UDP 7842 with a certificate for 198.18.0.10 from a test CA (the relay
 * protocol itself stays on plain HTTP, `--dev`), so that endpoints learn their NAT's public mapping.
 */
export async function startServices(lab: NatLab): Promise<Services> {
  const tls = await labCertificates();
  const config = join(tls.dir, 'relay.toml');
  await writeFile(
    config,
    [
      'enable_quic_addr_discovery = true',
      '[tls]',
      'cert_mode = "Manual"',
      `manual_cert_path = ${JSON.stringify(tls.cert)}`,
      `manual_key_path = ${JSON.stringify(tls.key)}`,
      `quic_bind_addr = "${SERVER_IP}:7842"`,
      '',
    ].join('\n'),
  );
  const relay = lab.spawnNode('server', RELAY_APP, [
    '--dev',
    '--config',
    config,
    '--http-bind-addr',
    `${SERVER_IP}:${RELAY_PORT}`,
    '--metrics-bind-addr',
    '127.0.0.1:0',
  ]);
  const dns = lab.spawnNode('server', DNS_APP, [
    '--dev',
    '--http-bind-addr',
    `${SERVER_IP}:${DNS_HTTP_PORT}`,
    '--dns-bind-addr',
    `${SERVER_IP}:53`,
    '--origin',
    ORIGIN,
  ]);
  const [r, d] = await Promise.all([
    relay.waitLine(/^relay listening on (\S+)$/, 30_000),
    dns.waitLine(/^dns-server listening on http=(\S+) dns=(\S+) origin=(\S+)$/, 30_000),
  ]);
  return {
    relayUrl: r[1]!,
    caPath: tls.ca,
    pkarrUrl: `${d[1]}/pkarr`,
    dnsAddr: d[2]!,
    origin: d[3]!,
    procs: [relay, dns],
  };
}

/** A test CA and a certificate for 198.18.0.10 signed by it (ECDSA P-256, openssl), in a temp dir. */
export async function labCertificates(): Promise<{ dir: string; ca: string; cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'natlab-tls-'));
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=natlab ca',
  ]);
  run(['req', ...ec, '-keyout', p('key.pem'), '-out', p('leaf.csr'), '-subj', '/CN=relay.lab']);
  await writeFile(
    p('ext.cnf'),
    `subjectAltName=IP:${SERVER_IP},DNS:relay.lab\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  run([
    'x509',
    '-req',
    '-in',
    p('leaf.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('cert.pem'),
    '-days',
    '2',
    '-extfile',
    p('ext.cnf'),
  ]);
  return { dir, ca: p('ca.pem'), cert: p('cert.pem'), key: p('key.pem') };
}

/** Options of a run. */
export interface RunOptions {
  /** MiB transferred on one bi stream. @defaultValue 4 */
  readonly mib?: number;
  /** `sink`: B answers with a SHA-256; `echo`: B sends everything back. @defaultValue 'sink' */
  readonly transfer?: 'sink' | 'echo';
  /** How long after connect() to watch for a direct path (ms). @defaultValue 8000 */
  readonly observeMs?: number;
  /** Keep LAN addresses out of what the peers publish and offer (the hairpin case). */
  readonly noLan?: boolean;
  /**
   * Real iroh (`@number0/iroh`) on one side: `acceptor` in hostB (our endpoint in hostA dials it by
   * ticket), `dialler` in hostA (it dials our endpoint in hostB by EndpointId alone). Split topology only.
   */
  readonly iroh?: IrohSide;
}

/** Which side real iroh plays in a run (see {@link RunOptions.iroh}). */
export type IrohSide = 'acceptor' | 'dialler';

/**
 * The topology of a pair: `split` (hostA behind natA, hostB behind natB), `same` (both behind natA,
 * LAN addresses offered) or `hairpin` (both behind natA with UDP hairpinning, LAN addresses left out,
 * so that a direct path can only come through the router's public address).
 */
export type Variant = 'split' | 'same' | 'hairpin';

/** One run: the dialler's report, or why there is none. */
export interface RunResult {
  readonly dial: DialReport | null;
  readonly error?: string;
  /** The accepting side's path events (JSON lines it printed), with real iroh on one side. */
  readonly acceptorEvents?: readonly string[];
  /** What real iroh logged (tracing on its stdout, WARN and up), with real iroh on one side. */
  readonly irohLog?: IrohLog;
}

/** A summary of real iroh's log in one run. */
export interface IrohLog {
  /** WARN and ERROR lines until the run's end (the dialler's result, the acceptor's `stopping`). */
  readonly warnings: number;
  readonly errors: number;
  /** WARN and ERROR lines after that: closing the endpoint. */
  readonly atShutdown: number;
  /** `Failed to publish to pkarr` warnings: presetN0 publishing to n0's server, unreachable in the lab. */
  readonly pkarrPublishFailures: number;
  /** Distinct WARN/ERROR messages (timestamps and key=value details stripped), at most 12. */
  readonly distinct: readonly string[];
}

/** Summarises the tracing lines real iroh wrote to stdout. */
export function irohLogOf(p: LabProcess): IrohLog {
  const end = p.lines.stdout.findIndex((l) => /^\{"event":"(result|stopping)"/.test(l));
  const tracing = (ls: string[]) =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
    ls.filter((l) => !l.startsWith('{')).map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
  const level = (l: string) => /^\S+\s+(WARN|ERROR)\s/.exec(l)?.[1];
  const lines = tracing(end < 0 ? p.lines.stdout : p.lines.stdout.slice(0, end));
  const after = end < 0 ? [] : tracing(p.lines.stdout.slice(end)).filter((l) => level(l));
  const distinct = new Set<string>();
  for (const [l, late] of [
    ...lines.map((l) => [l, false] as const),
    ...after.map((l) => [l, true] as const),
  ]) {
    if (!level(l)) continue;
    const msg = `${l.replace(/^\S+\s+/, '').replace(/ \w+=.*$/, '')}${late ? ' (at shutdown)' : ''}`;
    if (distinct.size < 12) distinct.add(msg.length > 200 ? `${msg.slice(0, 200)}…` : msg);
  }
  return {
    warnings: lines.filter((l) => level(l) === 'WARN').length,
    errors: lines.filter((l) => level(l) === 'ERROR').length,
    atShutdown: after.length,
    pkarrPublishFailures: lines.filter((l) => l.includes('Failed to publish to pkarr')).length,
    distinct: [...distinct],
  };
}

/**
 * Real iroh's public address behind a router, for `addExternalAddr`: eim-like routers keep the port, so
 * it is the router's WAN address and {@link IROH_PORT}; without NAT (none, open) the host's own address
 * is public and iroh knows it; behind a symmetric NAT it cannot be known in advance.
 */
export function irohExternalAddr(lab: NatLab, router: Router): string | null {
  const mode = lab.mode(router);
  if (mode === 'eim' || mode === 'fullcone' || mode === 'udpblock') return `${WAN_IP[router]}:${IROH_PORT}`;
  return null;
}

/** One accept/dial run in a lab whose services are up. */
export async function runOnce(lab: NatLab, services: Services, opts: RunOptions = {}): Promise<RunResult> {
  if (opts.iroh) return runOnceIroh(lab, services, opts.iroh, opts);
  const common = [
    '--relay',
    services.relayUrl,
    '--ca',
    services.caPath,
    '--pkarr',
    services.pkarrUrl,
    ...(opts.noLan ? ['--no-lan'] : []),
  ];
  const b = lab.spawnNode('hostB', PEER_JS, ['accept', ...common, '--lifetime', '300']);
  try {
    const ready = await b.waitLine(/^\{"event":"ready".*$/, 60_000);
    const id = (JSON.parse(ready[0]) as { id: string }).id;
    const observeMs = opts.observeMs ?? 8000;
    const a = lab.spawnNode('hostA', PEER_JS, [
      'dial',
      ...common,
      '--id',
      id,
      '--dns',
      services.dnsAddr,
      '--origin',
      services.origin,
      '--mib',
      String(opts.mib ?? 4),
      '--transfer',
      opts.transfer ?? 'sink',
      '--observe-ms',
      String(observeMs),
      '--deadline',
      String(observeMs + 150_000),
    ]);
    await a.exited(observeMs + 160_000);
    const dial = a.jsonLines<DialReport>().find((l) => l.event === 'result') ?? null;
    if (!dial) return { dial: null, error: `the dialler printed no result:\n${a.output()}` };
    return { dial };
  } catch (e) {
    return { dial: null, error: (e as Error).message };
  } finally {
    await b.stop(2000);
  }
}

/** The dialler's options shared by ./peer.ts and ./iroh-peer.ts. */
function dialOptions(opts: RunOptions): string[] {
  const observeMs = opts.observeMs ?? 8000;
  return [
    '--mib',
    String(opts.mib ?? 4),
    '--transfer',
    opts.transfer ?? 'sink',
    '--observe-ms',
    String(observeMs),
    '--deadline',
    String(observeMs + 150_000),
  ];
}

/** The JSON lines of an accepting process other than `ready` (path events, accepted, errors). */
const acceptorEvents = (p: LabProcess): string[] =>
  p.lines.stdout.filter((l) => l.startsWith('{') && !l.startsWith('{"event":"ready"'));

/**
 * One run with real iroh on one side (always the split topology): as `acceptor` in hostB, our endpoint
 * in hostA dials it with its ticket (relay URL and direct addresses, its NAT's public mapping among
 * them); as `dialler` in hostA, it dials our endpoint in hostB by EndpointId alone (presetN0: DNS
 * through the lab's resolv.conf to our DNS app, where our endpoint published itself).
 */
async function runOnceIroh(
  lab: NatLab,
  services: Services,
  side: IrohSide,
  opts: RunOptions,
): Promise<RunResult> {
  if (lab.shared) throw new Error('real iroh runs in the split topology only');
  const ours = ['--relay', services.relayUrl, '--ca', services.caPath, '--pkarr', services.pkarrUrl];
  const irohArgs = (router: Router) => {
    const external = irohExternalAddr(lab, router);
    return [
      '--relay',
      services.relayUrl,
      '--bind',
      `0.0.0.0:${IROH_PORT}`,
      ...(external ? ['--external', external] : []),
    ];
  };
  // The napi package's `main` field is wrong (Node falls back to index.js and warns about it).
  const env = { NODE_OPTIONS: '--no-deprecation' };
  const observeMs = opts.observeMs ?? 8000;
  const b =
    side === 'acceptor'
      ? lab.spawnNode('hostB', IROH_PEER_JS, ['accept', ...irohArgs('natB'), '--lifetime', '300'], { env })
      : lab.spawnNode('hostB', PEER_JS, ['accept', ...ours, '--lifetime', '300']);
  let a: LabProcess | null = null;
  try {
    const ready = await b.waitLine(/^\{"event":"ready".*$/, 60_000);
    const r = JSON.parse(ready[0]) as { id: string; ticket?: string };
    a =
      side === 'acceptor'
        ? lab.spawnNode('hostA', PEER_JS, ['dial', ...ours, '--ticket', r.ticket!, ...dialOptions(opts)])
        : lab.spawnNode(
            'hostA',
            IROH_PEER_JS,
            ['dial', ...irohArgs('natA'), '--id', r.id, '--origin', services.origin, ...dialOptions(opts)],
            { env },
          );
    await a.exited(observeMs + 160_000);
    const dial = a.jsonLines<DialReport>().find((l) => l.event === 'result') ?? null;
    await b.stop(2000);
    const extra = { acceptorEvents: acceptorEvents(b), irohLog: irohLogOf(side === 'acceptor' ? b : a) };
    if (!dial) return { dial: null, error: `the dialler printed no result:\n${a.output()}`, ...extra };
    return { dial, ...extra };
  } catch (e) {
    return { dial: null, error: (e as Error).message };
  } finally {
    await b.stop(2000);
    await a?.stop(2000);
  }
}

/** A pair's runs and their summary. */
export interface PairSummary {
  readonly pair: string;
  readonly variant: Variant;
  /** Real iroh's side, when one side is real iroh. */
  readonly iroh?: IrohSide;
  readonly a: NatMode;
  readonly b: NatMode;
  readonly runs: number;
  readonly connected: number;
  readonly direct: number;
  readonly timesToDirectMs: readonly number[];
  readonly medianToDirectMs: number | null;
  /** The 95th percentile (nearest rank) of the times to direct. */
  readonly p95ToDirectMs: number | null;
  readonly maxToDirectMs: number | null;
  readonly intact: number;
  readonly results: readonly RunResult[];
  readonly error?: string;
}

/** The median of a list (the lower middle value for an even count), `null` for none. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** The `p`th percentile by nearest rank, `null` for none. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Counts of a pair's runs. */
export function summarize(
  a: NatMode,
  b: NatMode,
  results: readonly RunResult[],
  error?: string,
  variant: Variant = 'split',
  iroh?: IrohSide,
): PairSummary {
  const dials = results.map((r) => r.dial).filter((d): d is DialReport => d !== null);
  const times = dials.flatMap((d) => (d.timeToDirectMs === null ? [] : [d.timeToDirectMs]));
  const direction = iroh === 'acceptor' ? ' TS→iroh' : iroh === 'dialler' ? ' iroh→TS' : '';
  return {
    pair: `${variant === 'split' ? `${a}×${b}` : `${variant}:${a}`}${direction}`,
    variant,
    ...(iroh ? { iroh } : {}),
    a,
    b,
    runs: results.length,
    connected: dials.filter((d) => d.connected).length,
    direct: dials.filter((d) => d.direct).length,
    timesToDirectMs: times,
    medianToDirectMs: median(times),
    p95ToDirectMs: percentile(times, 95),
    maxToDirectMs: times.length ? Math.max(...times) : null,
    intact: dials.filter((d) => d.transfer.intact).length,
    results,
    ...(error ? { error } : {}),
  };
}

/** Options of {@link runPair}. */
export interface PairRunOptions extends RunOptions {
  /** Runs per pair. @defaultValue 1 */
  readonly runs?: number;
  /** The lab's namespace prefix. */
  readonly prefix?: string;
  /** Called after each run. */
  readonly onRun?: (i: number, r: RunResult) => void;
  /** The topology. @defaultValue 'split' */
  readonly variant?: Variant;
}

/** Builds a lab for natA=`a`, natB=`b`, starts the services, runs the pair, takes the lab down. */
export async function runPair(a: NatMode, b: NatMode, opts: PairRunOptions = {}): Promise<PairSummary> {
  const results: RunResult[] = [];
  const variant = opts.variant ?? 'split';
  if (opts.iroh && variant !== 'split') throw new Error('real iroh runs in the split topology only');
  const lab = await NatLab.up({
    a,
    b,
    ...(variant !== 'split' ? { shared: true } : {}),
    ...(variant === 'hairpin' ? { hairpin: true } : {}),
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
  });
  const runOpts: RunOptions = { ...opts, noLan: variant === 'hairpin' };
  try {
    const services = await startServices(lab);
    for (let i = 0; i < (opts.runs ?? 1); i++) {
      const r = await runOnce(lab, services, runOpts);
      results.push(r);
      opts.onRun?.(i, r);
    }
    return summarize(a, b, results, undefined, variant, opts.iroh);
  } catch (e) {
    return summarize(a, b, results, (e as Error).message, variant, opts.iroh);
  } finally {
    await lab.down();
  }
}
