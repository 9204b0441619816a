/**
 * QUIC multipath (draft-ietf-quic-multipath, as noq implements it for iroh): negotiation through
 * initial_max_path_id, connection IDs per path id (PATH_NEW_CONNECTION_ID / PATH_RETIRE_CONNECTION_ID),
 * opening paths (client only), the paths the peer opens (server), path status, abandoning paths,
 * MAX_PATH_ID, and the control frames all this owes the peer.
 *
 * Path 0 keeps its connection IDs in `CidState` (`cids.ts`); those of path ids ≥ 1 are in
 * `multipath-cids.ts`, the control frames in `multipath-frames.ts`. This module holds the paths' life:
 * open, accept, validate, status, abandon, discard, which one carries data, and their timers.
 */
import type { Frame } from '../frame.js';
import { TransportError, TransportErrorCode } from '../transport-error.js';
import { reportPathAddress } from './address-discovery.js';
import {
  issuePathCids,
  NO_CID,
  type OpenPathError,
  PathErrorCode,
  takeRemotePathCid,
} from './multipath-cids.js';
import { openNatPaths } from './nat-connection.js';
import { Path, startValidation } from './path.js';
import { PathCtx, type PathStatus } from './path-ctx.js';
import { onLost } from './receive.js';
import type { ConnState } from './state.js';

export {
  issuePathCids,
  MultipathState,
  negotiateMultipath,
  type OpenPathError,
  onPathNewConnectionId,
  onPathRetireConnectionId,
  PathErrorCode,
} from './multipath-cids.js';
export { onMultipathItemLost, pollMultipathFrame } from './multipath-frames.js';

/**
 * Client: opens a new path to `remote` with the next unused path id and starts validating it (a
 * PATH_CHALLENGE padded to 1200 bytes). Returns the path id, or why it cannot.
 */
export function openPath(
  s: ConnState,
  now: number,
  remote: string,
  status: PathStatus,
): number | OpenPathError {
  const mp = s.mp;
  if (s.isClosed) return 'Closed';
  if (!mp || !s.handshakeConfirmed) return 'MultipathNotNegotiated';
  if (s.side === 'server') return 'ServerSideNotAllowed';
  let id = 1;
  for (const k of s.paths.keys()) id = Math.max(id, k + 1);
  for (const k of mp.abandoned) id = Math.max(id, k + 1);
  if (id > mp.maxPathId) {
    mp.pathsBlockedPending = mp.remoteMaxPathId;
    return 'MaxPathIdReached';
  }
  const cid = takeRemotePathCid(s, id);
  if (!cid) return 'RemoteCidsExhausted';
  const path = new Path(remote, cid.cid, cid.seq, false);
  path.amplificationLimited = false;
  const ctx = newPathCtx(s, id, path, now);
  ctx.localStatus = status;
  if (status !== 'available') {
    ctx.localStatusSeq = 1;
    ctx.statusPending = true;
  }
  startValidation(s, ctx.path, now);
  return id;
}

/** Server: the first authenticated packet of a path id the client opened. */
export function acceptRemotePath(
  s: ConnState,
  now: number,
  pathId: number,
  from: string,
): PathCtx | undefined {
  const mp = s.mp;
  if (!mp || s.side !== 'server' || mp.abandoned.has(pathId) || pathId > mp.localMaxPathId) return undefined;
  // The client's CIDs for this path may still be on their way (they often travel through the relay
  // while this packet came direct): the path waits for them, with what it owes queued (as noq does).
  const cid = takeRemotePathCid(s, pathId);
  const path = cid ? new Path(from, cid.cid, cid.seq, false) : new Path(from, NO_CID, -1, false);
  const ctx = newPathCtx(s, pathId, path, now);
  startValidation(s, ctx.path, now);
  return ctx;
}

function newPathCtx(s: ConnState, id: number, path: Path, now: number): PathCtx {
  const ctx = new PathCtx(id, path, s.config, now);
  reportPathAddress(s, ctx);
  ctx.idleTimeout = s.config.pathMaxIdleTimeout;
  ctx.keepAliveInterval = s.config.pathKeepAliveInterval;
  s.paths.set(id, ctx);
  return ctx;
}

