/**
 * The n0 NAT traversal extension wired into a connection: negotiation, its frames (received and
 * owed), off-path probes, the retry timer, and opening a path when a client's probe is answered.
 * The state machine itself is in `nat-traversal.ts`.
 */
import type { Frame } from '../frame.js';
import { TransportError } from '../transport-error.js';
import { openPath } from './multipath.js';
import { NatTraversal, type NatTraversalError, parseIpPort } from './nat-traversal.js';
import { startValidation } from './path.js';
import type { SentItem } from './sent-record.js';
import type { ConnState } from './state.js';

/** Negotiates NAT traversal: both sides sent the parameter and multipath is on. */
export function negotiateNatTraversal(s: ConnState, peerMax: number | undefined): void {
  const ours = s.config.maxNatTraversalAddresses;
  if (ours === undefined || peerMax === undefined || !s.mp) return;
  s.nat = new NatTraversal(s.side, ours, peerMax, s.config.initialRtt);
}

function need(s: ConnState, f: Frame, side: 'client' | 'server'): NatTraversal {
  const nat = s.nat;
  if (!nat) throw TransportError.protocolViolation(`${f.type} frame without NAT traversal negotiated`);
  if (s.side !== side) throw TransportError.protocolViolation(`${f.type} frame sent to the wrong side`);
  return nat;
}

/** ADD_ADDRESS, REMOVE_ADDRESS (to the client) and REACH_OUT (to the server). */
export function onNatFrame(
  s: ConnState,
  now: number,
  f: Extract<Frame, { type: 'addAddress' | 'removeAddress' | 'reachOut' }>,
): void {
  if (f.type === 'addAddress') {
    const r = need(s, f, 'client').onAddAddress(f.sequence, f.ip, f.port);
    // Beyond our limit the address is ignored, as noq does (a warning, not an error).
    if (r !== undefined && r !== 'TooManyAddresses') s.events.push({ type: 'nat-address-added', addr: r });
  } else if (f.type === 'removeAddress') {
    const r = need(s, f, 'client').onRemoveAddress(f.sequence);
    if (r !== undefined) s.events.push({ type: 'nat-address-removed', addr: r });
  } else {
    const nat = need(s, f, 'server');
    const before = nat.round;
    const err = nat.onReachOut(now, f.round, f.ip, f.port);
    if (nat.round !== before) s.events.push({ type: 'nat-round', round: nat.round, addrs: [] });
    if (err === 'TooManyAddresses')
      throw TransportError.protocolViolation('REACH_OUT: more addresses than we accept');
  }
}

/** Client: starts a round (REACH_OUT + probes); the server addresses probed, or why not. */
export function startNatRound(s: ConnState, now: number): string[] | NatTraversalError {
  if (s.isClosed) return 'Closed';
  if (!s.nat) return 'ExtensionNotNegotiated';
  const r = s.nat.startRound(now);
  if (Array.isArray(r)) s.events.push({ type: 'nat-round', round: s.nat.round, addrs: r });
  return r;
}

/** Client: opens a path to each address whose probe was answered (kept when blocked for now). */
export function openNatPaths(s: ConnState, now: number): void {
  const nat = s.nat;
  if (!nat || s.side !== 'client') return;
  while (nat.pathsToOpen.length > 0) {
    const addr = nat.pathsToOpen[0]!;
    const existing = [...s.paths.values()].find((p) => !p.abandoned && p.path.remote === addr);
    if (existing) {
      // A path there is already being validated (opened to an address we were given): its challenges
      // were dropped until the NATs opened, which the answered probe shows they now are. Challenge
      // again at once instead of waiting for the validation's backoff.
      if (!existing.path.validated) startValidation(s, existing.path, now);
      nat.pathsToOpen.shift();
      continue;
    }
    const r = openPath(s, now, addr, 'backup');
    if (r === 'MaxPathIdReached' || r === 'RemoteCidsExhausted') return; // retried on MAX_PATH_ID / new CIDs
    nat.pathsToOpen.shift();
    if (typeof r === 'number') s.events.push({ type: 'nat-path-opening', id: r, addr });
  }
}

/** The next NAT traversal frame owed that fits in `room`. */
export function pollNatFrame(s: ConnState, room: number): { frame: Frame; item: SentItem } | undefined {
  const nat = s.nat;
  if (!nat || room < 4 + 8 + 16 + 2) return undefined;
  for (const seq of nat.addPending) {
    nat.addPending.delete(seq);
    const addr = nat.localBySeq(seq);
    const p = addr === undefined ? undefined : parseIpPort(addr);
    if (!p) continue;
    const frame: Frame = { type: 'addAddress', sequence: seq, ip: p.ip, port: p.port };
    return { frame, item: { kind: 'nat', frame } };
  }
  for (const seq of nat.removePending) {
    nat.removePending.delete(seq);
    const frame: Frame = { type: 'removeAddress', sequence: seq };
    return { frame, item: { kind: 'nat', frame } };
  }
  const addr = nat.reachOutPending.shift();
  if (addr !== undefined) {
    const p = parseIpPort(addr);
    if (p) {
      const frame: Frame = { type: 'reachOut', round: nat.round, ip: p.ip, port: p.port };
      return { frame, item: { kind: 'nat', frame } };
    }
  }
  return undefined;
}

/** A packet with a NAT traversal frame was lost: send it again if it still holds. */
export function onNatFrameLost(s: ConnState, frame: Frame): void {
  const nat = s.nat;
  if (!nat) return;
  if (frame.type === 'addAddress') {
    if (nat.localBySeq(frame.sequence) !== undefined) nat.addPending.add(frame.sequence);
  } else if (frame.type === 'removeAddress') {
    if (nat.localBySeq(frame.sequence) === undefined) nat.removePending.add(frame.sequence);
  } else if (frame.type === 'reachOut' && frame.round === nat.round) {
    for (const a of nat.local.keys()) {
      const q = parseIpPort(a);
      if (
        q &&
        q.port === frame.port &&
        q.ip.length === frame.ip.length &&
        q.ip.every((b, i) => b === frame.ip[i])
      ) {
        if (!nat.reachOutPending.includes(a)) nat.reachOutPending.push(a);
      }
    }
  }
}
