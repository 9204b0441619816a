/**
 * What both lab peers share (our endpoint's `peer.ts` and real iroh's `iroh-peer.ts`): the ALPN and
 * request bytes of the lab protocol, and small output and timing helpers.
 */

/** The lab protocol's ALPN. A bi stream starts with ECHO (echo everything) or SINK (hash and answer). */
export const PEER_ALPN = 'iroh-ts/natlab/1';
export const ECHO = 0x45; // 'E'
export const SINK = 0x53; // 'S'
export const MIB = 1 << 20;

/** Prints one JSON line on stdout (the harness reads them). */
export const print = (o: object): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`, or a rejection naming `what` after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
