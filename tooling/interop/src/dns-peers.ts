/**
 * What the DNS interop tests run besides the real Rust servers of ./rust-servers.ts: the
 * `iroh-ts-peer` test binary (built by tooling/interop-rs/scripts/build-peer.sh), `iroh-relay` and
 * `iroh-dns-server` on free loopback ports, and our own DNS server app. Each lookup returns a
 * human-readable reason instead of a path when the program is missing, for a visible skip.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { rustServerBinary } from './rust-servers.js';

/** Our DNS server app's built entry point. */
export const DNS_APP = fileURLToPath(new URL('../../../apps/dns-server/dist/main.js', import.meta.url));

/** Our relay app's built entry point. */
export const RELAY_APP = fileURLToPath(new URL('../../../apps/relay/dist/main.js', import.meta.url));

/** A program path, or why it is unavailable. */
export type Found = { readonly path: string } | { readonly skip: string };

function cargoTargetDir(): string {
  return process.env.IROH_TS_CARGO_TARGET || join(homedir(), '.cache', 'iroh-ts', 'cargo-target');
}

function hasCargo(): boolean {
  const res = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  return res.error === undefined && res.status === 0;
}

/** The `iroh-ts-peer` binary (`IROH_TS_PEER_BIN` overrides its location). */
export function findPeer(): Found {
  const path = process.env.IROH_TS_PEER_BIN || join(cargoTargetDir(), 'debug', 'iroh-ts-peer');
  if (existsSync(path)) return { path };
  if (!hasCargo()) return { skip: 'cargo not found (install Rust to build the iroh-ts-peer test binary)' };
  return {
    skip: `iroh-ts-peer not built: run bash tooling/interop-rs/scripts/build-peer.sh (looked for ${path})`,
  };
}

/** A real Rust server binary (`iroh-relay` or `iroh-dns-server`). */
export function findRustServer(name: 'iroh-relay' | 'iroh-dns-server'): Found {
  const found = rustServerBinary(name);
  if ('path' in found) return found;
  return { skip: hasCargo() ? found.reason : `cargo not found, so ${name} cannot be installed` };
}

/** Our DNS server app, if it is built. */
export function findDnsApp(): Found {
  return existsSync(DNS_APP) ? { path: DNS_APP } : { skip: `apps/dns-server is not built (${DNS_APP})` };
}

/** Our relay app, if it is built. */
export function findRelayApp(): Found {
  return existsSync(RELAY_APP) ? { path: RELAY_APP } : { skip: `apps/relay is not built (${RELAY_APP})` };
}

/** A loopback port free for both TCP and UDP right now (DNS listens on both). */
export async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) return port;
  }
  throw new Error('no free loopback port for TCP and UDP');
}

/** A child process with its collected output. */
export interface Running {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}

/** Polls `url` until it answers 200, or throws with the process output after `timeoutMs`. */
async function waitHttp(url: string, proc: Running, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.child.exitCode !== null)
      throw new Error(`process exited with ${proc.child.exitCode}:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop();
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${proc.output()}`);
}

/** A real `iroh-relay --dev` on a free loopback port; `url` is `http://127.0.0.1:<port>/`. */
export async function startIrohRelay(bin: string): Promise<Running & { readonly url: string }> {
  const port = await freeDnsPort();
  const dir = await mkdtemp(join(tmpdir(), 'iroh-relay-'));
  const config = join(dir, 'relay.toml');
  await writeFile(config, `http_bind_addr = "127.0.0.1:${port}"\nenable_metrics = false\n`);
  const proc = run(bin, ['--dev', '--config-path', config], { RUST_LOG: 'warn' });
  const url = `http://127.0.0.1:${port}/`;
  await waitHttp(`${url}ping`, proc);
  return { ...proc, url };
}

/** A real `iroh-dns-server` on free loopback ports, in-memory-like (a temp data dir), no rate limit. */
export async function startIrohDnsServer(
  bin: string,
  origin = 'irohdns.example.',
): Promise<Running & { readonly http: string; readonly dnsPort: number; readonly origin: string }> {
  const [httpPort, dnsPort] = [await freeDnsPort(), await freeDnsPort()];
  const dir = await mkdtemp(join(tmpdir(), 'iroh-dns-server-'));
  const config = join(dir, 'dns.toml');
  await writeFile(
    config,
    [
      'pkarr_put_rate_limit = "disabled"',
      `data_dir = ${JSON.stringify(join(dir, 'data'))}`,
      '[http]',
      `port = ${httpPort}`,
      'bind_addr = "127.0.0.1"',
      '[dns]',
      `port = ${dnsPort}`,
      'bind_addr = "127.0.0.1"',
      `default_soa = "dns1.${origin} hostmaster.${origin} 0 10800 3600 604800 3600"`,
      'default_ttl = 30',
      `origins = [${JSON.stringify(origin)}, "."]`,
      '[metrics]',
      'disabled = true',
      '[mainline]',
      'enabled = false',
      '',
    ].join('\n'),
  );
  const proc = run(bin, ['--config', config], { RUST_LOG: 'warn' });
  const http = `http://127.0.0.1:${httpPort}`;
  await waitHttp(`${http}/healthcheck`, proc);
  return { ...proc, http, dnsPort, origin };
}

