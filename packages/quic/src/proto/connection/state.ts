/**
 * The mutable state of one connection, shared by the receive path (`receive.ts`), the transmit path
 * (`transmit.ts`) and the timers, plus the operations they share: key installation, transport
 * parameters, ACK processing and loss recovery, and closing.
 */

import { equalBytes } from '@iroh-ts/base';
import { packetKeys } from '../../crypto/packet-protection.js';
import type { CryptoSession, EncryptionLevel, SecretsEvent } from '../../crypto/session.js';
import { quicKeys } from '../../crypto/tls/key-schedule.js';
import { Writer } from '../coding.js';
import type { AckFrame } from '../frame.js';
import {
  type CongestionController,
  inPersistentCongestion,
  irohMaxPtoInterval,
  type LossTimerDeadline,
  lossDetectionTimer,
  type Pacer,
  type PacketSpace,
  persistentCongestionDuration,
  type RttEstimator,
} from '../recovery/index.js';
import { Streams } from '../streams/streams.js';
import { TransportError } from '../transport-error.js';
import { decodeTransportParameters, type TransportParameters } from '../transport-params.js';
import { negotiateAddressDiscovery } from './address-discovery.js';
import { type CidGenerator, CidState, initRemoteCids, issueCids } from './cids.js';
import type { TransportConfig } from './config.js';
import type { CloseReason, ConnectionEvent, EndpointEvent } from './events.js';
import { OneRttKeys } from './key-update.js';
import { chooseActive, issuePathCids, type MultipathState, negotiateMultipath } from './multipath.js';
import { negotiateNatTraversal } from './nat-connection.js';
import type { NatTraversal } from './nat-traversal.js';
import { SpaceState } from './packet-space.js';
import { Path, type PendingResponse } from './path.js';
import { PathCtx } from './path-ctx.js';
import type { SentItem } from './sent-record.js';

/** Lifecycle of a connection (RFC 9000 §10). */
export type Phase = 'handshake' | 'established' | 'closing' | 'draining' | 'drained';

const LEVEL_SPACE: Record<EncryptionLevel, PacketSpace | undefined> = {
  initial: 'initial',
  handshake: 'handshake',
  'zero-rtt': undefined,
  'one-rtt': 'application',
};

/** Everything a connection knows. */
export class ConnState {
  readonly side: 'client' | 'server';
  readonly config: TransportConfig;
  readonly random: (n: number) => Uint8Array;
  phase: Phase = 'handshake';
  readonly spaces: Record<PacketSpace, SpaceState>;
  readonly crypto: CryptoSession;
  /** The CID the peer addresses us by during the handshake (sequence 0). */
  readonly localCid: Uint8Array;
  /** Our CIDs and the peer's (RFC 9000 §5.1). */
  readonly cids: CidState;
  /** The client's first DCID. */
  readonly originalDcid: Uint8Array;
  /** Per-path state, by path id (path 0 is the handshake's). */
  readonly paths = new Map<number, PathCtx>();
  /** The path the connection code is working on (see `path-ctx.ts`). */
  cur: PathCtx;
  /** The path that carries application data (the best usable one). */
  active: PathCtx;
  /** Multipath state once negotiated (draft-ietf-quic-multipath). */
  mp: MultipathState | undefined;
  /** n0 NAT traversal once negotiated. */
  nat: NatTraversal | undefined;
  /** Address discovery: we send OBSERVED_ADDRESS reports / we accept the peer's. */
  adReport = false;
  adReceive = false;
  readonly allowServerMigration: boolean;
  /** Client: whether a server packet has been processed (locks the server's CID and address). */
  serverSeen = false;
  /** Client: the token every Initial carries (from a NEW_TOKEN, replaced by a Retry's). */
  initialToken: Uint8Array | undefined;
  /** Server: a NEW_TOKEN token to give the client once the handshake is confirmed (RFC 9000 §8.1.3). */
  newToken: Uint8Array | undefined;
  newTokenPending = false;
  /** Client: the server's SCID from a Retry, which its transport parameters must repeat. */
  retrySourceCid: Uint8Array | undefined;
  handshakeComplete = false;
  handshakeConfirmed = false;
  handshakeDonePending = false;
  peerParams: TransportParameters | undefined;
  idleTimeout: number;
  idleDeadline: number | undefined;
  /** An ack-eliciting packet went out since the peer was last heard (RFC 9000 §10.1). */
  elicitingSinceReceive = false;
  lastSendTime = 0;
  /** Bytes received and sent on all paths. */
  bytesReceived = 0;
  bytesSent = 0;
  streams: Streams;
  readonly events: ConnectionEvent[] = [];
  readonly endpointEvents: EndpointEvent[] = [];
  closeReason: CloseReason | undefined;
  /** The CONNECTION_CLOSE we send while closing. */
  closeFrame: { errorCode: bigint; frameType: number; reason: Uint8Array; app: boolean } | undefined;
  closeSendPending = false;
  drainDeadline: number | undefined;
  pingPending = false;
  readonly datagramsIn: Uint8Array[] = [];
  datagramsInBytes = 0;
  readonly datagramsOut: Uint8Array[] = [];
  datagramsOutBytes = 0;
  readonly undecryptable: { space: PacketSpace; data: Uint8Array; from: string }[] = [];
  /** 1-RTT keys across key phases, once both directions' secrets are known. */
  oneRtt: OneRttKeys | undefined;
  private oneRttSecrets: { read?: Uint8Array; write?: Uint8Array } = {};
  /** Reused buffers for building packets: one per coalesced packet, and one for headers. */
  readonly scratch = {
    payloads: [new Writer(1500), new Writer(1500), new Writer(1500)],
    header: new Writer(64),
  };
  readonly stats = {
    packetsSent: 0,
    packetsReceived: 0,
    packetsLost: 0,
    bytesLost: 0,
  };

