import type { TransportAddr } from '@iroh-ts/base';

/**
 * Chooses (and may reorder) the addresses a publisher puts in its packet, like iroh's `AddrFilter`.
 */
export type AddrFilter = (addrs: readonly TransportAddr[]) => TransportAddr[];

/** Ready-made filters. */
export const AddrFilter = {
  /** Publish every address. */
  unfiltered: (): AddrFilter => (addrs) => [...addrs],
  /** Publish relay URLs only (the default of iroh's `PkarrPublisher`). */
  relayOnly: (): AddrFilter => (addrs) => addrs.filter((a) => a.type === 'relay'),
  /** Publish everything except relay URLs. */
  ipOnly: (): AddrFilter => (addrs) => addrs.filter((a) => a.type !== 'relay'),
};
