/**
 * A child process (usually inside a lab namespace) whose stdout and stderr are read line by line:
 * wait for a line matching a pattern with a deadline, wait for the exit with a deadline, stop it.
 */
import type { ChildProcess } from 'node:child_process';
import type { Interface } from 'node:readline';

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Which output a line came from. */
export type Stream = 'stdout' | 'stderr';

interface Waiter {
  readonly re: RegExp;
  readonly stream: Stream;
  readonly resolve: (m: RegExpExecArray) => void;
}

/** A running child process with line-reading helpers. */
export class LabProcess {
  /** Lines seen so far, per stream. */
  readonly lines: Record<Stream, string[]> = { stdout: [], stderr: [] };
  readonly #waiters = new Set<Waiter>();
  readonly #exited: Promise<Exit>;
  #exit: Exit | null = null;

  constructor(
    /** What runs, for error messages. */
    readonly label: string,
    readonly child: ChildProcess,
    stdout: Interface,
    stderr: Interface,
  ) {
    const closed = (rl: Interface) => new Promise<void>((resolve) => rl.once('close', () => resolve()));
    stdout.on('line', (l) => this.#line('stdout', l));
    stderr.on('line', (l) => this.#line('stderr', l));
    const ended = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: -1, signal: null }));
    });
    // The exit counts once both pipes are drained, so that every line is in `lines`.
    this.#exited = Promise.all([ended, closed(stdout), closed(stderr)]).then(([exit]) => {
      this.#exit = exit;
      return exit;
    });
  }

  #line(stream: Stream, line: string): void {
    this.lines[stream].push(line);
    for (const w of [...this.#waiters]) {
      if (w.stream !== stream) continue;
      const m = w.re.exec(line);
      if (m) {
        this.#waiters.delete(w);
        w.resolve(m);
      }
    }
  }

  /** Whether it has exited. */
  get running(): boolean {
    return this.#exit === null;
  }

  /** stdout and stderr so far, for error messages. */
  output(): string {
    return `${this.lines.stdout.join('\n')}\n--- stderr ---\n${this.lines.stderr.join('\n')}`;
  }

  /** The lines of stdout that parse as JSON objects. */
  jsonLines<T = Record<string, unknown>>(): T[] {
    return this.lines.stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as T);
  }

  /**
   * The first line (seen so far or to come) of `stream` that matches `re`. Rejects, with the output,
   * when `timeoutMs` pass or the process exits without such a line.
   */
  waitLine(re: RegExp, timeoutMs: number, stream: Stream = 'stdout'): Promise<RegExpExecArray> {
    for (const l of this.lines[stream]) {
      const m = re.exec(l);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        reject(new Error(`${this.label}: ${why} while waiting for ${re}\n${this.output()}`));
      };
      const waiter: Waiter = {
        re,
        stream,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => fail(`no matching line within ${timeoutMs} ms`), timeoutMs);
      this.#waiters.add(waiter);
      void this.#exited.then((e) => {
        if (this.#waiters.has(waiter)) fail(`exited (${e.code ?? e.signal})`);
      });
    });
  }

  /** The exit; with `timeoutMs`, rejects (leaving it running) when it takes longer. */
  exited(timeoutMs?: number): Promise<Exit> {
    if (timeoutMs === undefined) return this.#exited;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.label}: still running after ${timeoutMs} ms\n${this.output()}`)),
        timeoutMs,
      );
      void this.#exited.then((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit. */
  async stop(graceMs = 2000): Promise<Exit> {
    if (this.#exit) return this.#exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const e = await this.#exited;
    clearTimeout(timer);
    return e;
  }
}
