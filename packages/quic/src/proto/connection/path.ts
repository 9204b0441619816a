/**
 * Network paths and their validation (RFC 9000 §8.2, §9). A {@link Path} is one peer address with the
 * connection ID we send to it, whether it is validated, its anti-amplification counters and its
 * PATH_CHALLENGE state. A connection has an active path and, after the peer migrated, the previous
 * validated one, kept until the new path is validated (or to return to it when the migration turns
 * out to be spoofed).
 *
 * Only servers follow a peer to a new address; clients never migrate and drop packets from unknown
 * server addresses (RFC 9000 §9). Later multipath work can turn the pair of paths into a table.
 */
import { equalBytes } from '@iroh-ts/base';
import { addressHost } from '../address-token.js';
import { Pacer, RttEstimator } from '../recovery/index.js';
import { TransportErrorCode } from '../transport-error.js';
import { reportPathAddress } from './address-discovery.js';
import { releaseRemoteCid, takeUnusedRemoteCid } from './cids.js';
import { abandonPath, onMultipathValidated, PathErrorCode } from './multipath.js';
import type { ConnState } from './state.js';

/** Challenges remembered per path: a response to any of the last few validates it. */
const MAX_CHALLENGES = 3;
/** Queued PATH_RESPONSEs to addresses other than our paths' (each answers the latest challenge). */
const MAX_OFF_PATH_RESPONSES = 4;

/** One network path to the peer. */
export class Path {
  /** The peer's address (opaque to the connection). */
  remote: string;
  /** The CID we send to the peer on this path, and its sequence number. */
  remoteCid: Uint8Array;
  remoteCidSeq: number;
  /** Whether the peer proved it receives at `remote` (until then, the 3× amplification limit applies). */
  validated: boolean;
  /** Bytes received from and sent to `remote` (for the amplification limit). */
  bytesReceived = 0;
  bytesSent = 0;
  /** Data of PATH_CHALLENGEs sent and not yet answered. */
  readonly challenges: Uint8Array[] = [];
  /** A PATH_CHALLENGE should be sent now. */
  challengePending = false;
  /** Challenges sent so far in this validation (backs off the retries). */
  challengeCount = 0;
  /** When to send another challenge, and when to give up. */
  challengeRetryAt: number | undefined;
  validationDeadline: number | undefined;
  /** Validation resets congestion control and RTT: the peer's IP changed, not only its port (§9.4). */
  resetOnValidation = false;
  /**
   * Whether the 3× anti-amplification limit applies until validation: to addresses the peer sent from,
   * not to a path we opened ourselves (multipath).
   */
  amplificationLimited = true;

  constructor(remote: string, remoteCid: Uint8Array, remoteCidSeq: number, validated: boolean) {
    this.remote = remote;
    this.remoteCid = remoteCid;
    this.remoteCidSeq = remoteCidSeq;
    this.validated = validated;
  }

  /** Bytes we may still send on this path before the peer is validated. */
  get budget(): number {
    return this.validated || !this.amplificationLimited
      ? Number.POSITIVE_INFINITY
      : 3 * this.bytesReceived - this.bytesSent;
  }

  /** Whether a validation is under way. */
  get validating(): boolean {
    return this.validationDeadline !== undefined;
  }
}

/** A PATH_RESPONSE owed to an address. */
export interface PendingResponse {
  readonly remote: string;
  data: Uint8Array;
  /** For an address that is not one of our paths: what the amplification limit still allows. */
  budget: number;
}

/** Counts a received datagram for the amplification limit of the path it came from. */
export function countReceived(s: ConnState, from: string, size: number): void {
  if (from === s.path.remote) s.path.bytesReceived += size;
  else if (s.prevPath && from === s.prevPath.remote) s.prevPath.bytesReceived += size;
}

/** The path to `remote`, if we have one. */
function pathTo(s: ConnState, remote: string): Path | undefined {
  if (remote === s.path.remote) return s.path;
  if (s.prevPath && remote === s.prevPath.remote) return s.prevPath;
  return undefined;
}

/** Validation takes up to three PTOs, with at least the PTO of a fresh path (RFC 9000 §8.2.4). */
function validationTimeout(s: ConnState): number {
  // A fresh RTT estimator's PTO: initial_rtt + 4 × initial_rtt / 2 + max_ack_delay.
  const freshPto = 3 * s.config.initialRtt + s.peerMaxAckDelay;
  return 3 * Math.max(s.rtt.pto(s.peerMaxAckDelay), freshPto);
}

/** Starts validating `p` (a PATH_CHALLENGE now, retries with backoff, failure after three PTOs). */
export function startValidation(s: ConnState, p: Path, now: number): void {
  p.challengePending = true;
  p.challengeCount = 0;
  p.challengeRetryAt = undefined;
  p.validationDeadline = now + validationTimeout(s);
}