  constructor(opts: {
    side: 'client' | 'server';
    config: TransportConfig;
    random: (n: number) => Uint8Array;
    crypto: CryptoSession;
    localCid: Uint8Array;
    remoteCid: Uint8Array;
    originalDcid: Uint8Array;
    remote: string;
    now: number;
    allowServerMigration: boolean;
    /** Server: the client's address is already validated (by a Retry or NEW_TOKEN token). */
    addressValidated: boolean;
    statelessResetToken: Uint8Array | undefined;
    generateCid: CidGenerator;
  }) {
    this.side = opts.side;
    this.config = opts.config;
    this.random = opts.random;
    this.crypto = opts.crypto;
    this.localCid = opts.localCid;
    this.cids = new CidState(opts.localCid, opts.statelessResetToken, opts.generateCid);
    this.originalDcid = opts.originalDcid;
    // A client chose the server's address; a server validates the client's (RFC 9000 §8.1).
    const path0 = new Path(opts.remote, opts.remoteCid, 0, opts.side === 'client' || opts.addressValidated);
    const ctx = new PathCtx(0, path0, opts.config, opts.now);
    this.paths.set(0, ctx);
    this.cur = ctx;
    this.active = ctx;
    this.allowServerMigration = opts.allowServerMigration;
    this.spaces = {
      initial: new SpaceState('initial'),
      handshake: new SpaceState('handshake'),
      application: ctx.space,
    };
    this.idleTimeout = opts.config.maxIdleTimeout;
    const c = opts.config;
    this.streams = new Streams(
      opts.side,
      {
        maxBidi: c.maxConcurrentBidiStreams,
        maxUni: c.maxConcurrentUniStreams,
        streamWindow: c.streamReceiveWindow,
        maxStreamWindow: c.maxStreamReceiveWindow,
        connectionWindow: c.receiveWindow,
        maxConnectionWindow: c.receiveWindow,
      },
      { maxBidi: 0, maxUni: 0, bidiLocal: 0, bidiRemote: 0, uni: 0, maxData: 0 },
    );
  }

  // ---- the current path (see path-ctx.ts) ------------------------------------------------------

  /** Makes `ctx` the current path: `path`, `rtt`, `cc`, `spaces.application`, … are now its. */
  use(ctx: PathCtx): void {
    this.cur = ctx;
    this.spaces.application = ctx.space;
    // 1-RTT keys are the connection's; every path's space uses the current phase's.
    const k = this.oneRtt;
    if (k && ctx.space.localKeys !== k.write.keys && !ctx.space.discarded) {
      ctx.space.localKeys = k.write.keys;
      ctx.space.remoteKeys = k.read.keys;
    }
  }

