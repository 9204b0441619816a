/**
 * Runs a built app (`node <main> …`) as a child process: its stdout (bytes, or lines) and its stderr
 * JSON logs, waits with deadlines, and cleanup of every child still running.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const running = new Set<ChildProcess>();

/** Kills every app still running (call it in `afterEach`). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** How to start an {@link AppProcess}. */
export interface AppProcessOptions {
  /** `pipe`: a writable stdin (see {@link AppProcess.feed}); `ignore` (default): none. */
  readonly stdin?: 'ignore' | 'pipe';
}

/** At most this much of stdout is quoted in an error (it may be binary). */
const QUOTED_STDOUT = 2_000;

/** A running app. */
export class AppProcess {
  /** The child process. */
  readonly child: ChildProcess;
  readonly #stdout: Buffer[] = [];
  #stderr = '';
  readonly #exit: Promise<number | null>;
  readonly #waiters = new Set<() => void>();

  /** Starts `node <main> <args…>`. */
  constructor(main: string, args: readonly string[], opts: AppProcessOptions = {}) {
    this.child = spawn(process.execPath, [main, ...args], {
      stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    // The app may exit before reading all of stdin (a test's choice): that is not an error here.
    this.child.stdin?.on('error', () => {});
    this.child.stdout!.on('data', (d: Buffer) => {
      this.#stdout.push(d);
      this.#wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.#stderr += d;
      this.#wake();
    });
    this.#exit = new Promise((resolve) =>
      this.child.once('close', (code) => {
        running.delete(this.child);
        this.#wake();
        resolve(code);
      }),
    );
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** What the app wrote so far, for error messages. */
  #output(): string {
    const out = this.stdout();
    const quoted = out.subarray(0, QUOTED_STDOUT).toString('utf8');
    const more = out.length > QUOTED_STDOUT ? `… (${out.length} bytes)` : '';
    return `stdout: ${quoted}${more}\nstderr: ${this.#stderr}`;
  }

  /** Everything written to stdout so far. */
  stdout(): Buffer {
    return Buffer.concat(this.#stdout);
  }

  /** Everything written to stderr so far. */
  stderr(): string {
    return this.#stderr;
  }

  /** The stdout lines so far (complete lines only). */
  lines(): string[] {
    const parts = this.stdout().toString('utf8').split('\n');
    parts.pop();
    return parts;
  }

  /** The stderr JSON log records so far. */
  logs(): Record<string, unknown>[] {
    return this.#stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Writes `data` to the app's stdin, then closes it (needs `stdin: 'pipe'`). */
  feed(data: Uint8Array): void {
    if (!this.child.stdin) throw new Error('the app was started without a stdin pipe');
    this.child.stdin.end(data);
  }

  /** Resolves once `check` holds, re-checked on every output; rejects after `ms` or if the app exits first. */
  until<T>(check: () => T | undefined, what: string, ms = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: not within ${ms} ms\n${this.#output()}`));
      }, ms);
      const waiter = (): void => {
        const v = check();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`${what}: the app exited first\n${this.#output()}`));
        }
      };
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      this.#waiters.add(waiter);
      waiter();
    });
  }

  /** The first stdout line, once complete (without decoding what follows it). */
  firstLine(ms = 30_000): Promise<string> {
    return this.until(
      () => {
        const out = this.stdout();
        const nl = out.indexOf(0x0a);
        return nl < 0 ? undefined : out.subarray(0, nl).toString('utf8');
      },
      'the first stdout line',
      ms,
    );
  }

  /** Resolves with the exit code; rejects (and kills the app) after `ms`. */
  async exited(ms = 30_000): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`the app did not exit within ${ms} ms\n${this.#output()}`));
      }, ms);
    });
    try {
      return await Promise.race([this.#exit, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends SIGTERM and resolves with the exit code. */
  stop(ms = 15_000): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited(ms);
  }
}