/** Our DNS server app with `--dev` on ephemeral loopback ports. */
export async function startDnsApp(
  main: string,
): Promise<Running & { readonly http: string; readonly dnsPort: number; readonly origin: string }> {
  const proc = run(process.execPath, [
    main,
    '--dev',
    '--http-bind-addr',
    '127.0.0.1:0',
    '--dns-bind-addr',
    '127.0.0.1:0',
  ]);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.child.stdout! }).once('line', resolve);
    proc.child.once('exit', (code) => reject(new Error(`dns app exited with ${code}:\n${proc.output()}`)));
  });
  const m = /^dns-server listening on http=(\S+) dns=127\.0\.0\.1:(\d+) origin=(\S+)$/.exec(line);
  if (!m) {
    await proc.stop();
    throw new Error(`unexpected start line: ${line}`);
  }
  return { ...proc, http: m[1]!, dnsPort: Number(m[2]), origin: m[3]! };
}

/** Our relay app with `--dev` on loopback (`port`, default ephemeral; metrics ephemeral); `url` as it prints it. */
export async function startRelayApp(main: string, port = 0): Promise<Running & { readonly url: string }> {
  const proc = run(process.execPath, [
    main,
    '--dev',
    '--http-bind-addr',
    `127.0.0.1:${port}`,
    '--metrics-bind-addr',
    '127.0.0.1:0',
  ]);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.child.stdout! }).once('line', resolve);
    proc.child.once('exit', (code) => reject(new Error(`relay app exited with ${code}:\n${proc.output()}`)));
  });
  const m = /^relay listening on (\S+)$/.exec(line);
  if (!m) {
    await proc.stop();
    throw new Error(`unexpected start line: ${line}`);
  }
  return { ...proc, url: m[1]! };
}

/** One finished run of the peer: its exit code, JSON lines and whole output. */
export interface PeerRun {
  readonly code: number | null;
  readonly events: Record<string, unknown>[];
  readonly output: string;
}

/** Runs the peer once (SIGKILL after `timeoutMs`), whatever its exit code. */
export async function runPeer(bin: string, args: string[], timeoutMs = 60_000): Promise<PeerRun> {
  const proc = run(bin, args, { RUST_LOG: process.env.RUST_LOG ?? 'warn' });
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => proc.child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  // Let the pipes drain.
  await new Promise((r) => setImmediate(r));
  const events = proc
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, events, output: proc.output() };
}

/** Runs the peer once and returns its JSON lines; rejects with its output on a non-zero exit. */
export async function runPeerJson(
  bin: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<Record<string, unknown>[]> {
  const { code, events, output } = await runPeer(bin, args, timeoutMs);
  if (code !== 0) throw new Error(`iroh-ts-peer ${args.join(' ')} exited with ${code}:\n${output}`);
  return events;
}

/** A long-running peer subcommand (`serve`) after its `ready` event. */
export interface ServingPeer extends Running {
  readonly ready: Record<string, unknown>;
}

/** Starts `iroh-ts-peer serve …` and resolves with its `ready` event. */
export async function startPeerServe(bin: string, args: string[], timeoutMs = 60_000): Promise<ServingPeer> {
  const proc = run(bin, ['serve', '--ignore-stdin', ...args], { RUST_LOG: process.env.RUST_LOG ?? 'warn' });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`peer serve not ready in ${timeoutMs} ms:\n${proc.output()}`)),
      timeoutMs,
    );
    createInterface({ input: proc.child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const event = JSON.parse(line) as Record<string, unknown>;
      if (event.event === 'ready') {
        clearTimeout(timer);
        resolve(event);
      }
    });
    proc.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`peer serve exited with ${code}:\n${proc.output()}`));
    });
  }).catch(async (e: unknown) => {
    await proc.stop();
    throw e;
  });
  return { ...proc, ready };
}
