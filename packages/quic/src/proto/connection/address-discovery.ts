/**
 * QUIC address discovery (draft-seemann-quic-address-discovery, as iroh's relays use it for QAD):
 * a side that may send reports (observed_address 0 or 2) tells a peer that wants them (1 or 2) the
 * address it sees the peer at, per path, with OBSERVED_ADDRESS frames numbered per path. Only paths to
 * `ip:port` addresses are reported.
 */
import type { Frame } from '../frame.js';
import { TransportError } from '../transport-error.js';
import type { AddressDiscoveryRole } from '../transport-params.js';
import { formatIpPort, parseIpPort } from './nat-traversal.js';
import type { PathCtx } from './path-ctx.js';
import type { SentItem } from './sent-record.js';
import type { ConnState } from './state.js';

const sends = (r: AddressDiscoveryRole | undefined) => r === 'sendOnly' || r === 'both';
const receives = (r: AddressDiscoveryRole | undefined) => r === 'receiveOnly' || r === 'both';

/** Negotiation: whether we report to the peer, and whether we accept its reports. */
export function negotiateAddressDiscovery(s: ConnState, peer: AddressDiscoveryRole | undefined): void {
  const ours = s.config.addressDiscovery;
  s.adReport = sends(ours) && receives(peer);
  s.adReceive = receives(ours) && sends(peer);
  if (s.adReport) for (const p of s.paths.values()) p.observedPending = true;
}

/** A path's peer address is new (a new path, or the peer moved): report it. */
export function reportPathAddress(s: ConnState, ctx: PathCtx): void {
  if (s.adReport) ctx.observedPending = true;
}

/** The OBSERVED_ADDRESS frame owed on the current path, if any and if it fits. */
export function pollObservedAddress(
  s: ConnState,
  room: number,
): { frame: Frame; item: SentItem } | undefined {
  const ctx = s.cur;
  if (!ctx.observedPending || room < 4 + 8 + 16 + 2) return undefined;
  ctx.observedPending = false;
  const a = parseIpPort(ctx.path.remote);
  if (!a) return undefined; // a relayed or otherwise virtual address: nothing to report
  const sequence = ctx.observedSeq++;
  return {
    frame: { type: 'observedAddress', sequence, ip: a.ip, port: a.port },
    item: { kind: 'observed-address', pathId: ctx.id, sequence },
  };
}

/** A report was lost: send the current address again if that report was the latest. */
export function onObservedAddressLost(
  s: ConnState,
  item: Extract<SentItem, { kind: 'observed-address' }>,
): void {
  const ctx = s.paths.get(item.pathId);
  if (ctx && ctx.observedSeq === item.sequence + 1) ctx.observedPending = true;
}

/** OBSERVED_ADDRESS from the peer, on the current path. */
export function onObservedAddress(s: ConnState, f: Extract<Frame, { type: 'observedAddress' }>): void {
  if (!s.adReceive)
    throw TransportError.protocolViolation('OBSERVED_ADDRESS frame without address discovery negotiated');
  const ctx = s.cur;
  if (f.sequence <= ctx.observedRecvSeq) return; // an older report
  ctx.observedRecvSeq = f.sequence;
  const addr = formatIpPort(f.ip, f.port);
  if (addr === ctx.observed) return;
  ctx.observed = addr;
  s.events.push({ type: 'observed-address', id: ctx.id, addr });
}
