/**
 * Checks of the lab itself with plain UDP: the reflector in the server namespace and a simultaneous
 * punch from hostA and hostB (./punch.ts), as the recipe's `pair.sh` does.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LabProcess, NatLab } from './lab.js';
import type { PunchReport } from './punch.js';

/** The built programs (dist/), which run inside namespaces with plain `node`. */
export const PUNCH_JS = fileURLToPath(new URL('../dist/punch.js', import.meta.url));
export const REFLECTOR_JS = fileURLToPath(new URL('../dist/reflector.js', import.meta.url));

/** Why the built programs cannot run, or `null`. */
export function builtProgramsMissing(): string | null {
  for (const p of [PUNCH_JS, REFLECTOR_JS])
    if (!existsSync(p)) return `tooling/natlab is not built (${p} is missing; run pnpm build)`;
  return null;
}

/** Starts the reflector in the server namespace and waits until it listens. */
export async function startReflector(lab: NatLab, lifetimeS = 120): Promise<LabProcess> {
  const proc = lab.spawnNode('server', REFLECTOR_JS, ['--lifetime', String(lifetimeS)]);
  await proc.waitLine(/^reflector listening on /, 10_000);
  return proc;
}

/** Options of {@link punchPair}. */
export interface PairOptions {
  /** Offer no LAN (host) candidates. */
  readonly noLocal?: boolean;
  /** How long to punch before giving up (ms). @defaultValue 3000 */
  readonly timeoutMs?: number;
  /** How long to wait for the peer at the rendezvous (ms). @defaultValue 5000 */
  readonly rendezvousMs?: number;
  /** How long to keep answering after success (ms). @defaultValue 500 */
  readonly lingerMs?: number;
}

/** What both sides of a punch reported. */
export interface PairResult {
  readonly a: PunchReport;
  readonly b: PunchReport;
}

/** Runs punch in hostA (id A) and hostB (id B) at the same time; resolves with both reports. */
export async function punchPair(lab: NatLab, session: string, opts: PairOptions = {}): Promise<PairResult> {
  const timeout = opts.timeoutMs ?? 3000;
  const rendezvous = opts.rendezvousMs ?? 5000;
  const args = (id: string, peer: string) => [
    '--id',
    id,
    '--peer',
    peer,
    '--session',
    session,
    '--timeout',
    String(timeout),
    '--rendezvous-timeout',
    String(rendezvous),
    '--linger',
    String(opts.lingerMs ?? 500),
    '--deadline',
    String(timeout + rendezvous + 5000),
    ...(opts.noLocal ? ['--no-local'] : []),
  ];
  const pa = lab.spawnNode('hostA', PUNCH_JS, args('A', 'B'));
  const pb = lab.spawnNode('hostB', PUNCH_JS, args('B', 'A'));
  const deadline = timeout + rendezvous + 15_000;
  const report = async (p: LabProcess): Promise<PunchReport> => {
    await p.exited(deadline);
    const [r] = p.jsonLines<PunchReport>();
    if (!r) throw new Error(`${p.label} printed no report\n${p.output()}`);
    return r;
  };
  const [a, b] = await Promise.all([report(pa), report(pb)]);
  return { a, b };
}
