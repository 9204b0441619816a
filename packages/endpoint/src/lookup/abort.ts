/** Small abort helpers shared by the lookups (internal). */

/** The outcome of {@link raceAbort}: the promise's value, or the fact that `signal` aborted first. */
export type Raced<T> = { readonly aborted: false; readonly value: T } | { readonly aborted: true };

/**
 * Waits for `promise` unless `signal` aborts first. A rejection of `promise` rejects the result, unless
 * the signal aborted first; a late rejection is swallowed, so it never becomes an unhandled rejection.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<Raced<T>> {
  if (!signal) return promise.then((value) => ({ aborted: false, value }));
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve({ aborted: true });
  }
  return new Promise<Raced<T>>((resolve, reject) => {
    const onAbort = () => resolve({ aborted: true });
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ aborted: false, value });
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) resolve({ aborted: true });
        else reject(err);
      },
    );
  });
}

/** A controller that aborts when `parent` aborts; `dispose` unlinks it. */
export function linkedController(parent: AbortSignal | undefined): {
  readonly controller: AbortController;
  readonly dispose: () => void;
} {
  const controller = new AbortController();
  if (!parent) return { controller, dispose: () => undefined };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => undefined };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}
