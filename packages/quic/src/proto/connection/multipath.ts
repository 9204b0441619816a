/**
 * QUIC multipath (draft-ietf-quic-multipath, as noq implements it for iroh): negotiation through
 * initial_max_path_id, connection IDs per path id (PATH_NEW_CONNECTION_ID / PATH_RETIRE_CONNECTION_ID),
 * opening paths (client only), the paths the peer opens (server), path status, abandoning paths,
 * MAX_PATH_ID, and the control frames all this owes the peer.
 *
 * Path 0 keeps its connection IDs in `CidState` (`cids.ts`); this module holds those of path ids ≥ 1.
 */
import { equalBytes } from '@iroh-ts/base';
import type { Frame } from '../frame.js';
import { TransportError, TransportErrorCode } from '../transport-error.js';
import { reportPathAddress } from './address-discovery.js';
import { openNatPaths } from './nat-connection.js';
import { Path, startValidation } from './path.js';
import { PathCtx, type PathStatus } from './path-ctx.js';
import { onLost } from './receive.js';
import type { SentItem } from './sent-record.js';
import type { ConnState } from './state.js';

const PATH_NEW_CONNECTION_ID = 0x3e78;
/** The destination CID of a path still waiting for the peer's CIDs. */
const NO_CID = new Uint8Array(0);
const PATH_RETIRE_CONNECTION_ID = 0x3e79;
/** PATH_ABANDON error codes (draft-ietf-quic-multipath §10.1). */
export const PathErrorCode = {
  NO_ERROR: 0n,
  APPLICATION_ABANDON: 0x004150504142414en,
  RESOURCE_LIMIT_REACHED: 0x0041524c494d4954n,
  UNSTABLE_INTERFACE: 0x0041554e5354414en,
  NO_CID_AVAILABLE: 0x004e4f4349444156n,
} as const;

interface LocalPathCid {
  readonly seq: number;
  readonly cid: Uint8Array;
  readonly resetToken: Uint8Array;
}

interface RemotePathCid {
  readonly seq: number;
  readonly cid: Uint8Array;
  readonly resetToken: Uint8Array;
  used: boolean;
}

/** Why a path could not be opened. */
export type OpenPathError =
  | 'MultipathNotNegotiated'
  | 'ServerSideNotAllowed'
  | 'MaxPathIdReached'
  | 'RemoteCidsExhausted'
  | 'Closed';

/** Multipath state of a connection that negotiated it. */
export class MultipathState {
  /** The largest path id we allow (initial_max_path_id, raised by MAX_PATH_ID). */
  localMaxPathId: number;
  /** The largest path id the peer allows. */
  remoteMaxPathId: number;
  maxPathIdPending = false;
  /** The largest path id we issued connection IDs for. */
  issuedUpTo = 0;
  /** Our CIDs for path ids ≥ 1 and the next sequence number per path. */
  readonly local = new Map<number, LocalPathCid[]>();
  readonly nextLocalSeq = new Map<number, number>();
  readonly newPending: { pathId: number; seq: number }[] = [];
  /** The peer's CIDs for path ids ≥ 1 (ascending sequence). */
  readonly remote = new Map<number, RemotePathCid[]>();
  readonly retirePending: { pathId: number; seq: number }[] = [];
  /** Path ids that were abandoned (never reused). */
  readonly abandoned = new Set<number>();
  /** PATHS_BLOCKED owed (the limit we hit). */
  pathsBlockedPending: number | undefined;
  /** Path id of the local CID the packet being processed was sent to. */
  packetPathId = 0;
  packetSeq = -1;

  constructor(localMax: number, remoteMax: number) {
    this.localMaxPathId = localMax;
    this.remoteMaxPathId = remoteMax;
  }

  /** The largest path id both sides allow. */
  get maxPathId(): number {
    return Math.min(this.localMaxPathId, this.remoteMaxPathId);
  }

  /** Whether `dcid` is one of our CIDs of a path id ≥ 1; records its path id and sequence. */
  matchLocal(dcid: Uint8Array): boolean {
    for (const [pathId, list] of this.local) {
      for (const c of list) {
        if (equalBytes(c.cid, dcid)) {
          this.packetPathId = pathId;
          this.packetSeq = c.seq;
          return true;
        }
      }
    }
    return false;
  }

  get framesPending(): boolean {
    return (
      this.maxPathIdPending ||
      this.newPending.length > 0 ||
      this.retirePending.length > 0 ||
      this.pathsBlockedPending !== undefined
    );
  }
}

/** Negotiates multipath from the peer's transport parameters (both must send initial_max_path_id). */
export function negotiateMultipath(s: ConnState, peerMaxPathId: number | undefined): void {
  const ours = s.config.maxPathId;
  if (ours === undefined || peerMaxPathId === undefined) return;
  if (s.localCid.length === 0 || s.path.remoteCid.length === 0)
    throw TransportError.protocolViolation('multipath requires non-zero-length connection IDs');
  s.mp = new MultipathState(ours, peerMaxPathId);
}

