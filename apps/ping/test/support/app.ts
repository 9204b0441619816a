/**
 * Runs the built app (`node dist/main.js …`) as a child process: its stdout lines and stderr, waits
 * with deadlines, and cleanup of every child still running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

const running = new Set<ChildProcess>();

/** Kills every app still running (call it in `afterEach`). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A running app. */
export class App {
  readonly child: ChildProcess;
  #stdout = '';
  #stderr = '';
  readonly #exit: Promise<number | null>;
  readonly #waiters = new Set<() => void>();

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.child);
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.#stdout += d;
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

  /** Everything written to stdout so far. */
  stdout(): string {
    return this.#stdout;
  }

  /** Everything written to stderr so far. */
  stderr(): string {
    return this.#stderr;
  }

  /** The stdout lines so far (complete lines only). */
  lines(): string[] {
    const parts = this.#stdout.split('\n');
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

  /** Resolves once `check` holds, re-checked on every output; rejects after `ms` or if the app exits first. */
  until<T>(check: () => T | undefined, what: string, ms = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const v = check();
        if (v === undefined) return false;
        done();
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: not within ${ms} ms\nstdout: ${this.#stdout}\nstderr: ${this.#stderr}`));
      }, ms);
      const waiter = (): void => {
        if (attempt()) return;
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(
            new Error(`${what}: the app exited first\nstdout: ${this.#stdout}\nstderr: ${this.#stderr}`),
          );
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

  /** The first stdout line (waits for it). */
  firstLine(ms = 30_000): Promise<string> {
    return this.until(() => this.lines()[0], 'the first stdout line', ms);
  }

  /** Resolves with the exit code; rejects (and kills the app) after `ms`. */
  async exited(ms = 30_000): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(
          new Error(`the app did not exit within ${ms} ms\nstdout: ${this.#stdout}\nstderr: ${this.#stderr}`),
        );
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
