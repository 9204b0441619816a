/**
 * Runs the built app (`node dist/main.js …`) as a child process with a writable stdin and binary
 * stdout; waits with deadlines; kills every child still running at cleanup.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

type Child = ChildProcessByStdio<Writable, Readable, Readable>;
const running = new Set<Child>();

/** Kills every app still running (call it in `afterEach`). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A running app. */
export class App {
  readonly child: Child;
  readonly #stdout: Buffer[] = [];
  #stderr = '';
  readonly #exit: Promise<number | null>;
  readonly #waiters = new Set<() => void>();

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(this.child);
    // The app may exit before reading all of stdin (a test's choice): that is not an error here.
    this.child.stdin.on('error', () => {});
    this.child.stdout.on('data', (d: Buffer) => {
      this.#stdout.push(d);
      this.#wake();
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
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

  /** Everything written to stdout so far. */
  stdout(): Buffer {
    return Buffer.concat(this.#stdout);
  }

  /** Everything written to stderr so far. */
  stderr(): string {
    return this.#stderr;
  }

  /** The stderr JSON log records so far. */
  logs(): Record<string, unknown>[] {
    return this.#stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Writes `data` to the app's stdin, then closes it. */
  feed(data: Uint8Array): void {
    this.child.stdin.end(data);
  }

  /** Resolves once `check` holds, re-checked on every output; rejects after `ms` or if the app exits first. */
  until<T>(check: () => T | undefined, what: string, ms = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: not within ${ms} ms\nstderr: ${this.#stderr}`));
      }, ms);
      const waiter = (): void => {
        const v = check();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`${what}: the app exited first\nstderr: ${this.#stderr}`));
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

  /** The first stdout line, once complete. */
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
        reject(new Error(`the app did not exit within ${ms} ms\nstderr: ${this.#stderr}`));
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
