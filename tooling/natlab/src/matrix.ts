#!/usr/bin/env node
/**
 * The endpoint matrix runner:
 *
 *   pnpm --filter @iroh-ts/natlab matrix [--runs 3] [--pairs eim:eim,eim:sym,…] [--mib 4]
 *                                        [--transfer sink|echo] [--observe-ms 8000] [--iroh]
 *                                        [--prefix <namespace prefix>]
 *
 * For each NAT pair (natA:natB): a lab, our relay and DNS/pkarr apps in the server namespace, and
 * `--runs` accept/dial runs of ./peer.ts (see ./matrix-run.ts). Writes results/matrix.json (every
 * report) and results/matrix.md (the table). Needs root; exits 2 when the lab cannot run here.
 *
 * Real iroh (`@number0/iroh`, ./iroh-peer.ts) on one side: `eim:iroh-eim` puts it in hostB (our endpoint
 * in hostA dials it by ticket), `iroh-eim:eim` in hostA (it dials ours in hostB by EndpointId). `--iroh`
 * runs both directions of eim×eim and none×eim (unless --pairs says otherwise) and writes
 * results/matrix-iroh.{json,md} instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NAT_MODES, type NatMode, natlabAvailable } from './lab.js';
import {
  type IrohSide,
  irohUnavailable,
  matrixProgramsMissing,
  type PairSummary,
  runPair,
  type Variant,
} from './matrix-run.js';

const DEFAULT_PAIRS =
  'eim:eim,none:eim,fullcone:sym,sym:open,same:eim,hairpin:eim,eim:sym,sym:sym,udpblock:eim,eim:udpblock,eim:fullcone,eim:open,open:open';
/** `--iroh`: both directions with real iroh, for eim×eim and none×eim. */
const IROH_PAIRS = 'eim:iroh-eim,iroh-eim:eim,none:iroh-eim,iroh-none:eim';
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

/** Whether plain UDP hole punching gets through this pair in the lab (the recipe's table, §6). */
function punchable(a: NatMode, b: NatMode, variant: Variant = 'split'): boolean {
  if (variant !== 'split') return a !== 'udpblock';
  if (a === 'udpblock' || b === 'udpblock') return false;
  const endpointIndependentFiltering = (m: NatMode) => m === 'fullcone' || m === 'open';
  if (a === 'sym' && b === 'sym') return false;
  if (a === 'sym') return endpointIndependentFiltering(b);
  if (b === 'sym') return endpointIndependentFiltering(a);
  return true;
}

/** The installed `@number0/iroh` version. */
function irohVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@number0/iroh/package.json') as { version: string }).version;
}

const fmtMs = (ms: number | null) =>
  ms === null ? '–' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;

function notes(s: PairSummary): string {
  const out: string[] = [];
  if (s.error) out.push(`error: ${s.error.split('\n')[0]}`);
  const dials = s.results.flatMap((r) => (r.dial ? [r.dial] : []));
  const failed = s.results.filter((r) => !r.dial).length;
  if (failed) out.push(`${failed} run(s) without a report`);
  const dnsFailed = dials.filter((d) => d.dnsOk === false).length;
  if (dnsFailed && s.iroh === 'dialler')
    out.push(`the system resolver did not see B's record in ${dnsFailed}/${dials.length}`);
  else if (dnsFailed)
    out.push(`DNS over UDP unreachable in ${dnsFailed}/${dials.length} (resolved via the pkarr API)`);
  const errors = [...new Set(dials.flatMap((d) => (d.error ? [d.error.split('\n')[0]] : [])))];
  for (const e of errors) out.push(`error: ${e}`);
  const fromStart = dials.filter((d) => d.initialPath !== null && !d.initialPath.isRelay).length;
  if (fromStart)
    out.push(`${fromStart}/${dials.length} direct from connect() on (B's published address is reachable)`);
  const relayOnly = dials.filter((d) => d.connected && !d.direct).length;
  if (relayOnly) out.push(`${relayOnly}/${dials.length} relay only`);
  const logs = s.results.flatMap((r) => (r.irohLog ? [r.irohLog] : []));
  const pkarr = logs.filter((l) => l.pkarrPublishFailures > 0).length;
  if (s.iroh === 'dialler' && pkarr)
    out.push(
      `iroh's publish to n0's pkarr server failed (unreachable) in ${pkarr}/${logs.length}, harmlessly`,
    );
  const errorLogs = logs.filter((l) => l.errors > 0).length;
  if (errorLogs) out.push(`iroh logged errors in ${errorLogs}/${logs.length}`);
  const shutdownLogs = logs.filter((l) => l.atShutdown > 0).length;
  if (shutdownLogs)
    out.push(`iroh logged warnings or errors while closing in ${shutdownLogs}/${logs.length}`);
  // iroh's QUIC address discovery against our relay fails (it does not trust the test CA); the relay's
  // handshake packets that arrive afterwards show up at iroh as incoming connections it rejects.
  const qad = s.results.filter((r) =>
    r.acceptorEvents?.some((e) => e.startsWith('{"event":"accept-error"') && e.includes(':7842"')),
  ).length;
  if (qad)
    out.push(
      `in ${qad}/${s.results.length}, iroh rejected an incoming from the relay's QAD port (leftovers of its failed QAD handshake)`,
    );
  return out.join('; ').replaceAll('|', '\\|');
}

