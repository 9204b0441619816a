/**
 * Graceful shutdown on SIGTERM and SIGINT: run the app's stop function once, then exit 0. A second
 * signal, or a stop that takes longer than the grace period, exits at once with status 1.
 */
import type { Logger } from './log.js';

/** Installs the signal handlers; returns a function that removes them. */
export function stopOnSignals(
  stop: () => Promise<void>,
  opts: { logger?: Logger; graceMs?: number; exit?: (code: number) => void } = {},
): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      opts.logger?.warn('second signal, exiting now', { signal });
      exit(1);
      return;
    }
    stopping = true;
    opts.logger?.info('shutting down', { signal });
    const timer = setTimeout(() => {
      opts.logger?.error('shutdown took too long, exiting', { graceMs: opts.graceMs ?? 10_000 });
      exit(1);
    }, opts.graceMs ?? 10_000);
    timer.unref();
    stop().then(
      () => {
        clearTimeout(timer);
        opts.logger?.info('stopped');
        exit(0);
      },
      (e: unknown) => {
        clearTimeout(timer);
        opts.logger?.error('shutdown failed', { error: e instanceof Error ? e.message : String(e) });
        exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
