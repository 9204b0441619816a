/**
 * Datagrams that carry PATH_CHALLENGE and PATH_RESPONSE frames (RFC 9000 §8.2). They go alone, in a
 * 1-RTT packet padded to 1200 bytes where the amplification limit allows (§8.2.1, §8.2.2), to the
 * address being probed, which need not be the active path's. They are not counted in flight: a lost
 * challenge is replaced by the next one when its timer fires, and a lost response by the peer's next
 * challenge.
 */
import { sealPacket } from '../../crypto/packet-protection.js';
import type { Writer } from '../coding.js';
import { encodeFrame } from '../frame.js';
import { packetNumberLength, writeShortHeader } from '../packet.js';
import { planPathProbe } from './path.js';
import type { ConnState } from './state.js';
import type { Transmit } from './transmit.js';

const TAG = 16;
const MIN_PADDED = 1200;

/**
 * A NAT traversal probe: a PATH_CHALLENGE alone, not padded, in a 1-RTT packet of the current
 * (validated) path's packet number space, sent to a candidate address of the peer (shared/spec §3.5).
 */
export function buildNatProbe(s: ConnState, now: number): Transmit | undefined {
  const nat = s.nat;
  const sp = s.spaces.application;
  if (!nat || nat.pendingProbes.size === 0 || !sp.localKeys || !s.path.validated) return undefined;
  const remote = nat.pendingProbes.values().next().value!;
  const pn = sp.nextPn;
  const pnLength = packetNumberLength(pn, sp.sent.largestAcked);
  const payload = s.scratch.payloads[0]!.reset();
  const challenge = s.random(8);
  encodeFrame(payload, { type: 'pathChallenge', data: challenge });
  // Header protection samples 16 bytes from 4 bytes after the packet number.
  while (pnLength + payload.len < 4) payload.u8(0);
  const packet = sealProbe(s, now, s.path.remoteCid, pn, pnLength, payload);
  nat.markProbeSent(remote, challenge);
  return { destination: remote, data: packet };
}

/** Builds the next path probe datagram, or returns `undefined` when none can be sent now. */
export function buildPathProbe(s: ConnState, now: number): Transmit | undefined {
  const sp = s.spaces.application;
  if (!sp.localKeys || !s.handshakeComplete) return undefined;
  const plan = planPathProbe(s);
  if (!plan) return undefined;
  const pn = sp.nextPn;
  const pnLength = packetNumberLength(pn, sp.sent.largestAcked);
  const header = 1 + plan.cid.length + pnLength;
  const payload = s.scratch.payloads[0]!.reset();
  if (plan.challenge) encodeFrame(payload, { type: 'pathChallenge', data: plan.challenge });
  if (plan.response) encodeFrame(payload, { type: 'pathResponse', data: plan.response });
  const size = header + payload.len + TAG;
  if (size > plan.budget) return undefined; // the amplification limit does not allow even this
  const target = Math.min(Math.max(MIN_PADDED, size), plan.budget, s.mtu);
  while (header + payload.len + TAG < target) payload.u8(0);
  const packet = sealProbe(s, now, plan.cid, pn, pnLength, payload);
  plan.onSent(now, packet.length);
  return { destination: plan.remote, data: packet };
}

/**
 * Seals a probe packet (1-RTT, short header to `cid`) in the current path's packet number space and
 * records it. Probes are not in flight and carry nothing retransmittable: a lost challenge is replaced
 * by the next one, a lost response by the peer's next challenge.
 */
function sealProbe(
  s: ConnState,
  now: number,
  cid: Uint8Array,
  pn: number,
  pnLength: 1 | 2 | 3 | 4,
  payload: Writer,
): Uint8Array {
  const sp = s.spaces.application;
  const h = s.scratch.header.reset();
  const pnOffset = writeShortHeader(h, cid, pn, pnLength, s.oneRtt?.phase ?? false);
  const packet = sealPacket(sp.localKeys!, h.view(), pnOffset, pnLength, pn, payload.view(), s.cur.id);
  sp.nextPn++;
  s.oneRtt?.onSent(pn);
  sp.sent.onSent({
    pn,
    timeSent: now,
    size: packet.length,
    ackEliciting: true,
    inFlight: false,
    payload: [],
  });
  s.bytesSent += packet.length;
  s.stats.packetsSent++;
  s.lossTimerDirty = true;
  return packet;
}
