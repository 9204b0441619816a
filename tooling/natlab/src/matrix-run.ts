/**
 * The endpoint matrix: for a pair of NAT modes, a lab with our relay app and DNS/pkarr app in the server
 * namespace (198.18.0.10), then N runs of ./peer.ts: `accept` in hostB, `dial` in hostA by EndpointId
 * alone. Each run says whether the connection came up, whether and when a direct path was selected,
 * and whether the data arrived intact.
 */
import { existsSync } from 'node:fs';
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
  readonly pkarrUrl: string;
  readonly dnsAddr: string;
  readonly origin: string;
  readonly procs: readonly LabProcess[];
}

/** Starts our relay app and DNS/pkarr app in the server namespace, bound to 198.18.0.10. */
export async function startServices(lab: NatLab): Promise<Services> {
  const relay = lab.spawnNode('server', RELAY_APP, [
    '--dev',
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
  return { relayUrl: r[1]!, pkarrUrl: `${d[1]}/pkarr`, dnsAddr: d[2]!, origin: d[3]!, procs: [relay, dns] };
}

/** Options of a run. */
export interface RunOptions {
  /** MiB transferred on one bi stream. @defaultValue 4 */
  readonly mib?: number;
  /** `sink`: B answers with a SHA-256; `echo`: B sends everything back. @defaultValue 'sink' */
  readonly transfer?: 'sink' | 'echo';
  /** How long after connect() to watch for a direct path (ms). @defaultValue 8000 */
  readonly observeMs?: number;
}

/** One run: the dialler's report, or why there is none. */
export interface RunResult {
  readonly dial: DialReport | null;
  readonly error?: string;
}

/** One accept/dial run in a lab whose services are up. */
export async function runOnce(lab: NatLab, services: Services, opts: RunOptions = {}): Promise<RunResult> {
  const common = ['--relay', services.relayUrl, '--pkarr', services.pkarrUrl];
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
): PairSummary {
  const dials = results.map((r) => r.dial).filter((d): d is DialReport => d !== null);
  const times = dials.flatMap((d) => (d.timeToDirectMs === null ? [] : [d.timeToDirectMs]));
  return {
    pair: `${a}×${b}`,
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
}

/** Builds a lab for natA=`a`, natB=`b`, starts the services, runs the pair, takes the lab down. */
export async function runPair(a: NatMode, b: NatMode, opts: PairRunOptions = {}): Promise<PairSummary> {
  const results: RunResult[] = [];
  const lab = await NatLab.up({ a, b, ...(opts.prefix ? { prefix: opts.prefix } : {}) });
  try {
    const services = await startServices(lab);
    for (let i = 0; i < (opts.runs ?? 1); i++) {
      const r = await runOnce(lab, services, opts);
      results.push(r);
      opts.onRun?.(i, r);
    }
    return summarize(a, b, results);
  } catch (e) {
    return summarize(a, b, results, (e as Error).message);
  } finally {
    await lab.down();
  }
}