const INTRO = [
  '# Endpoint matrix in the NAT lab',
  '',
  'Written by `pnpm --filter @iroh-ts/natlab matrix` (tooling/natlab/src/matrix.ts). For each pair, a',
  'fresh network-namespace lab (natA × natB, see tooling/natlab/README.md), our relay app and DNS/pkarr',
  'app on 198.18.0.10; per run, an `@iroh-ts/endpoint` endpoint in hostB publishes itself and one in',
  'hostA dials it by EndpointId alone, watches its paths and transfers data on one bi stream.',
  '"direct" counts runs in which a non-relay path was selected within the observation window; times are',
  'measured from when `connect()` resolved. "UDP punch possible" says whether plain UDP hole punching',
  'gets through the pair in this lab (test/lab.test.ts checks it). A pair where it is possible but no run',
  'went direct is work for the endpoint (hole punching), not a fault of the lab.',
];

const IROH_INTRO = [
  '# Endpoint matrix in the NAT lab, with real iroh on one side',
  '',
  'Written by `pnpm --filter @iroh-ts/natlab matrix --iroh` (tooling/natlab/src/matrix.ts). For each row,',
  'a fresh network-namespace lab (natA × natB, see tooling/natlab/README.md), our relay app and DNS/pkarr',
  'app on 198.18.0.10, and per run a dialler in hostA and an acceptor in hostB, one of them real iroh',
  '(`@number0/iroh` 1.1.0, src/iroh-peer.ts), the other `@iroh-ts/endpoint` (src/peer.ts):',
  '',
  '- "TS → iroh": iroh in hostB (presetMinimal, our relay) is dialled by our endpoint with its ticket',
  '  (relay URL and direct addresses);',
  '- "iroh → TS": iroh in hostA (presetN0 with our relay) dials our endpoint in hostB by EndpointId alone;',
  "  it finds it through DNS (`_iroh.<z32>.dns.iroh.link.` TXT via the system resolver, which the lab's",
  '  resolv.conf points at our DNS app, where our endpoint published itself through the pkarr API).',
  '',
  "iroh cannot be told to trust the test CA of our relay's QUIC address discovery, so it does not learn its",
  'public address from the relay: it binds UDP 40000 and is given `<its NAT WAN>:40000` with',
  '`addExternalAddr` (eim keeps the port; behind `none` its own address is public and nothing is added).',
  'Our endpoint learns its public address from the relay (QAD, trusting the test CA).',
  '"direct" counts runs in which the dialler selected a direct path within the observation window (iroh:',
  '`paths()` with `isIp && isSelected`; ours: the selected path of `conn.paths()`); times are measured',
  'from when `connect()` resolved, both endpoints online. "data intact": the SHA-256 of the transfer matched.',
];

