/** Starts the built DNS server app as a child process and waits for its machine-readable start line. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** What the first stdout line says. */
export interface StartLine {
  readonly http: string;
  readonly dnsHost: string;
  readonly dnsPort: number;
  readonly origin: string;
}

/** A running app. */
export interface AppProcess extends StartLine {
  readonly child: ChildProcess;
  /** Everything written to stderr so far. */
  readonly stderr: () => string;
  /** The parsed JSON log lines on stderr so far. */
  readonly logs: () => Record<string, unknown>[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

const LINE = /^dns-server listening on http=(\S+) dns=(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) origin=(\S+)$/;

/** Parses the start line; throws when it does not have the documented shape. */
export function parseStartLine(line: string): StartLine {
  const m = LINE.exec(line);
  if (!m) throw new Error(`unexpected first line: ${line}`);
  return { http: m[1]!, dnsHost: m[2]!.replace(/^\[|\]$/g, ''), dnsPort: Number(m[3]), origin: m[4]! };
}

/** Starts `node dist/main.js …args` and resolves once the start line is printed. */
export function startApp(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<AppProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs = () =>
    err
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`app did not start within ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout });
    let first = true;
    lines.on('line', (line) => {
      if (!first) return;
      first = false;
      clearTimeout(timer);
      try {
        const start = parseStartLine(line);
        resolve({
          ...start,
          child,
          stderr: () => err,
          logs,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      } catch (e) {
        child.kill('SIGKILL');
        reject(e);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (first) reject(new Error(`app exited with ${code} before starting:\n${err}`));
    });
  });
}

/** Null when `dig` can be run, else why not. */
export function digSkipReason(): string | null {
  const res = spawnSync('dig', ['-v'], { stdio: 'ignore' });
  return res.error === undefined && res.status === 0
    ? null
    : 'dig not found (install dnsutils / bind9-dnsutils)';
}

/** Runs `dig` and returns its stdout. */
export function dig(args: string[]): string {
  const res = spawnSync('dig', args, { encoding: 'utf8', timeout: 15_000 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`dig ${args.join(' ')} exited with ${res.status}: ${res.stderr}`);
  return res.stdout;
}
