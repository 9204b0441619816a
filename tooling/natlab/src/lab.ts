/**
 * A TypeScript API over `natlab.sh`: check whether the lab can run here, bring a lab up with NAT modes
 * per router, change a mode live, run processes inside its namespaces and read their output line by
 * line, and take it down. Labs still up when the process exits are taken down by an exit hook.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LabProcess } from './process.js';

export { LabProcess } from './process.js';

/** NAT modes of a router (see README.md). */
export const NAT_MODES = ['eim', 'fullcone', 'sym', 'none', 'open', 'udpblock'] as const;
/** A router's NAT mode. */
export type NatMode = (typeof NAT_MODES)[number];
/** The two routers. */
export type Router = 'natA' | 'natB';
/** Lab namespaces, without the prefix. */
export type LabNamespace = 'inet' | 'server' | 'natA' | 'hostA' | 'natB' | 'hostB';

/** The lab script. */
export const NATLAB_SH = fileURLToPath(new URL('../natlab.sh', import.meta.url));
/** The server namespace's addresses. */
export const SERVER_IP = '198.18.0.10';
export const SERVER_IP_ALT = '198.18.0.11';
/** The routers' WAN (public) addresses: an eim router maps its LAN hosts' ports to these. */
export const WAN_IP: Readonly<Record<Router, string>> = { natA: '198.18.0.2', natB: '198.18.0.3' };

/** Whether the lab can run here, and if not, why. */
export type Availability = { ok: true } | { ok: false; reason: string };

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 180_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({
        code,
        stdout: String(stdout),
        stderr: String(stderr || (err && code === -1 ? err.message : '')),
      });
    });
  });
}

/** Root? `ip netns add` permitted? `ip`, `nft`, `conntrack`, `flock` present? */
export async function natlabAvailable(): Promise<Availability> {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the lab needs root (network namespaces)' };
  const packages: Record<string, string> = {
    ip: 'iproute2',
    nft: 'nftables',
    conntrack: 'conntrack',
    flock: 'util-linux',
    bash: 'bash',
  };
  for (const [tool, pkg] of Object.entries(packages)) {
    const r = await run('sh', ['-c', `command -v ${tool}`]);
    if (r.code !== 0)
      return { ok: false, reason: `\`${tool}\` is not installed (Debian: apt-get install ${pkg})` };
  }
  const probe = `natlab-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  const added = await run('ip', ['netns', 'add', probe]);
  if (added.code !== 0)
    return { ok: false, reason: `\`ip netns add\` is not permitted here: ${added.stderr.trim()}` };
  try {
    const nft = await run('ip', ['netns', 'exec', probe, 'nft', 'list', 'ruleset']);
    if (nft.code !== 0)
      return { ok: false, reason: `nft does not work inside a namespace: ${nft.stderr.trim()}` };
  } finally {
    await run('ip', ['netns', 'del', probe]);
  }
  return { ok: true };
}

/** Options of {@link NatLab.up}. */
export interface UpOptions {
  /** natA's mode. @defaultValue 'eim' */
  readonly a?: NatMode;
  /** natB's mode (ignored with `shared`). @defaultValue 'eim' */
  readonly b?: NatMode;
  /** Both hosts behind natA (hostB is 10.0.1.3); there is no natB. */
  readonly shared?: boolean;
  /** UDP hairpinning on the routers (NAT loopback). */
  readonly hairpin?: boolean;
  /** Percentage of packets dropped at random on the inet bridge and router. */
  readonly loss?: number;
  /** Conntrack UDP timeouts of the routers, in seconds (the NAT mappings' lifetime). */
  readonly udpTimeout?: number;
  /** `accept`: routers without an input firewall. @defaultValue 'drop' */
  readonly wanInput?: 'drop' | 'accept';
  /** In front of every namespace name. @defaultValue unique per process and lab, `nl<pid>-<n>-` */
  readonly prefix?: string;
}

/** Options of {@link NatLab.spawn}. */
export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** An error of `natlab.sh`, with its output. */
export class NatLabError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly output: string,
  ) {
    super(`${message} (exit ${code}): ${output.trim()}`);
    this.name = 'NatLabError';
  }
}

let labSeq = 0;
const liveLabs = new Set<NatLab>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const lab of liveLabs) lab.downSync();
  });
}

/** One lab: namespaces `<prefix>inet`, `<prefix>server`, `<prefix>natA`, … built by `natlab.sh`. */
export class NatLab {
  readonly #procs = new Set<LabProcess>();
  #modes: Record<Router, NatMode | null>;