function stopValidation(p: Path): void {
  p.challenges.length = 0;
  p.challengePending = false;
  p.challengeRetryAt = undefined;
  p.validationDeadline = undefined;
}

/**
 * A non-probing packet with the largest packet number so far came from `from`, which is not the
 * active path's address (RFC 9000 §9.3): the peer migrated, or its NAT rebound, or someone replays its
 * packets from elsewhere. We send there from now on, within the amplification limit until a
 * PATH_CHALLENGE is answered, and validate the previous path again (§9.3.3).
 */
export function onPeerAddressChange(s: ConnState, now: number, from: string, datagramSize: number): void {
  const old = s.path;
  const prev = s.prevPath;
  if (prev && prev.remote === from) {
    // Back to the previous path (it is validated): what we left was spoofed or short-lived.
    s.path = prev;
    s.prevPath = old.validated ? old : undefined;
    if (!old.validated) releasePath(s, old);
    s.events.push({ type: 'path-changed', remote: from, validated: true });
    return;
  }
  // A fresh peer CID for the new address, so that the two paths cannot be linked (§9.5).
  const fresh = takeUnusedRemoteCid(s);
  const p = new Path(from, fresh?.cid ?? old.remoteCid, fresh?.seq ?? old.remoteCidSeq, false);
  p.bytesReceived = datagramSize;
  // Compared with the last validated path, whose congestion state we are using.
  const base = old.validated ? old : (prev ?? old);
  p.resetOnValidation = addressHost(from) !== addressHost(base.remote);
  startValidation(s, p, now);
  s.path = p;
  reportPathAddress(s, s.cur);
  if (old.validated) {
    s.prevPath = old;
    if (prev) releasePath(s, prev);
    startValidation(s, old, now);
  } else {
    releasePath(s, old);
  }
  s.events.push({ type: 'path-changed', remote: from, validated: false });
}

function releasePath(s: ConnState, p: Path): void {
  stopValidation(p);
  releaseRemoteCid(s, p.remoteCidSeq);
}

/** A PATH_CHALLENGE arrived from `from` in a datagram of `size` bytes: answer it on that path. */
export function onPathChallenge(s: ConnState, from: string, data: Uint8Array, size: number): void {
  for (const r of s.pathResponses) {
    if (r.remote === from) {
      r.data = data.slice(); // only the latest challenge is answered
      return;
    }
  }
  if (s.pathResponses.length >= MAX_OFF_PATH_RESPONSES) s.pathResponses.shift();
  // The anti-amplification limit protects servers' peers; a client answers in full (padded).
  s.pathResponses.push({
    remote: from,
    data: data.slice(),
    budget: s.side === 'client' ? Number.POSITIVE_INFINITY : 3 * size,
  });
}

/** A PATH_RESPONSE arrived: it validates the path whose challenge it echoes, wherever it came from. */
export function onPathResponse(s: ConnState, now: number, data: Uint8Array): void {
  for (const p of [s.path, s.prevPath]) {
    if (!p?.challenges.some((c) => equalBytes(c, data))) continue;
    stopValidation(p);
    const first = !p.validated;
    p.validated = true;
    if (p === s.path && p.resetOnValidation) {
      p.resetOnValidation = false;
      resetPathState(s, now);
    }
    if (first && p === s.path) {
      if (s.mp) onMultipathValidated(s, s.cur);
      else s.events.push({ type: 'path-changed', remote: p.remote, validated: true });
    }
    return;
  }
  // An answer to a challenge we no longer remember: harmless, ignored.
}

/** A new path: congestion control, RTT and path MTU start over (RFC 9000 §9.4, §14.3). */
function resetPathState(s: ConnState, now: number): void {
  s.rtt = new RttEstimator(s.config.initialRtt);
  s.mtu = s.config.initialMtu;
  s.cc = s.config.congestionController(now, s.mtu);
  s.pacer = new Pacer(s.rtt.smoothed, s.cc.window, s.mtu, now);
  s.mtuProbe.inFlight = false;
  s.mtuProbe.done = false;
  s.ptoCount = 0;
  s.lossTimerDirty = true;
}

/** Whether a PATH_CHALLENGE or PATH_RESPONSE waits to be sent. */
export function pathProbePending(s: ConnState): boolean {
  return s.path.challengePending || s.pathResponses.length > 0 || s.prevPath?.challengePending === true;
}

