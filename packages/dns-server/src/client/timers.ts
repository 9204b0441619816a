/** Timer functions, injectable so tests can drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The global timers. */
export const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A fetch function (the global `fetch` or a stand-in). */
export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** The global fetch, resolved at call time. */
export const globalFetch: FetchFn = (input, init) => fetch(input, init);
