/**
 * The connection's timers: idle, loss detection/PTO, delayed ACKs, keep-alive, pacing, path
 * validation and draining.
 */

import { chooseActive, handleMultipathTimeout, nextMultipathTimeout } from './multipath.js';
import { handlePathTimeout, nextPathTimeout, pathProbePending } from './path.js';
import { onLost } from './receive.js';
import type { ConnState } from './state.js';

/** The earliest time `handleTimeout` should run, or `undefined` when no timer is armed. */
export function nextTimeout(s: ConnState, now: number): number | undefined {
  if (s.phase === 'drained') return undefined;
  let t = Number.POSITIVE_INFINITY;
  const at = (v: number | undefined) => {
    if (v !== undefined && v < t) t = v;
  };
  if (s.phase === 'closing' || s.phase === 'draining') {
    at(s.drainDeadline);
    return t === Number.POSITIVE_INFINITY ? undefined : t;
  }
  at(s.idleDeadline);
  if (s.handshakeComplete && s.config.keepAliveInterval !== undefined && !s.pingPending)
    at(s.lastSendTime + s.config.keepAliveInterval);
  if (!s.mp) {
    pathTimeouts(s, now, at);
  } else {
    at(nextMultipathTimeout(s));
    at(s.nat?.retryAt);
    for (const ctx of s.paths.values()) {
      if (ctx.abandoned) continue;
      s.use(ctx);
      pathTimeouts(s, now, at);
    }
    s.use(s.active);
  }
  return t === Number.POSITIVE_INFINITY ? undefined : t;
}

/** The current path's timers: loss detection, validation, delayed ACKs, pacing. */
function pathTimeouts(s: ConnState, now: number, at: (v: number | undefined) => void): void {
  at(s.currentLossTimer(now)?.time);
  at(nextPathTimeout(s));
  for (const sp of Object.values(s.spaces)) if (sp.ackPending && !sp.ackNow) at(sp.ackDeadline);
  // Anything held back by the pacer: handshake data, probes, control frames, datagrams, stream data.
  if (s.cur === s.active ? hasSomethingToSend(s) : s.cur.pingPending || s.cur.space.probes > 0) {
    const next = s.pacer.nextSendTime(now, s.mtu, s.cc.window, s.rtt.smoothed, s.mtu);
    if (next > now) at(next);
  }
}

function hasSomethingToSend(s: ConnState): boolean {
  for (const sp of Object.values(s.spaces)) {
    if (sp.localKeys && !sp.discarded && (sp.cryptoSend.hasPending || sp.probes > 0)) return true;
  }
  return (
    s.handshakeComplete &&
    (s.streams.hasPendingData ||
      s.streams.hasControlPending ||
      s.datagramsOut.length > 0 ||
      s.pingPending ||
      s.handshakeDonePending ||
      s.cids.framesPending ||
      s.newTokenPending ||
      pathProbePending(s))
  );
}

/** Runs every timer that expired at `now`. */
export function handleTimeout(s: ConnState, now: number): void {
  if (s.phase === 'drained') return;
  if (
    (s.phase === 'closing' || s.phase === 'draining') &&
    s.drainDeadline !== undefined &&
    now >= s.drainDeadline
  ) {
    s.phase = 'drained';
    s.events.push({ type: 'drained' });
    return;
  }
  if (s.isClosed) return;
  if (s.idleDeadline !== undefined && now >= s.idleDeadline) {
    s.startDrain(now, { kind: 'timeout' }, true);
    return;
  }
  if (
    s.handshakeComplete &&
    s.config.keepAliveInterval !== undefined &&
    now >= s.lastSendTime + s.config.keepAliveInterval
  ) {
    s.pingPending = true;
  }
  if (!s.mp) {
    handlePathTimers(s, now);
    return;
  }
  handleMultipathTimeout(s, now);
  if (s.nat?.retryAt !== undefined && now >= s.nat.retryAt) s.nat.onRetryTimer(now);
  for (const ctx of [...s.paths.values()]) {
    if (ctx.abandoned || s.isClosed) continue;
    s.use(ctx);
    handlePathTimers(s, now);
  }
  s.use(s.active);
}

/** The current path's expired timers: delayed ACKs, validation, loss detection and PTO. */
function handlePathTimers(s: ConnState, now: number): void {
  for (const sp of Object.values(s.spaces)) {
    if (sp.ackPending && sp.ackDeadline !== undefined && now >= sp.ackDeadline) sp.ackNow = true;
  }
  handlePathTimeout(s, now);
  if (s.isClosed) return;
  const timer = s.currentLossTimer(now);
  if (timer && now >= timer.time) {
    if (timer.kind === 'loss') {
      s.detectLost(timer.space, now, (item) => onLost(s, timer.space, item));
    } else {
      // PTO: send one or two ack-eliciting probes, retransmitting unacknowledged handshake data.
      s.ptoCount++;
      if (s.mp && s.ptoCount === 2) failOver(s);
      const sp = s.spaces[timer.space];
      sp.probes = 2;
      for (const p of sp.sent) {
        for (const item of p.payload)
          if (item.kind === 'crypto') sp.cryptoSend.onLost(item.offset, item.length);
      }
    }
    s.updateLossTimer(now);
  }
}

/**
 * Multipath: the current path stopped answering (a second probe timeout in a row). If another healthy
 * path exists, what is in flight here is sent again there, and the data moves (`chooseActive`). The
 * packets stay tracked: if the path recovers, their acknowledgements are still welcome.
 */
function failOver(s: ConnState): void {
  const dead = s.cur;
  const other = [...s.paths.values()].some((p) => p !== dead && p.usable && p.healthy);
  if (!other) return;
  for (const p of dead.space.sent) for (const item of p.payload) onLost(s, 'application', item);
  chooseActive(s);
}
