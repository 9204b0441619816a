/**
 * The endpoint matrix: for a pair of NAT modes, a lab with our relay app and DNS/pkarr app in the server
 * namespace (198.18.0.10), then N runs of ./peer.ts: `accept` in hostB, `dial` in hostA by EndpointId
 * alone. Each run says whether the connection came up, whether and when a direct path was selected,
 * and whether the data arrived intact.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LabProcess, NatLab, type NatMode, SERVER_IP } from './lab.js';
import type { DialReport } from './peer.js';

/** The built programs that run inside the lab. */
export const PEER_JS = fileURLToPath(new URL('../dist/peer.js', import.meta.url));
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
}

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
}

/** One accept/dial run in a lab whose services are up. */
export async function runOnce(lab: NatLab, services: Services, opts: RunOptions = {}): Promise<RunResult> {
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

/** A pair's runs and their summary. */
export interface PairSummary {
  readonly pair: string;
  readonly variant: Variant;
  readonly a: NatMode;
  readonly b: NatMode;
  readonly runs: number;
  readonly connected: number;
  readonly direct: number;
  readonly timesToDirectMs: readonly number[];
  readonly medianToDirectMs: number | null;
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

/** Counts of a pair's runs. */
export function summarize(
  a: NatMode,
  b: NatMode,
  results: readonly RunResult[],
  error?: string,
  variant: Variant = 'split',
): PairSummary {
  const dials = results.map((r) => r.dial).filter((d): d is DialReport => d !== null);
  const times = dials.flatMap((d) => (d.timeToDirectMs === null ? [] : [d.timeToDirectMs]));
  return {
    pair: variant === 'split' ? `${a}×${b}` : `${variant}:${a}`,
    variant,
    a,
    b,
    runs: results.length,
    connected: dials.filter((d) => d.connected).length,
    direct: dials.filter((d) => d.direct).length,
    timesToDirectMs: times,
    medianToDirectMs: median(times),
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
    return summarize(a, b, results, undefined, variant);
  } catch (e) {
    return summarize(a, b, results, (e as Error).message, variant);
  } finally {
    await lab.down();
  }
}