/** The Markdown report. */
function markdown(
  summaries: readonly PairSummary[],
  meta: Record<string, string | number>,
  iroh: boolean,
): string {
  const lines = [
    ...(iroh ? IROH_INTRO : INTRO),
    '',
    Object.entries(meta)
      .map(([k, v]) => `${k}: ${v}`)
      .join(' · '),
    '',
    '| pair (natA × natB) | UDP punch possible | runs | connected | direct | median to direct | p95 to direct | max to direct | data intact | notes |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const label = (s: PairSummary) =>
    s.variant === 'same'
      ? `same NAT (${s.a}), LAN`
      : s.variant === 'hairpin'
        ? `same NAT (${s.a}), hairpin, no LAN candidates`
        : s.iroh === 'acceptor'
          ? `${s.a} × ${s.b}, TS → iroh`
          : s.iroh === 'dialler'
            ? `${s.a} × ${s.b}, iroh → TS`
            : `${s.a} × ${s.b}`;
  for (const s of summaries)
    lines.push(
      `| ${label(s)} | ${punchable(s.a, s.b, s.variant) ? 'yes' : 'no'} | ${s.runs} | ${s.connected}/${s.runs} | ` +
        `${s.direct}/${s.runs} | ${fmtMs(s.medianToDirectMs)} | ${fmtMs(s.p95ToDirectMs)} | ${fmtMs(s.maxToDirectMs)} | ${s.intact}/${s.runs} | ${notes(s)} |`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * `a:b` (split topology), `same:<mode>` (both hosts behind natA) or `hairpin:<mode>`; `iroh-` in front
 * of one mode of a split pair puts real iroh on that side (hostA dials, hostB accepts).
 */
function parsePairs(text: string): [NatMode, NatMode, Variant, IrohSide | undefined][] {
  return text.split(',').map((p) => {
    let [x, y] = p.trim().split(':');
    const ok = (m: string | undefined): m is NatMode => NAT_MODES.includes(m as NatMode);
    if ((x === 'same' || x === 'hairpin') && ok(y)) return [y, y, x, undefined];
    let iroh: IrohSide | undefined;
    if (x?.startsWith('iroh-')) [x, iroh] = [x.slice(5), 'dialler'];
    else if (y?.startsWith('iroh-')) [y, iroh] = [y.slice(5), 'acceptor'];
    if (!ok(x) || !ok(y))
      throw new Error(
        `bad pair ${JSON.stringify(p)} (modes: ${NAT_MODES.join(', ')}; or same:<mode>, hairpin:<mode>; ` +
          'iroh-<mode> on one side of a:b for real iroh there)',
      );
    return [x, y, 'split', iroh];
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      pairs: { type: 'string' },
      mib: { type: 'string', default: '4' },
      transfer: { type: 'string', default: 'sink' },
      'observe-ms': { type: 'string', default: '8000' },
      iroh: { type: 'boolean', default: false },
      /** In front of the lab's namespace names (default: unique per process). */
      prefix: { type: 'string' },
    },
    strict: true,
  });
  const runs = Number(values.runs);
  const mib = Number(values.mib);
  const observeMs = Number(values['observe-ms']);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isInteger(mib) || mib < 1) throw new Error('--mib must be a positive integer');
  const transfer = values.transfer === 'echo' ? 'echo' : 'sink';
  const pairs = parsePairs(values.pairs ?? (values.iroh ? IROH_PAIRS : DEFAULT_PAIRS));
  const withIroh = pairs.some(([, , , side]) => side !== undefined);
  const out = values.iroh || pairs.every(([, , , side]) => side !== undefined) ? 'matrix-iroh' : 'matrix';
  const available = await natlabAvailable();
  const missing = available.ok
    ? (matrixProgramsMissing() ?? (withIroh ? await irohUnavailable() : null))
    : available.reason;
  if (missing) {
    console.error(`natlab matrix: cannot run: ${missing}`);
    process.exit(2);
  }
  const started = new Date();
  const summaries: PairSummary[] = [];
  for (const [a, b, variant, iroh] of pairs) {
    const direction = iroh === 'acceptor' ? ', TS → iroh' : iroh === 'dialler' ? ', iroh → TS' : '';
    console.error(`${variant === 'split' ? `${a} × ${b}` : `${variant}:${a}`}${direction}: ${runs} run(s)`);
    const s = await runPair(a, b, {
      ...(values.prefix ? { prefix: values.prefix } : {}),
      variant,
      ...(iroh ? { iroh } : {}),
      runs,
      mib,
      transfer,
      observeMs,
      onRun: (i, r) => {
        const d = r.dial;
        console.error(
          `  run ${i + 1}: ${
            d
              ? `connected=${d.connected} direct=${d.direct}${d.timeToDirectMs !== null ? ` after ${d.timeToDirectMs} ms` : ''} intact=${d.transfer.intact}${d.error ? ` error=${d.error}` : ''}`
              : `no report: ${r.error?.split('\n')[0]}`
          }`,
        );
      },
    });
    if (s.error) console.error(`  error: ${s.error.split('\n')[0]}`);
    summaries.push(s);
  }
  const meta = {
    date: started.toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    kernel: release(),
    'runs per pair': runs,
    transfer: `${mib} MiB (${transfer})`,
    'observation window': `${observeMs} ms`,
    ...(withIroh ? { 'real iroh': `@number0/iroh ${irohVersion()}` } : {}),
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}${out}.json`, `${JSON.stringify({ meta, pairs: summaries }, null, 2)}\n`);
  const md = markdown(summaries, meta, out === 'matrix-iroh');
  writeFileSync(`${RESULTS}${out}.md`, md);
  process.stdout.write(md);
}

main().catch((e: unknown) => {
  console.error(`natlab matrix: ${(e as Error).message}`);
  process.exit(1);
});