/** A path's validation succeeded: it is open; pick the path that carries data again. */
export function onMultipathValidated(s: ConnState, ctx: PathCtx): void {
  if (!ctx.opened) {
    ctx.opened = true;
    s.events.push({ type: 'path-opened', id: ctx.id, remote: ctx.path.remote });
  }
  chooseActive(s);
}

/** Sets our status for a path; sends PATH_STATUS when it changes. */
export function setPathStatus(s: ConnState, id: number, status: PathStatus): boolean {
  const ctx = s.paths.get(id);
  if (!s.mp || !ctx || ctx.abandoned) return false;
  if (ctx.localStatus !== status) {
    ctx.localStatus = status;
    ctx.localStatusSeq++;
    ctx.statusPending = true;
    chooseActive(s);
  }
  return true;
}

/** PATH_STATUS_AVAILABLE / PATH_STATUS_BACKUP from the peer. */
export function onPathStatus(s: ConnState, f: Extract<Frame, { type: 'pathStatus' }>): void {
  const ctx = s.paths.get(f.pathId);
  if (!ctx || f.sequence <= ctx.remoteStatusSeq) return;
  ctx.remoteStatusSeq = f.sequence;
  ctx.remoteStatus = f.available ? 'available' : 'backup';
  chooseActive(s);
}

/**
 * Abandons a path: PATH_ABANDON is sent, the path stops carrying anything, and it is forgotten three
 * PTOs later. Returns false for an unknown or already abandoned path, or the last open path (unless the
 * peer abandoned it).
 */
export function abandonPath(
  s: ConnState,
  now: number,
  id: number,
  errorCode: bigint,
  byPeer = false,
): boolean {
  const mp = s.mp;
  const ctx = s.paths.get(id);
  if (!mp || !ctx || ctx.abandoned) return false;
  const others = [...s.paths.values()].some((p) => p !== ctx && !p.abandoned);
  if (!others && !byPeer) return false;
  ctx.abandoned = true;
  ctx.abandonPending = errorCode;
  mp.abandoned.add(id);
  ctx.statusPending = false;
  ctx.pathResponses.length = 0;
  ctx.path.challengePending = false;
  ctx.path.validationDeadline = undefined;
  ctx.discardAt = now + 3 * ctx.rtt.pto(s.peerMaxAckDelay);
  // What is still in flight on it will not be acknowledged there: send it again on the other paths.
  for (const p of ctx.space.sent.discardAll()) for (const item of p.payload) onLost(s, 'application', item);
  ctx.space.probes = 0;
  ctx.lossTimerDirty = true;
  // Our CIDs of this path will be retired by the peer; stop topping them up. Retire the peer's.
  const list = mp.remote.get(id) ?? [];
  for (const c of list) {
    if (c.used) s.endpointEvents.push({ type: 'reset-token-removed', token: c.resetToken });
  }
  mp.remote.delete(id);
  s.events.push({ type: 'path-abandoned', id, errorCode, remote: byPeer });
  if (!others) {
    // The peer abandoned our last path: nothing can carry the connection any more.
    s.startClose(
      now,
      {
        errorCode: BigInt(TransportErrorCode.NO_VIABLE_PATH),
        frameType: 0,
        reason: new Uint8Array(0),
        app: false,
      },
      {
        kind: 'transport',
        errorCode: BigInt(TransportErrorCode.NO_VIABLE_PATH),
        frameType: 0,
        reason: 'last path abandoned',
        remote: false,
      },
    );
    return true;
  }
  chooseActive(s);
  return true;
}

/** PATH_ABANDON from the peer. */
export function onPathAbandon(s: ConnState, now: number, f: Extract<Frame, { type: 'pathAbandon' }>): void {
  const mp = s.mp!;
  if (f.pathId > mp.localMaxPathId)
    throw TransportError.protocolViolation('PATH_ABANDON above our maximum path id', 0x3e75);
  abandonPath(s, now, f.pathId, PathErrorCode.NO_ERROR, true);
}

/** MAX_PATH_ID from the peer. */
export function onMaxPathId(s: ConnState, now: number, f: Extract<Frame, { type: 'maxPathId' }>): void {
  const mp = s.mp!;
  if (f.pathId <= mp.remoteMaxPathId) return;
  mp.remoteMaxPathId = f.pathId;
  issuePathCids(s);
  openNatPaths(s, now);
}

