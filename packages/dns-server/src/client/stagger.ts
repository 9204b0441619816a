/**
 * Staggered calls (iroh `stagger_call`): start one attempt at once and one more at each delay, each delay
 * jittered by ±20 %. The first success wins and cancels the rest; if all fail, the errors are returned
 * together.
 */
import { DnsLookupError } from './errors.js';
import { defaultTimers, type Timers } from './timers.js';

/** Jitter bound, percent of the delay either way. */
const MAX_JITTER_PERCENT = 20;

/** Options of {@link staggerCall}. */
export interface StaggerOptions {
  /** Timers. @defaultValue the global ones */
  readonly timers?: Timers;
  /** Uniform random numbers in [0, 1). @defaultValue `Math.random` */
  readonly random?: () => number;
  /** Aborts every attempt. */
  readonly signal?: AbortSignal;
}

/** A delay with iroh's jitter: `delay - j/2 + rand(j)` where `j = 40 %` of the delay; 0 stays 0. */
export function addJitter(delayMs: number, random: () => number = Math.random): number {
  if (delayMs <= 0) return 0;
  const maxJitter = Math.floor((delayMs * MAX_JITTER_PERCENT * 2) / 100);
  if (maxJitter === 0) return delayMs;
  const jitter = Math.floor(random() * maxJitter) % maxJitter;
  return Math.max(0, delayMs - Math.floor(maxJitter / 2) + jitter);
}

/**
 * Runs `attempt` at T+0 and at each of `delaysMs` (jittered), resolving with the first success.
 *
 * @throws {@link DnsLookupError} `AllAttemptsFailed` with every attempt's error.
 */
export function staggerCall<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  delaysMs: readonly number[],
  options: StaggerOptions = {},
): Promise<T> {
  const timers = options.timers ?? defaultTimers;
  const random = options.random ?? Math.random;
  const controller = new AbortController();
  const outer = options.signal;
  const onAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  const delays = [0, ...delaysMs].map((d) => addJitter(d, random));
  const handles: unknown[] = [];
  const errors: unknown[] = [];
  let settled = false;
  let started = 0;
  let finished = 0;
  return new Promise<T>((resolve, reject) => {
    const cleanup = () => {
      settled = true;
      for (const h of handles) timers.clearTimeout(h);
      outer?.removeEventListener('abort', onAbort);
      controller.abort();
    };
    const run = () => {
      if (settled) return;
      started++;
      let p: Promise<T>;
      try {
        p = attempt(controller.signal);
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (value) => {
          if (settled) return;
          cleanup();
          resolve(value);
        },
        (err: unknown) => {
          finished++;
          errors.push(err);
          if (!settled && finished === delays.length) {
            cleanup();
            reject(
              new DnsLookupError('AllAttemptsFailed', `all ${errors.length} attempts failed`, { errors }),
            );
          }
        },
      );
    };
    if (outer?.aborted) {
      cleanup();
      reject(
        new DnsLookupError('AllAttemptsFailed', 'aborted before the first attempt', { cause: outer.reason }),
      );
      return;
    }
    for (const d of delays) {
      if (d === 0 && started === 0) run();
      else handles.push(timers.setTimeout(run, d));
    }
  });
}
