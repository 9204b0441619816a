/**
 * Connection IDs (RFC 9000 §5.1): the ones we issue to the peer with NEW_CONNECTION_ID and take back
 * when it sends RETIRE_CONNECTION_ID, and the ones the peer issues to us, which paths use as their
 * Destination Connection ID until we retire them.
 *
 * Every change the endpoint must know about (a CID to route, a route to drop, a stateless reset token
 * to recognise) is queued as an {@link EndpointEvent} on the connection.
 */
import { equalBytes } from '@iroh-ts/base';
import type { Frame } from '../frame.js';
import { TransportError } from '../transport-error.js';
import type { SentItem } from './sent-record.js';
import type { ConnState } from './state.js';

/** Makes a new local connection ID, unique within the endpoint, and its stateless reset token. */
export type CidGenerator = () => { readonly cid: Uint8Array; readonly resetToken: Uint8Array };

/** A connection ID we issued. */
interface LocalCid {
  readonly seq: number;
  readonly cid: Uint8Array;
  readonly resetToken: Uint8Array | undefined;
}

/** A connection ID the peer issued to us. */
export interface RemoteCid {
  readonly seq: number;
  readonly cid: Uint8Array;
  readonly resetToken: Uint8Array | undefined;
  /** Whether a path has sent with it (only then is its reset token checked, RFC 9000 §10.3.1). */
  used: boolean;
}

const NEW_CONNECTION_ID = 0x18;
const RETIRE_CONNECTION_ID = 0x19;
/** Retired sequence numbers remembered, so that a retransmitted NEW_CONNECTION_ID is not taken again. */
const MAX_RETIRED_REMEMBERED = 64;

/** Both sets of connection IDs of one connection. */
export class CidState {
  /** Our active CIDs; sequence 0 is the one of the handshake. */
  readonly local: LocalCid[] = [];
  nextLocalSeq = 1;
  /** The Retire Prior To we send: the peer must retire our CIDs below it. */
  localRetirePriorTo = 0;
  /** Sequence numbers whose NEW_CONNECTION_ID is owed to the peer. */
  readonly newPending: number[] = [];
  /** Sequence number of the local CID the packet being processed was sent to (-1: none of ours). */
  packetSeq = -1;
  private lastMatch = 0;
  /** The peer's active CIDs, by ascending sequence number. */
  readonly remote: RemoteCid[] = [];
  /** The largest Retire Prior To the peer sent. */
  retirePriorTo = 0;
  /** Sequence numbers of peer CIDs whose RETIRE_CONNECTION_ID is owed. */
  readonly retirePending: number[] = [];
  /** Sequence numbers of peer CIDs we retired (the most recent ones). */
  readonly retired = new Set<number>();
  readonly generate: CidGenerator;

  constructor(localCid: Uint8Array, resetToken: Uint8Array | undefined, generate: CidGenerator) {
    this.local.push({ seq: 0, cid: localCid, resetToken });
    this.generate = generate;
  }

  /** Whether NEW_CONNECTION_ID or RETIRE_CONNECTION_ID frames are owed. */
  get framesPending(): boolean {
    return this.newPending.length > 0 || this.retirePending.length > 0;
  }

  /**
   * Whether `dcid` is one of our active CIDs; records its sequence number in {@link packetSeq}.
   * Checks the last match first: peers use one CID for long stretches.
   */
  matchLocal(dcid: Uint8Array): boolean {
    const local = this.local;
    const last = local[this.lastMatch];
    if (last && equalBytes(last.cid, dcid)) {
      this.packetSeq = last.seq;
      return true;
    }
    for (let i = 0; i < local.length; i++) {
      if (equalBytes(local[i]!.cid, dcid)) {
        this.lastMatch = i;
        this.packetSeq = local[i]!.seq;
        return true;
      }
    }
    this.packetSeq = -1;
    return false;
  }

  /** The peer's CID with sequence number `seq`, if still active. */
  remoteBySeq(seq: number): RemoteCid | undefined {
    for (const c of this.remote) if (c.seq === seq) return c;
    return undefined;
  }

  /**
   * Whether the last 16 bytes of `datagram` are the stateless reset token of a peer CID we have
   * sent with and not retired (RFC 9000 §10.3.1).
   */
  isStatelessReset(datagram: Uint8Array): boolean {
    const n = datagram.length;
    if (n < 21) return false;
    for (const c of this.remote) {
      const t = c.resetToken;
      if (!c.used || !t) continue;
      let diff = 0;
      for (let i = 0; i < 16; i++) diff |= t[i]! ^ datagram[n - 16 + i]!;
      if (diff === 0) return true;
    }
    return false;
  }
}

