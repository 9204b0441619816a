/**
 * Endpoint hooks (iroh's `EndpointHooks`): observe and veto connections. `beforeConnect` runs before
 * we dial; `afterHandshake` runs once a connection (outgoing or incoming) is authenticated. Hooks run
 * in the order they were added and the first rejection wins.
 */
import type { EndpointAddr } from '@iroh-ts/base';
import type { Connection } from './connection.js';

/** A hook's verdict. */
export type HookOutcome =
  | { readonly kind: 'accept' }
  | {
      readonly kind: 'reject';
      /** The QUIC application error code the connection is closed with (`afterHandshake`). */
      readonly errorCode?: bigint;
      readonly reason?: string;
    };

/** Verdict helpers. */
export const HookOutcome = {
  accept(): HookOutcome {
    return { kind: 'accept' };
  },
  reject(errorCode?: bigint, reason?: string): HookOutcome {
    return { kind: 'reject', errorCode, reason };
  },
} as const;

/** A set of hooks; every method is optional. */
export interface EndpointHooks {
  /** Before dialling `addr` with `alpn`: reject to fail the connect with `LocallyRejected`. */
  beforeConnect?(addr: EndpointAddr, alpn: Uint8Array): HookOutcome | Promise<HookOutcome>;
  /** After the handshake of any connection: reject to close it with the given code and reason. */
  afterHandshake?(conn: Connection): HookOutcome | Promise<HookOutcome>;
}

/** Runs `beforeConnect` hooks in order; returns the first rejection. @internal */
export async function runBeforeConnect(
  hooks: readonly EndpointHooks[],
  addr: EndpointAddr,
  alpn: Uint8Array,
): Promise<HookOutcome> {
  for (const h of hooks) {
    if (!h.beforeConnect) continue;
    const out = await h.beforeConnect(addr, alpn);
    if (out.kind === 'reject') return out;
  }
  return HookOutcome.accept();
}

/** Runs `afterHandshake` hooks in order; returns the first rejection. @internal */
export async function runAfterHandshake(
  hooks: readonly EndpointHooks[],
  conn: Connection,
): Promise<HookOutcome> {
  for (const h of hooks) {
    if (!h.afterHandshake) continue;
    const out = await h.afterHandshake(conn);
    if (out.kind === 'reject') return out;
  }
  return HookOutcome.accept();
}