/** PATHS_BLOCKED / PATH_CIDS_BLOCKED from the peer: checked, otherwise informational. */
export function onPathsBlocked(
  s: ConnState,
  f: Extract<Frame, { type: 'pathsBlocked' | 'pathCidsBlocked' }>,
): void {
  if (f.pathId > s.mp!.localMaxPathId)
    throw TransportError.protocolViolation(
      'path id above our maximum',
      f.type === 'pathsBlocked' ? 0x3e7b : 0x3e7c,
    );
}

/** A path was drained after being abandoned: forget it, retire our CIDs of it, allow one more path id. */
export function discardPath(s: ConnState, ctx: PathCtx): void {
  const mp = s.mp!;
  s.paths.delete(ctx.id);
  for (const c of mp.local.get(ctx.id) ?? []) s.endpointEvents.push({ type: 'cid-retired', cid: c.cid });
  mp.local.delete(ctx.id);
  mp.newPending.splice(0, mp.newPending.length, ...mp.newPending.filter((p) => p.pathId !== ctx.id));
  mp.localMaxPathId++;
  mp.maxPathIdPending = true;
  issuePathCids(s);
  if (s.cur === ctx) s.use(s.active);
}

/**
 * Picks the path for application data: a usable path both sides call available, else one we call
 * available, else any usable path; the lowest smoothed RTT wins. Keeps the current one otherwise.
 */
export function chooseActive(s: ConnState): void {
  let best: PathCtx | undefined;
  let bestRank = -1;
  for (const p of s.paths.values()) {
    if (!p.usable) continue;
    const status = p.localStatus === 'available' ? (p.remoteStatus !== 'backup' ? 2 : 1) : 0;
    const rank = (p.healthy ? 3 : 0) + status;
    if (rank > bestRank || (rank === bestRank && best && p.rtt.smoothed < best.rtt.smoothed)) {
      best = p;
      bestRank = rank;
    }
  }
  if (!best) {
    if (!s.active.abandoned) return;
    best = [...s.paths.values()].find((p) => !p.abandoned);
    if (!best) return;
  }
  if (best !== s.active) {
    const wasCur = s.cur === s.active;
    s.active = best;
    if (wasCur) s.use(best);
    s.events.push({
      type: 'path-changed',
      remote: best.path.remote,
      validated: best.path.validated,
      id: best.id,
    });
  }
}

/** Whether any path has multipath timers; the earliest of them. */
export function nextMultipathTimeout(s: ConnState): number | undefined {
  if (!s.mp) return undefined;
  let t: number | undefined;
  const at = (v: number | undefined) => {
    if (v !== undefined && (t === undefined || v < t)) t = v;
  };
  for (const ctx of s.paths.values()) {
    if (ctx.abandoned) {
      at(ctx.discardAt);
      continue;
    }
    if (ctx.idleTimeout !== undefined)
      at(ctx.lastReceiveTime + Math.max(ctx.idleTimeout, 3 * ctx.rtt.pto(s.peerMaxAckDelay)));
    // Once a keep-alive is owed, the pacer or the PTO decides when it goes.
    if (ctx.keepAliveInterval !== undefined && ctx.usable && !ctx.pingPending)
      at(ctx.lastSendTime + ctx.keepAliveInterval);
  }
  return t;
}

/** Runs path timers: discards drained paths, abandons idle ones, and asks for path keep-alives. */
export function handleMultipathTimeout(s: ConnState, now: number): void {
  if (!s.mp) return;
  for (const ctx of [...s.paths.values()]) {
    if (ctx.abandoned) {
      if (ctx.discardAt !== undefined && now >= ctx.discardAt) discardPath(s, ctx);
      continue;
    }
    if (
      ctx.idleTimeout !== undefined &&
      now >= ctx.lastReceiveTime + Math.max(ctx.idleTimeout, 3 * ctx.rtt.pto(s.peerMaxAckDelay))
    ) {
      abandonPath(s, now, ctx.id, PathErrorCode.NO_ERROR);
      continue;
    }
    if (ctx.keepAliveInterval !== undefined && ctx.usable && now >= ctx.lastSendTime + ctx.keepAliveInterval)
      ctx.pingPending = true;
  }
}