/** How many CIDs we keep issued: the peer's active_connection_id_limit, capped by our configuration. */
function localLimit(s: ConnState): number {
  return Math.min(s.peerParams?.activeConnectionIdLimit ?? 2, s.config.maxIssuedConnectionIds);
}

/** Issues new CIDs until the peer holds as many as it accepts (after the handshake is confirmed). */
export function issueCids(s: ConnState): void {
  const c = s.cids;
  if (!s.handshakeConfirmed || s.isClosed || s.localCid.length === 0) return;
  const limit = localLimit(s);
  // CIDs below our Retire Prior To are on their way out and no longer count.
  while (c.local.filter((l) => l.seq >= c.localRetirePriorTo).length < limit) {
    const { cid, resetToken } = c.generate();
    const seq = c.nextLocalSeq++;
    c.local.push({ seq, cid, resetToken });
    c.newPending.push(seq);
    s.endpointEvents.push({ type: 'cid-issued', cid });
  }
}

/**
 * Replaces all our CIDs: issues a fresh set whose NEW_CONNECTION_ID frames carry a Retire Prior To that
 * asks the peer to retire every older one (RFC 9000 §5.1.2); the old ones stay routed until it does.
 * Returns false before the handshake is confirmed or with zero-length CIDs.
 */
export function rotateCids(s: ConnState): boolean {
  if (!s.handshakeConfirmed || s.isClosed || s.localCid.length === 0) return false;
  s.cids.localRetirePriorTo = s.cids.nextLocalSeq;
  issueCids(s);
  return true;
}

/** Records the peer's handshake CID (sequence 0) once its transport parameters are known. */
export function initRemoteCids(s: ConnState, resetToken: Uint8Array | undefined): void {
  const c = s.cids;
  if (c.remote.length > 0) return;
  c.remote.push({ seq: 0, cid: s.path.remoteCid, resetToken, used: true });
  s.path.remoteCidSeq = 0;
  if (resetToken) s.endpointEvents.push({ type: 'reset-token-added', token: resetToken });
}

/** NEW_CONNECTION_ID from the peer (RFC 9000 §19.15, §5.1.2). */
export function onNewConnectionId(s: ConnState, f: Extract<Frame, { type: 'newConnectionId' }>): void {
  const c = s.cids;
  if (s.path.remoteCid.length === 0)
    throw TransportError.protocolViolation(
      'NEW_CONNECTION_ID while using zero-length CIDs',
      NEW_CONNECTION_ID,
    );
  initRemoteCids(s, undefined);
  const same = c.remoteBySeq(f.sequence);
  if (same) {
    if (!equalBytes(same.cid, f.connectionId) || !equalBytes(same.resetToken ?? f.resetToken, f.resetToken))
      throw TransportError.protocolViolation('sequence number reused for another CID', NEW_CONNECTION_ID);
    return; // a retransmission
  }
  for (const r of c.remote) {
    if (equalBytes(r.cid, f.connectionId))
      throw TransportError.protocolViolation('CID reused with another sequence number', NEW_CONNECTION_ID);
  }
  if (f.sequence < c.retirePriorTo || c.retired.has(f.sequence)) {
    // Already retired (by an earlier Retire Prior To, or by us): just say so again.
    if (!c.retirePending.includes(f.sequence)) c.retirePending.push(f.sequence);
    return;
  }
  if (f.retirePriorTo > c.retirePriorTo) {
    c.retirePriorTo = f.retirePriorTo;
    for (let i = c.remote.length - 1; i >= 0; i--) {
      if (c.remote[i]!.seq < f.retirePriorTo) retireRemoteAt(s, i);
    }
  }
  let at = c.remote.length;
  while (at > 0 && c.remote[at - 1]!.seq > f.sequence) at--;
  c.remote.splice(at, 0, {
    seq: f.sequence,
    cid: f.connectionId.slice(),
    resetToken: f.resetToken.slice(),
    used: false,
  });
  if (c.remote.length > s.config.activeConnectionIdLimit)
    throw TransportError.connectionIdLimit(
      `more than ${s.config.activeConnectionIdLimit} active connection IDs`,
      NEW_CONNECTION_ID,
    );
  if (c.retirePending.length > 4 * s.config.activeConnectionIdLimit)
    throw TransportError.connectionIdLimit('too many connection IDs retired at once', NEW_CONNECTION_ID);
  // Paths whose CID was just retired move to a fresh one (RFC 9000 §5.1.2: stop using it).
  if (s.path.remoteCidSeq < c.retirePriorTo) assignFreshCid(s, s.path);
  const prev = s.prevPath;
  if (prev && prev.remoteCidSeq < c.retirePriorTo && !assignFreshCid(s, prev)) s.prevPath = undefined;
}