  get path(): Path {
    return this.cur.path;
  }
  set path(p: Path) {
    this.cur.path = p;
  }
  get prevPath(): Path | undefined {
    return this.cur.prevPath;
  }
  set prevPath(p: Path | undefined) {
    this.cur.prevPath = p;
  }
  get rtt(): RttEstimator {
    return this.cur.rtt;
  }
  set rtt(r: RttEstimator) {
    this.cur.rtt = r;
  }
  get cc(): CongestionController {
    return this.cur.cc;
  }
  set cc(c: CongestionController) {
    this.cur.cc = c;
  }
  get pacer(): Pacer {
    return this.cur.pacer;
  }
  set pacer(p: Pacer) {
    this.cur.pacer = p;
  }
  get mtu(): number {
    return this.cur.mtu;
  }
  set mtu(m: number) {
    this.cur.mtu = m;
  }
  get mtuProbe(): { inFlight: boolean; done: boolean } {
    return this.cur.mtuProbe;
  }
  get ptoCount(): number {
    return this.cur.ptoCount;
  }
  set ptoCount(n: number) {
    this.cur.ptoCount = n;
  }
  get lossTimer(): LossTimerDeadline | undefined {
    return this.cur.lossTimer;
  }
  set lossTimer(t: LossTimerDeadline | undefined) {
    this.cur.lossTimer = t;
  }
  /** Set when sends or ACKs may have moved the loss timer; it is recomputed when next needed. */
  get lossTimerDirty(): boolean {
    return this.cur.lossTimerDirty;
  }
  set lossTimerDirty(d: boolean) {
    this.cur.lossTimerDirty = d;
  }
  /** When the last datagram with regular packets was built (orders the MTU probe after them). */
  get lastBuildAt(): number {
    return this.cur.lastBuildAt;
  }
  set lastBuildAt(t: number) {
    this.cur.lastBuildAt = t;
  }
  /** PATH_RESPONSEs owed on the current path, per address. */
  get pathResponses(): PendingResponse[] {
    return this.cur.pathResponses;
  }

  /** The peer's max_ack_delay (ms), 25 until known. */
  get peerMaxAckDelay(): number {
    return this.peerParams?.maxAckDelay ?? 25;
  }

  get isClosed(): boolean {
    return this.phase === 'closing' || this.phase === 'draining' || this.phase === 'drained';
  }

  // ---- crypto -----------------------------------------------------------------------------------

  /** Applies everything the TLS session produced since the last call. */
  drainCrypto(now: number): void {
    for (let ev = this.crypto.poll(); ev; ev = this.crypto.poll()) {
      if (ev.type === 'handshake-data') {
        const space = LEVEL_SPACE[ev.level];
        if (space) this.spaces[space].cryptoSend.write(ev.data);
      } else if (ev.type === 'secrets') {
        this.installSecrets(ev);
      } else {
        this.onHandshakeComplete(now);
      }
    }
    if (!this.peerParams) {
      const tp = this.crypto.peerTransportParameters();
      if (tp) this.applyPeerParams(tp);
    }
  }

  private installSecrets(ev: SecretsEvent): void {
    const space = LEVEL_SPACE[ev.level];
    if (!space) return;
    const s = this.spaces[space];
    const make = (secret: Uint8Array) => {
      const k = quicKeys(ev.suite.hash, secret, ev.suite.keyLength);
      return packetKeys(ev.suite.aead, k.key, k.iv, k.hp);
    };
    if (ev.write) s.localKeys = make(ev.write);
    if (ev.read) s.remoteKeys = make(ev.read);
    if (space === 'application') {
      if (ev.write) this.oneRttSecrets.write = ev.write;
      if (ev.read) this.oneRttSecrets.read = ev.read;
      const { read, write } = this.oneRttSecrets;
      if (read && write && !this.oneRtt) {
        this.oneRtt = new OneRttKeys(
          ev.suite,
          { secret: read, keys: s.remoteKeys! },
          { secret: write, keys: s.localKeys! },
        );
        this.oneRttSecrets = {};
      }
    }
  }

  /** Points the application space at the current phase's keys (after a key update). */
  syncOneRttKeys(): void {
    if (!this.oneRtt) return;
    this.spaces.application.localKeys = this.oneRtt.write.keys;
    this.spaces.application.remoteKeys = this.oneRtt.read.keys;
  }

  private onHandshakeComplete(now: number): void {
    if (this.handshakeComplete) return;
    this.handshakeComplete = true;
    if (this.phase === 'handshake') this.phase = 'established';
    this.events.push({
      type: 'handshake-complete',
      alpn: this.crypto.alpn(),
      peer: this.crypto.peerIdentity(),
    });
    if (this.side === 'server') {
      // The server's handshake is confirmed when it completes (RFC 9001 §4.1.2).
      this.handshakeDonePending = true;
      this.confirmHandshake(now);
    }
  }

  /** Handshake confirmed: Handshake keys are discarded (RFC 9001 §4.9.2). */
  confirmHandshake(_now: number): void {
    if (this.handshakeConfirmed) return;
    this.handshakeConfirmed = true;
    this.discardSpace('handshake');
    this.events.push({ type: 'handshake-confirmed' });
    issueCids(this);
    issuePathCids(this);
    // A server's NEW_TOKEN goes in 1-RTT once the handshake is confirmed (RFC 9000 §8.1.3).
    if (this.newToken) this.newTokenPending = true;
  }