  private constructor(
    readonly prefix: string,
    readonly shared: boolean,
    a: NatMode,
    b: NatMode | null,
    readonly hairpin: boolean,
  ) {
    this.#modes = { natA: a, natB: b };
  }

  /** Builds a lab (replacing one with the same prefix). @throws {@link NatLabError} */
  static async up(opts: UpOptions = {}): Promise<NatLab> {
    const prefix = opts.prefix ?? `nl${process.pid}-${labSeq++}-`;
    const a = opts.a ?? 'eim';
    const b = opts.b ?? 'eim';
    const args = ['up', a, b];
    if (opts.shared) args.push('--shared');
    if (opts.hairpin) args.push('--hairpin');
    const env: NodeJS.ProcessEnv = { NATLAB_PREFIX: prefix, NATLAB_QUIET: '1' };
    if (opts.loss !== undefined) env.NATLAB_LOSS = String(opts.loss);
    if (opts.udpTimeout !== undefined) env.NATLAB_UDP_TIMEOUT = String(opts.udpTimeout);
    if (opts.wanInput !== undefined) env.NATLAB_WAN_INPUT = opts.wanInput;
    installExitHook();
    const lab = new NatLab(prefix, opts.shared === true, a, opts.shared ? null : b, opts.hairpin === true);
    liveLabs.add(lab);
    const r = await run('bash', [NATLAB_SH, ...args], env);
    if (r.code !== 0) {
      liveLabs.delete(lab);
      throw new NatLabError(`natlab.sh ${args.join(' ')}`, r.code, r.stderr + r.stdout);
    }
    return lab;
  }

  /** The full name of a lab namespace. */
  ns(name: LabNamespace): string {
    if (this.shared && name === 'natB') throw new Error('a shared lab has no natB');
    return `${this.prefix}${name}`;
  }

  /** A router's current mode (`null`: natB of a shared lab). */
  mode(router: Router): NatMode | null {
    return this.#modes[router];
  }

  /** Changes a router's NAT mode live (and flushes its conntrack table). */
  async set(router: Router, mode: NatMode): Promise<void> {
    await this.#script(['set', router, mode]);
    this.#modes[router] = mode;
  }

  /** `natlab.sh status`: exit code 0 up, 1 partial, 3 down, and its line. */
  async status(): Promise<{ code: number; line: string }> {
    const r = await run('bash', [NATLAB_SH, 'status'], { NATLAB_PREFIX: this.prefix, NATLAB_QUIET: '1' });
    return { code: r.code, line: r.stdout.trim() };
  }

  /**
   * Starts `cmd args…` inside a lab namespace (`ip netns exec`), stdout and stderr piped and read line
   * by line. `down` stops it if it is still running.
   */
  spawn(ns: LabNamespace, cmd: string, args: readonly string[], opts: SpawnOptions = {}): LabProcess {
    const child: ChildProcess = spawn('ip', ['netns', 'exec', this.ns(ns), cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
    });
    const proc = new LabProcess(
      `${ns}: ${cmd} ${args.join(' ')}`,
      child,
      createInterface({ input: child.stdout! }),
      createInterface({ input: child.stderr! }),
    );
    this.#procs.add(proc);
    void proc.exited().then(() => this.#procs.delete(proc));
    return proc;
  }

  /** Runs `node <script> args…` inside a namespace (this Node binary). */
  spawnNode(ns: LabNamespace, script: string, args: readonly string[], opts: SpawnOptions = {}): LabProcess {
    return this.spawn(ns, process.execPath, [script, ...args], opts);
  }

  /** Stops our processes, then `natlab.sh down` (which kills whatever else runs inside). */
  async down(): Promise<void> {
    await Promise.all([...this.#procs].map((p) => p.stop(1000)));
    await this.#script(['down']);
    liveLabs.delete(this);
  }

  /** `down`, synchronously (for exit hooks). */
  downSync(): void {
    spawnSync('bash', [NATLAB_SH, 'down'], {
      env: { ...process.env, NATLAB_PREFIX: this.prefix, NATLAB_QUIET: '1' },
      stdio: 'ignore',
    });
    liveLabs.delete(this);
  }

  async #script(args: string[]): Promise<void> {
    const r = await run('bash', [NATLAB_SH, ...args], { NATLAB_PREFIX: this.prefix, NATLAB_QUIET: '1' });
    if (r.code !== 0) throw new NatLabError(`natlab.sh ${args.join(' ')}`, r.code, r.stderr + r.stdout);
  }
}
