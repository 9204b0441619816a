/**
 * The real Rust servers (iroh-relay, iroh-dns-server) that tooling/interop-rs/scripts/
 * install-rust-servers.sh builds from crates.io into a cache outside the repository, and a way to
 * run one on loopback for a test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Path of an installed server binary, or `undefined` with the reason it is missing. */
export function rustServerBinary(
  name: 'iroh-relay' | 'iroh-dns-server',
): { path: string } | { reason: string } {
  const root = process.env.IROH_TS_RUST_BIN_CACHE ?? join(homedir(), '.cache', 'iroh-ts', 'rust-bin');
  const path = join(root, 'bin', name);
  if (existsSync(path)) return { path };
  return {
    reason: `${path} is not installed (run tooling/interop-rs/scripts/install-rust-servers.sh; it needs cargo and crates.io)`,
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx, or throws after `timeoutMs` (with the child's output). */
export async function waitForHttp(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${output()}`);
}

/** Spawns a server, collecting its output. */
export function spawnServer(path: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(path, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return { child, output: () => out.slice(-4000) };
}
