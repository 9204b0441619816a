/**
 * Helpers for running the Rust `iroh-ts-peer` binary (built from the real iroh 1.x crates)
 * from tests. The binary lives in an external cargo target dir, never in the repo.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Name of the binary target in Cargo.toml. */
export const PEER_BIN_NAME = 'iroh-ts-peer';

/** The cargo target dir used by scripts/build-peer.sh. */
export function cargoTargetDir(): string {
  return process.env.IROH_TS_CARGO_TARGET || join(homedir(), '.cache', 'iroh-ts', 'cargo-target');
}

/**
 * Path of the built peer binary, or null when it is not built.
 * `IROH_TS_PEER_BIN` overrides the location.
 */
export function peerBinaryPath(): string | null {
  const override = process.env.IROH_TS_PEER_BIN;
  if (override) return existsSync(override) ? override : null;
  const path = join(cargoTargetDir(), 'debug', PEER_BIN_NAME);
  return existsSync(path) ? path : null;
}

function cargoAvailable(): boolean {
  const res = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  return res.error === undefined && res.status === 0;
}

/** Null when the peer can be used, otherwise a human-readable reason for skipping. */
export function peerSkipReason(): string | null {
  if (process.env.IROH_TS_PEER_BIN && peerBinaryPath() === null) {
    return `IROH_TS_PEER_BIN=${process.env.IROH_TS_PEER_BIN} does not exist`;
  }
  if (peerBinaryPath() !== null) return null;
  if (!cargoAvailable()) return 'cargo not found (install Rust to run the interop-rs tests)';
  return `peer not built: run pnpm --filter @iroh-ts/interop-rs build:peer (looked in ${cargoTargetDir()})`;
}

function requireBinary(): string {
  const bin = peerBinaryPath();
  if (bin === null) throw new Error(`iroh-ts-peer unavailable: ${peerSkipReason() ?? 'unknown reason'}`);
  return bin;
}

function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses stdout into JSON objects, one per non-empty line. */
export function parseJsonLines(text: string): JsonObject[] {
  const out: JsonObject[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const parsed: unknown = JSON.parse(trimmed);
    if (!isJsonObject(parsed)) throw new Error(`peer printed a non-object JSON line: ${trimmed}`);
    out.push(parsed);
  }
  return out;
}

export interface RunOptions {
  /** Written to the peer's stdin (which is then closed). */
  input?: string | Uint8Array;
  /** Kill the peer after this long (default 60 s). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: JsonObject[];
  stderr: string;
}

/** Runs a one-shot subcommand and returns its exit status, JSON output and stderr. */
export function runPeerDetailed(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const bin = requireBinary();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const err = Buffer.concat(stderr).toString('utf8');
      try {
        resolve({
          code,
          signal,
          events: parseJsonLines(Buffer.concat(stdout).toString('utf8')),
          stderr: err,
        });
      } catch (e) {
        reject(new Error(`${e instanceof Error ? e.message : String(e)}\nstderr:\n${err}`));
      }
    });
    child.stdin.on('error', () => {
      // The peer may exit without reading all of its input; that is reported via the exit code.
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a one-shot subcommand and returns its JSON lines; rejects on a non-zero exit. */
export async function runPeer(args: string[], opts: RunOptions = {}): Promise<JsonObject[]> {
  const res = await runPeerDetailed(args, opts);
  if (res.code !== 0) {
    throw new Error(
      `iroh-ts-peer ${args.join(' ')} exited with ${res.code ?? res.signal}\n` +
        `stdout: ${JSON.stringify(res.events)}\nstderr:\n${res.stderr}`,
    );
  }
  return res.events;
}

/** Sends many requests through the `batch` subcommand; returns one response per request. */
export async function runPeerBatch(requests: JsonObject[], opts: RunOptions = {}): Promise<JsonObject[]> {
  const input = `${requests.map((r) => JSON.stringify(r)).join('\n')}\n`;
  const out = await runPeer(['batch'], { ...opts, input });
  if (out.length !== requests.length) {
    throw new Error(`batch: sent ${requests.length} requests, got ${out.length} responses`);
  }
  return out;
}

export interface SpawnedPeer {
  /** The first `{"event":"ready"}` object. */
  ready: JsonObject;
  /** Every JSON event printed so far (including `ready`), in order. */
  events: JsonObject[];
  /** Stderr collected so far. */
  stderr(): string;
  /** Resolves with the first event (past or future) matching `pred`. */
  waitFor(pred: (e: JsonObject) => boolean, timeoutMs?: number): Promise<JsonObject>;
  /** Asks the peer to shut down (stdin EOF + SIGTERM, SIGKILL after 5 s); resolves with the exit code. */
  stop(): Promise<number | null>;
  child: ChildProcessWithoutNullStreams;
}

/**
 * Starts a long-running subcommand (typically `serve`) and resolves once it prints its
 * `ready` event. The peer's stdin stays open; closing it (or `stop()`) ends the peer.
 */
export function spawnPeer(
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<SpawnedPeer> {
  const bin = requireBinary();
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const events: JsonObject[] = [];
  const waiters: { pred: (e: JsonObject) => boolean; resolve: (e: JsonObject) => void }[] = [];
  let stderr = '';
  let buffered = '';
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<number | null>((resolve) => {
    child.on('close', (code, signal) => {
      exited = { code, signal };
      resolve(code);
    });
  });

  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  child.on('error', (err) => {
    stderr += `[spawn error] ${err.message}\n`;
  });
  child.stdin.on('error', () => {
    // Ignore EPIPE when the peer has already exited.
  });

  const onEvent = (e: JsonObject): void => {
    events.push(e);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w?.pred(e)) {
        waiters.splice(i, 1);
        w.resolve(e);
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString('utf8');
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line !== '') {
        try {
          const parsed: unknown = JSON.parse(line);
          if (isJsonObject(parsed)) onEvent(parsed);
        } catch {
          stderr += `[unparsable stdout line] ${line}\n`;
        }
      }
      nl = buffered.indexOf('\n');
    }
  });

  const waitFor = (pred: (e: JsonObject) => boolean, timeoutMs = 30_000): Promise<JsonObject> => {
    const seen = events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (e: JsonObject) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        const idx = waiters.indexOf(waiter);
        if (idx >= 0) waiters.splice(idx, 1);
        reject(
          new Error(
            `timed out waiting for peer event; events: ${JSON.stringify(events)}\nstderr:\n${stderr}`,
          ),
        );
      }, timeoutMs);
      waiters.push(waiter);
      void exitPromise.then(() => {
        if (waiters.includes(waiter)) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `peer exited before the expected event; events: ${JSON.stringify(events)}\nstderr:\n${stderr}`,
            ),
          );
        }
      });
    });
  };

  const stop = async (): Promise<number | null> => {
    if (exited === null) {
      child.stdin.end();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(killer);
    }
    return exitPromise;
  };

  return waitFor((e) => e.event === 'ready', opts.timeoutMs ?? 60_000).then(
    (ready) => ({ ready, events, stderr: () => stderr, waitFor, stop, child }),
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
}
