/**
 * Private Linux network namespaces for tests that must prove traffic takes a particular path: a
 * namespace with only loopback up, optionally with an nftables output chain that drops all UDP (so
 * that iroh endpoints cannot talk directly and must use a relay). Needs root, `ip` (iproute2) and,
 * for the UDP block, `nft` (nftables); {@link netnsSupport} says why not when it cannot work.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Whether namespaces can be used here, and if not, why. */
export function netnsSupport(opts: { blockUdp: boolean }): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'creating network namespaces needs root' };
  for (const tool of opts.blockUdp ? ['ip', 'nft'] : ['ip']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return {
        ok: false,
        reason: `\`${tool}\` is not installed (Debian: ${tool === 'ip' ? 'iproute2' : 'nftables'})`,
      };
    }
  }
  const probe = `iroh-ts-probe-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
  } catch (e) {
    return {
      ok: false,
      reason: `\`ip netns add\` is not permitted here: ${String((e as Error).message).trim()}`,
    };
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
    } catch {}
  }
  return { ok: true };
}

/** A network namespace that lives until {@link Netns.destroy}. */
export class Netns {
  private constructor(readonly name: string) {}

  /** Creates a namespace with loopback up; with `blockUdp`, every outgoing UDP datagram is dropped. */
  static create(opts: { blockUdp: boolean }): Netns {
    const name = `iroh-ts-${process.pid}-${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', name]);
    const ns = new Netns(name);
    try {
      ns.exec('ip', ['link', 'set', 'lo', 'up']);
      if (opts.blockUdp) {
        ns.exec('nft', [
          'add table inet iroh_ts_block; ' +
            'add chain inet iroh_ts_block out { type filter hook output priority 0; policy accept; }; ' +
            'add rule inet iroh_ts_block out meta l4proto udp counter drop',
        ]);
      }
    } catch (e) {
      ns.destroy();
      throw e;
    }
    return ns;
  }

  /** Runs a command inside the namespace and returns its stdout. */
  exec(cmd: string, args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.name, cmd, ...args], { encoding: 'utf8' });
  }

  /** UDP datagrams the block rule dropped so far. */
  droppedUdpPackets(): number {
    const out = this.exec('nft', ['list', 'chain', 'inet', 'iroh_ts_block', 'out']);
    const m = /counter packets (\d+)/.exec(out);
    return m ? Number(m[1]) : 0;
  }

  /**
   * Runs `node <script> <args…>` inside the namespace and resolves with its stdout, or rejects after
   * `timeoutMs` (killing it).
   */
  runNode(
    script: string,
    args: string[],
    timeoutMs: number,
  ): Promise<{ stdout: string; stderr: string; code: number | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', this.name, process.execPath, script, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${script} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
      }, timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code });
      });
    });
  }

  /** Deletes the namespace (and with it every socket still inside). */
  destroy(): void {
    try {
      execFileSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
    } catch {}
  }
}