/** RETIRE_CONNECTION_ID from the peer (RFC 9000 §19.16). */
export function onRetireConnectionId(s: ConnState, f: Extract<Frame, { type: 'retireConnectionId' }>): void {
  const c = s.cids;
  if (s.localCid.length === 0)
    throw TransportError.protocolViolation(
      'RETIRE_CONNECTION_ID with zero-length CIDs',
      RETIRE_CONNECTION_ID,
    );
  if (f.sequence >= c.nextLocalSeq)
    throw TransportError.protocolViolation(`retires unissued CID ${f.sequence}`, RETIRE_CONNECTION_ID);
  if (f.sequence === c.packetSeq)
    throw TransportError.protocolViolation('retires the CID it was sent to', RETIRE_CONNECTION_ID);
  const i = c.local.findIndex((l) => l.seq === f.sequence);
  if (i < 0) return; // already retired
  const [gone] = c.local.splice(i, 1);
  const pending = c.newPending.indexOf(f.sequence);
  if (pending >= 0) c.newPending.splice(pending, 1);
  s.endpointEvents.push({ type: 'cid-retired', cid: gone!.cid });
  issueCids(s);
}

/** The peer CID with the lowest sequence number that no path uses yet, now marked used. */
export function takeUnusedRemoteCid(s: ConnState): RemoteCid | undefined {
  for (const r of s.cids.remote) {
    if (r.used) continue;
    r.used = true;
    if (r.resetToken) s.endpointEvents.push({ type: 'reset-token-added', token: r.resetToken });
    return r;
  }
  return undefined;
}

function assignFreshCid(s: ConnState, path: ConnState['path']): boolean {
  const next = takeUnusedRemoteCid(s);
  if (!next) return false;
  path.remoteCid = next.cid;
  path.remoteCidSeq = next.seq;
  return true;
}

/** Retires the peer CID with sequence `seq` unless a path still uses it. */
export function releaseRemoteCid(s: ConnState, seq: number): void {
  if (s.path.remoteCidSeq === seq || s.prevPath?.remoteCidSeq === seq) return;
  const i = s.cids.remote.findIndex((r) => r.seq === seq);
  if (i >= 0) retireRemoteAt(s, i);
}

function retireRemoteAt(s: ConnState, i: number): void {
  const c = s.cids;
  const [r] = c.remote.splice(i, 1);
  if (!r) return;
  c.retirePending.push(r.seq);
  c.retired.add(r.seq);
  if (c.retired.size > MAX_RETIRED_REMEMBERED) c.retired.delete(c.retired.values().next().value!);
  if (r.used && r.resetToken) s.endpointEvents.push({ type: 'reset-token-removed', token: r.resetToken });
}

/** The next NEW_CONNECTION_ID or RETIRE_CONNECTION_ID frame that fits in `room` bytes, if any. */
export function pollCidFrame(s: ConnState, room: number): { frame: Frame; item: SentItem } | undefined {
  const c = s.cids;
  const retire = c.retirePending[0];
  if (retire !== undefined) {
    if (room < 9) return undefined;
    c.retirePending.shift();
    return {
      frame: { type: 'retireConnectionId', sequence: retire },
      item: { kind: 'retire-cid', seq: retire },
    };
  }
  for (;;) {
    const seq = c.newPending[0];
    if (seq === undefined) return undefined;
    const l = c.local.find((x) => x.seq === seq);
    if (!l?.resetToken || seq < c.localRetirePriorTo) {
      c.newPending.shift();
      continue;
    }
    // type + two varints (≤ 8 bytes each) + length + CID + token
    if (room < 1 + 16 + 1 + l.cid.length + 16) return undefined;
    c.newPending.shift();
    return {
      frame: {
        type: 'newConnectionId',
        sequence: seq,
        retirePriorTo: c.localRetirePriorTo,
        connectionId: l.cid,
        resetToken: l.resetToken,
      },
      item: { kind: 'new-cid', seq },
    };
  }
}

/** A packet with a NEW_CONNECTION_ID or RETIRE_CONNECTION_ID was lost: send it again if still needed. */
export function onCidFrameLost(
  s: ConnState,
  item: Extract<SentItem, { kind: 'new-cid' | 'retire-cid' }>,
): void {
  const c = s.cids;
  if (item.kind === 'new-cid') {
    if (c.local.some((l) => l.seq === item.seq) && !c.newPending.includes(item.seq))
      c.newPending.push(item.seq);
  } else if (!c.retirePending.includes(item.seq)) {
    c.retirePending.push(item.seq);
  }
}