/** How many CIDs we keep issued per path: the peer's active_connection_id_limit, capped by ours. */
function cidLimit(s: ConnState): number {
  return Math.min(s.peerParams?.activeConnectionIdLimit ?? 2, s.config.maxIssuedConnectionIds);
}

/** Issues CIDs for every path id up to the maximum both sides allow (after the handshake is confirmed). */
export function issuePathCids(s: ConnState): void {
  const mp = s.mp;
  if (!mp || !s.handshakeConfirmed || s.isClosed) return;
  for (let id = mp.issuedUpTo + 1; id <= mp.maxPathId; id++) topUpPathCids(s, id);
  mp.issuedUpTo = Math.max(mp.issuedUpTo, mp.maxPathId);
}

/**
 * CIDs kept issued per path id ≥ 1: two (one in use, one spare) rather than the peer's full limit;
 * eight path ids times five CIDs would cost every idle connection dozens of routing entries.
 */
const PATH_CIDS = 2;

function topUpPathCids(s: ConnState, pathId: number): void {
  const mp = s.mp!;
  if (mp.abandoned.has(pathId)) return;
  let list = mp.local.get(pathId);
  if (!list) {
    list = [];
    mp.local.set(pathId, list);
  }
  while (list.length < Math.min(PATH_CIDS, cidLimit(s))) {
    const { cid, resetToken } = s.cids.generate();
    const seq = mp.nextLocalSeq.get(pathId) ?? 0;
    mp.nextLocalSeq.set(pathId, seq + 1);
    list.push({ seq, cid, resetToken });
    mp.newPending.push({ pathId, seq });
    s.endpointEvents.push({ type: 'cid-issued', cid });
  }
}

/** PATH_NEW_CONNECTION_ID for a path id ≥ 1. */
export function onPathNewConnectionId(
  s: ConnState,
  now: number,
  f: Extract<Frame, { type: 'newConnectionId' }>,
): void {
  const mp = s.mp!;
  const pathId = f.pathId!;
  if (pathId > mp.localMaxPathId)
    throw TransportError.protocolViolation(
      'PATH_NEW_CONNECTION_ID above our maximum path id',
      PATH_NEW_CONNECTION_ID,
    );
  if (mp.abandoned.has(pathId)) return;
  let list = mp.remote.get(pathId);
  if (!list) {
    list = [];
    mp.remote.set(pathId, list);
  }
  const same = list.find((c) => c.seq === f.sequence);
  if (same) {
    if (!equalBytes(same.cid, f.connectionId))
      throw TransportError.protocolViolation(
        'sequence number reused for another CID',
        PATH_NEW_CONNECTION_ID,
      );
    return;
  }
  // Retire Prior To: drop what the peer asks us to retire (unless a path uses it: it moves on below).
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i]!;
    if (c.seq < f.retirePriorTo) {
      list.splice(i, 1);
      mp.retirePending.push({ pathId, seq: c.seq });
    }
  }
  if (f.sequence < f.retirePriorTo) {
    mp.retirePending.push({ pathId, seq: f.sequence });
    return;
  }
  let at = list.length;
  while (at > 0 && list[at - 1]!.seq > f.sequence) at--;
  list.splice(at, 0, {
    seq: f.sequence,
    cid: f.connectionId.slice(),
    resetToken: f.resetToken.slice(),
    used: false,
  });
  if (list.length > s.config.activeConnectionIdLimit)
    throw TransportError.connectionIdLimit(
      `more than ${s.config.activeConnectionIdLimit} connection IDs for path ${pathId}`,
      PATH_NEW_CONNECTION_ID,
    );
  openNatPaths(s, now);
  const ctx = s.paths.get(pathId);
  if (ctx && ctx.path.remoteCidSeq < f.retirePriorTo) {
    const next = takeRemotePathCid(s, pathId);
    if (next) {
      ctx.path.remoteCid = next.cid;
      ctx.path.remoteCidSeq = next.seq;
    }
  }
}

/** PATH_RETIRE_CONNECTION_ID for a path id ≥ 1. */
export function onPathRetireConnectionId(
  s: ConnState,
  f: Extract<Frame, { type: 'retireConnectionId' }>,
): void {
  const mp = s.mp!;
  const pathId = f.pathId!;
  const list = mp.local.get(pathId);
  if (!list) return;
  if (f.sequence >= (mp.nextLocalSeq.get(pathId) ?? 0))
    throw TransportError.protocolViolation(`retires unissued CID ${f.sequence}`, PATH_RETIRE_CONNECTION_ID);
  if (mp.packetPathId === pathId && mp.packetSeq === f.sequence)
    throw TransportError.protocolViolation('retires the CID it was sent to', PATH_RETIRE_CONNECTION_ID);
  const i = list.findIndex((c) => c.seq === f.sequence);
  if (i < 0) return;
  const [gone] = list.splice(i, 1);
  s.endpointEvents.push({ type: 'cid-retired', cid: gone!.cid });
  const ctx = s.paths.get(pathId);
  if (!ctx?.abandoned) topUpPathCids(s, pathId);
}