/** What the next path probe datagram carries and where it goes. */
export interface ProbePlan {
  readonly remote: string;
  readonly cid: Uint8Array;
  readonly challenge: Uint8Array | undefined;
  readonly response: Uint8Array | undefined;
  /** Largest datagram the amplification limit allows. */
  readonly budget: number;
  /** Call once the datagram of `size` bytes was built. */
  readonly onSent: (now: number, size: number) => void;
}

/** Picks the next probe: a challenge (with any response owed to the same address), or a response. */
export function planPathProbe(s: ConnState): ProbePlan | undefined {
  const target = s.path.challengePending ? s.path : s.prevPath?.challengePending ? s.prevPath : undefined;
  if (target) {
    const i = s.pathResponses.findIndex((r) => r.remote === target.remote);
    const response = i >= 0 ? s.pathResponses.splice(i, 1)[0]!.data : undefined;
    const challenge = s.random(8);
    return {
      remote: target.remote,
      cid: target.remoteCid,
      challenge,
      response,
      budget: target.budget,
      onSent: (now, size) => {
        target.bytesSent += size;
        target.challengePending = false;
        target.challenges.push(challenge);
        if (target.challenges.length > MAX_CHALLENGES) target.challenges.shift();
        target.challengeCount++;
        const backoff = 2 ** Math.min(target.challengeCount, 6);
        target.challengeRetryAt = now + backoff * s.rtt.pto(s.peerMaxAckDelay);
      },
    };
  }
  const r = s.pathResponses.shift();
  if (!r) return undefined;
  const path = pathTo(s, r.remote);
  // A NAT traversal client answering a probe from an address it has no validated path to challenges
  // it back in the same packet: that speeds up the traversal (noq does the same).
  const nat = s.nat;
  const challenge =
    nat && s.side === 'client' && !path && !hasValidatedPathTo(s, r.remote) ? s.random(8) : undefined;
  return {
    remote: r.remote,
    // An address that is not one of our paths is probing; we answer with the active path's CID.
    cid: (path ?? s.path).remoteCid,
    challenge,
    response: r.data,
    budget: path ? path.budget : r.budget,
    onSent: (_now, size) => {
      if (path) path.bytesSent += size;
      if (challenge) nat?.markProbeSent(r.remote, challenge);
    },
  };
}

function hasValidatedPathTo(s: ConnState, remote: string): boolean {
  for (const p of s.paths.values())
    if (!p.abandoned && p.path.validated && p.path.remote === remote) return true;
  return false;
}

/** The earliest path-validation deadline, if any (no allocation: called on every poll). */
export function nextPathTimeout(s: ConnState): number | undefined {
  const a = pathTimeout(s.path);
  const b = s.prevPath ? pathTimeout(s.prevPath) : undefined;
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function pathTimeout(p: Path): number | undefined {
  if (p.validationDeadline === undefined) return undefined;
  return p.challengeRetryAt === undefined
    ? p.validationDeadline
    : Math.min(p.challengeRetryAt, p.validationDeadline);
}

/** Runs path-validation timers: another challenge after a backoff, failure after the deadline. */
export function handlePathTimeout(s: ConnState, now: number): void {
  const active = s.path;
  const prev = s.prevPath;
  onPathTimer(s, active, now);
  if (prev) onPathTimer(s, prev, now);
}

function onPathTimer(s: ConnState, p: Path, now: number): void {
  if (p.validationDeadline === undefined) return;
  if (now >= p.validationDeadline) {
    onValidationFailed(s, p, now);
  } else if (p.challengeRetryAt !== undefined && now >= p.challengeRetryAt) {
    p.challengeRetryAt = undefined;
    p.challengePending = true;
  }
}

function onValidationFailed(s: ConnState, p: Path, now: number): void {
  stopValidation(p);
  if (p === s.prevPath) {
    // The old path is gone (the usual case after a NAT rebinding).
    s.prevPath = undefined;
    releaseRemoteCid(s, p.remoteCidSeq);
    return;
  }
  if (p.validated) return; // a re-check of the active path went unanswered; keep using it
  const prev = s.prevPath;
  if (!prev && s.mp && abandonPath(s, now, s.cur.id, PathErrorCode.NO_ERROR)) return; // other paths remain
  if (prev) {
    // The new address never answered: go back to the last validated one (RFC 9000 §9.3.2).
    s.path = prev;
    s.prevPath = undefined;
    releaseRemoteCid(s, p.remoteCidSeq);
    s.events.push({ type: 'path-changed', remote: prev.remote, validated: true });
    return;
  }
  // No validated path is left: close silently (RFC 9000 §9.3.2).
  s.startDrain(
    now,
    {
      kind: 'transport',
      errorCode: BigInt(TransportErrorCode.NO_VIABLE_PATH),
      frameType: 0,
      reason: 'path validation failed',
      remote: false,
    },
    true,
  );
}