  /** Forgets a space's keys and in-flight packets. */
  discardSpace(space: PacketSpace): void {
    const s = this.spaces[space];
    if (s.discarded) return;
    s.discard();
    this.ptoCount = 0;
  }

  private applyPeerParams(bytes: Uint8Array): void {
    const tp = decodeTransportParameters(bytes, this.side === 'client' ? 'server' : 'client');
    // Authenticate the connection IDs (RFC 9000 §7.3).
    const eq = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && equalBytes(a, b);
    if (!eq(tp.initialSourceConnectionId, this.path.remoteCid)) {
      throw TransportError.transportParameter('initial_source_connection_id does not match');
    }
    if (this.side === 'client' && !eq(tp.originalDestinationConnectionId, this.originalDcid)) {
      throw TransportError.transportParameter('original_destination_connection_id does not match');
    }
    if (this.side === 'client') {
      // After a Retry the server must name the Retry's SCID; without one it must not (RFC 9000 §7.3).
      const retried = this.retrySourceCid;
      if (retried ? !eq(tp.retrySourceConnectionId, retried) : tp.retrySourceConnectionId !== undefined) {
        throw TransportError.transportParameter('retry_source_connection_id does not match');
      }
    }
    this.peerParams = tp;
    initRemoteCids(this, tp.statelessResetToken);
    negotiateMultipath(this, tp.initialMaxPathId);
    negotiateNatTraversal(this, tp.maxRemoteNatTraversalAddresses);
    negotiateAddressDiscovery(this, tp.addressDiscovery);
    if (this.mp) {
      const p0 = this.paths.get(0)!;
      p0.idleTimeout = this.config.pathMaxIdleTimeout;
      p0.keepAliveInterval = this.config.pathKeepAliveInterval;
    }
    const peerIdle = tp.maxIdleTimeout;
    const ours = this.config.maxIdleTimeout;
    this.idleTimeout = peerIdle === 0 ? ours : ours === 0 ? peerIdle : Math.min(ours, peerIdle);
    this.streams.setPeerLimits({
      maxBidi: tp.initialMaxStreamsBidi,
      maxUni: tp.initialMaxStreamsUni,
      bidiLocal: tp.initialMaxStreamDataBidiLocal,
      bidiRemote: tp.initialMaxStreamDataBidiRemote,
      uni: tp.initialMaxStreamDataUni,
      maxData: tp.initialMaxData,
    });
  }

  // ---- acknowledgements and loss ----------------------------------------------------------------

  /** Processes an ACK frame received in `space` (RFC 9002 §5–6). */
  onAck(
    space: PacketSpace,
    ack: AckFrame,
    now: number,
    onAcked: (item: SentItem) => void,
    onLost: (item: SentItem) => void,
  ): void {
    const s = this.spaces[space];
    const largest = ack.ranges.max()!;
    if (s.sent.largestSent === undefined || largest > s.sent.largestSent) {
      throw TransportError.protocolViolation(`ACK of unsent packet ${largest}`, 0x02);
    }
    const ranges: [number, number][] = [];
    for (let i = ack.ranges.size - 1; i >= 0; i--) ranges.push([ack.ranges.start(i), ack.ranges.end(i) - 1]);
    const result = s.sent.onAck(ranges);
    if (result.acked.length === 0) return;
    const newest = result.largestNewlyAcked;
    if (newest && newest.pn === largest && result.ackElicitingAcked) {
      const ackDelay =
        space === 'application' ? (ack.ackDelay * 2 ** (this.peerParams?.ackDelayExponent ?? 3)) / 1000 : 0;
      this.rtt.update(now - newest.timeSent, ackDelay, this.handshakeConfirmed, this.peerMaxAckDelay);
      s.firstRttSampleTime ??= now;
    }
    for (const p of result.acked) {
      for (const item of p.payload) onAcked(item);
      if (p.inFlight) this.cc.onAck(now, p.timeSent, p.size, false, this.rtt);
    }
    // Path 0 only: the peer answered the server address we chose. New paths need a PATH_RESPONSE.
    if (this.side === 'client' && space !== 'initial' && this.cur.id === 0) this.path.validated = true;
    // A client keeps probing until the server has validated its address (RFC 9002 §6.2.1).
    if (!(this.side === 'client' && space === 'initial' && !this.handshakeComplete)) {
      const wasUnhealthy = !this.cur.healthy;
      this.ptoCount = 0;
      if (wasUnhealthy && this.mp) chooseActive(this); // it answers again: it may carry data again
    }
    this.detectLost(space, now, onLost);
  }