/** The peer CID of `pathId` with the lowest sequence number no path uses yet, now marked used. */
function takeRemotePathCid(s: ConnState, pathId: number): RemotePathCid | undefined {
  const list = s.mp!.remote.get(pathId);
  if (!list) return undefined;
  for (const c of list) {
    if (c.used) continue;
    c.used = true;
    s.endpointEvents.push({ type: 'reset-token-added', token: c.resetToken });
    return c;
  }
  return undefined;
}

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

/** The next multipath control frame that fits in `room` bytes. */
export function pollMultipathFrame(s: ConnState, room: number): { frame: Frame; item: SentItem } | undefined {
  const mp = s.mp;
  if (!mp) return undefined;
  for (const ctx of s.paths.values()) {
    if (ctx.abandonPending !== undefined && room >= 1 + 2 + 4 + 8) {
      const errorCode = ctx.abandonPending;
      ctx.abandonPending = undefined;
      ctx.abandonSent = true;
      return {
        frame: { type: 'pathAbandon', pathId: ctx.id, errorCode },
        item: { kind: 'path-abandon', pathId: ctx.id, errorCode },
      };
    }
    if (ctx.statusPending && room >= 4 + 4 + 8) {
      ctx.statusPending = false;
      return {
        frame: {
          type: 'pathStatus',
          pathId: ctx.id,
          sequence: ctx.localStatusSeq,
          available: ctx.localStatus === 'available',
        },
        item: { kind: 'path-status', pathId: ctx.id, sequence: ctx.localStatusSeq },
      };
    }
  }
  if (mp.maxPathIdPending && room >= 4 + 8) {
    mp.maxPathIdPending = false;
    return { frame: { type: 'maxPathId', pathId: mp.localMaxPathId }, item: { kind: 'max-path-id' } };
  }
  if (mp.pathsBlockedPending !== undefined && room >= 4 + 8) {
    const pathId = mp.pathsBlockedPending;
    mp.pathsBlockedPending = undefined;
    return { frame: { type: 'pathsBlocked', pathId }, item: { kind: 'ping' } };
  }
  const retire = mp.retirePending[0];
  if (retire && room >= 4 + 8 + 8) {
    mp.retirePending.shift();
    return {
      frame: { type: 'retireConnectionId', pathId: retire.pathId, sequence: retire.seq },
      item: { kind: 'path-retire-cid', pathId: retire.pathId, seq: retire.seq },
    };
  }
  for (;;) {
    const next = mp.newPending[0];
    if (!next) return undefined;
    const l = mp.local.get(next.pathId)?.find((c) => c.seq === next.seq);
    if (!l) {
      mp.newPending.shift();
      continue;
    }
    if (room < 4 + 8 + 8 + 8 + 1 + l.cid.length + 16) return undefined;
    mp.newPending.shift();
    return {
      frame: {
        type: 'newConnectionId',
        pathId: next.pathId,
        sequence: next.seq,
        retirePriorTo: 0,
        connectionId: l.cid,
        resetToken: l.resetToken,
      },
      item: { kind: 'path-new-cid', pathId: next.pathId, seq: next.seq },
    };
  }
}

/** A packet with a multipath control frame was lost: send it again if still current. */
export function onMultipathItemLost(
  s: ConnState,
  item: Extract<
    SentItem,
    { kind: 'path-abandon' | 'path-status' | 'max-path-id' | 'path-new-cid' | 'path-retire-cid' }
  >,
): void {
  const mp = s.mp;
  if (!mp) return;
  switch (item.kind) {
    case 'path-abandon': {
      const ctx = s.paths.get(item.pathId);
      if (ctx) ctx.abandonPending = item.errorCode;
      return;
    }
    case 'path-status': {
      const ctx = s.paths.get(item.pathId);
      if (ctx && !ctx.abandoned && ctx.localStatusSeq === item.sequence) ctx.statusPending = true;
      return;
    }
    case 'max-path-id':
      mp.maxPathIdPending = true;
      return;
    case 'path-new-cid':
      if (mp.local.get(item.pathId)?.some((c) => c.seq === item.seq))
        mp.newPending.push({ pathId: item.pathId, seq: item.seq });
      return;
    case 'path-retire-cid':
      mp.retirePending.push({ pathId: item.pathId, seq: item.seq });
      return;
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
