/**
 * Multipath state and connection IDs per path id (draft-ietf-quic-multipath): negotiation through
 * initial_max_path_id, the CIDs we issue for path ids ≥ 1 (PATH_NEW_CONNECTION_ID) and take back
 * (PATH_RETIRE_CONNECTION_ID), and the ones the peer issues to us. Path 0 keeps its CIDs in `CidState`
 * (`cids.ts`).
 */
import { equalBytes } from '@iroh-ts/base';
import type { Frame } from '../frame.js';
import { TransportError } from '../transport-error.js';
import { openNatPaths } from './nat-connection.js';
import type { ConnState } from './state.js';

const PATH_NEW_CONNECTION_ID = 0x3e78;
/** The destination CID of a path still waiting for the peer's CIDs. */
export const NO_CID = new Uint8Array(0);
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

export interface RemotePathCid {
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

export function topUpPathCids(s: ConnState, pathId: number): void {
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
export function takeRemotePathCid(s: ConnState, pathId: number): RemotePathCid | undefined {
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