  /** Declares lost packets in `space` and informs congestion control. */
  detectLost(space: PacketSpace, now: number, onLost: (item: SentItem) => void): void {
    const s = this.spaces[space];
    const loss = s.sent.detectLost(now, this.rtt);
    if (loss.lost.length === 0) return;
    this.stats.packetsLost += loss.lost.length;
    this.stats.bytesLost += loss.lostBytes;
    let lastSent = 0;
    for (const p of loss.lost) {
      for (const item of p.payload) onLost(item);
      if (p.inFlight) lastSent = Math.max(lastSent, p.timeSent);
    }
    if (loss.lostBytes > 0) {
      const duration = persistentCongestionDuration(this.rtt, this.peerMaxAckDelay);
      const persistent = inPersistentCongestion(loss.lost, loss.runStarts, duration, s.firstRttSampleTime);
      this.cc.onCongestionEvent(now, lastSent, persistent, loss.lostBytes);
    }
  }

  /** The loss-detection/PTO timer, recomputed if something changed since it was last computed. */
  currentLossTimer(now: number): LossTimerDeadline | undefined {
    if (this.lossTimerDirty) this.updateLossTimer(now);
    return this.lossTimer;
  }

  /** Recomputes the loss-detection/PTO timer (RFC 9002 §6.2.1). */
  updateLossTimer(now: number): void {
    this.lossTimerDirty = false;
    const lossTimes: Partial<Record<PacketSpace, number>> = {};
    const spaces: Partial<
      Record<PacketSpace, { ackElicitingInFlight: number; timeOfLastAckEliciting: number | undefined }>
    > = {};
    for (const id of ['initial', 'handshake', 'application'] as const) {
      const s = this.spaces[id];
      if (s.discarded) continue;
      if (s.sent.lossTime !== undefined) lossTimes[id] = s.sent.lossTime;
      spaces[id] = {
        ackElicitingInFlight: s.sent.ackElicitingInFlight,
        timeOfLastAckEliciting: s.sent.timeOfLastAckEliciting,
      };
    }
    this.lossTimer = lossDetectionTimer(now, {
      rtt: this.rtt,
      ptoCount: this.ptoCount,
      maxAckDelay: this.peerMaxAckDelay,
      handshakeConfirmed: this.handshakeConfirmed,
      peerCompletedAddressValidation: this.side === 'server' || this.path.validated,
      hasHandshakeKeys: this.spaces.handshake.localKeys !== undefined,
      spaces,
      lossTimes,
      amplificationBlocked: this.path.budget <= 0,
      maxInterval: irohMaxPtoInterval(this.rtt.smoothed, this.idleTimeout || undefined),
    });
  }

  // ---- closing ----------------------------------------------------------------------------------

  /** Starts closing: we send CONNECTION_CLOSE and wait three PTOs (RFC 9000 §10.2). */
  startClose(
    now: number,
    close: { errorCode: bigint; frameType: number; reason: Uint8Array; app: boolean },
    reason: CloseReason,
  ): void {
    if (this.isClosed) return;
    this.phase = 'closing';
    this.closeFrame = close;
    this.closeSendPending = true;
    this.closeReason = reason;
    this.drainDeadline = now + 3 * this.rtt.pto(this.peerMaxAckDelay);
    this.events.push({ type: 'closed', reason });
  }

  /** Enters draining: the peer closed, or the idle timer fired. */
  startDrain(now: number, reason: CloseReason, silent: boolean): void {
    if (this.phase === 'draining' || this.phase === 'drained') return;
    const wasClosing = this.phase === 'closing';
    this.phase = silent ? 'drained' : 'draining';
    this.closeSendPending = false;
    if (!wasClosing) {
      this.closeReason = reason;
      this.events.push({ type: 'closed', reason });
    }
    if (silent) this.events.push({ type: 'drained' });
    else this.drainDeadline = now + 3 * this.rtt.pto(this.peerMaxAckDelay);
  }

  /** Closes because of a local transport error. */
  failWith(now: number, err: TransportError): void {
    const reason = new TextEncoder().encode(err.reason ?? err.message).subarray(0, 200);
    this.startClose(
      now,
      { errorCode: BigInt(err.errorCode), frameType: err.frameType ?? 0, reason, app: false },
      {
        kind: 'transport',
        errorCode: BigInt(err.errorCode),
        frameType: err.frameType ?? 0,
        reason: err.message,
        remote: false,
      },
    );
  }
}
