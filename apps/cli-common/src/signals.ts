/**
 * Stopping on SIGTERM and SIGINT: the first signal asks the app to stop (it resolves
 * {@link StopSignal.received}); a second one exits at once with status 1.
 */
import type { Logger } from './log.js';

/** A pending stop request. */
export interface StopSignal {
  /** Resolves with the signal's name once one arrives. */
  readonly received: Promise<NodeJS.Signals>;
  /** Whether a signal arrived. */
  readonly stopping: () => boolean;
  /** Removes the handlers. */
  dispose(): void;
}

/** Installs the SIGTERM and SIGINT handlers. */
export function onStopSignal(log: Logger): StopSignal {
  let stopping = false;
  let resolve!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn('second signal, exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('stopping', { signal });
    resolve(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    received,
    stopping: () => stopping,
    dispose() {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}

/**
 * Resolves with `work`'s value, or with `undefined` if a signal arrives first (`work` is then left
 * to fail quietly when the app closes what it was using).
 */
export async function unlessStopped<T>(work: Promise<T>, stop: StopSignal): Promise<T | undefined> {
  work.catch(() => {});
  return Promise.race([work, stop.received.then(() => undefined)]);
}
