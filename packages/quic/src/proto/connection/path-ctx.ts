/**
 * Per-path state of a connection. Without multipath a connection has one (path id 0); with multipath
 * (draft-ietf-quic-multipath) each path id has its own: the network path and its validation, a 1-RTT
 * packet number space, RTT estimate, congestion controller, pacer, path MTU and loss-detection timer,
 * plus the multipath path status and lifecycle.
 *
 * The connection code works on "the current path" (`ConnState.cur`): `ConnState.path`, `.rtt`, `.cc`,
 * `spaces.application` and friends read and write the current {@link PathCtx}, and `ConnState.use()`
 * switches it. That keeps the RFC 9000 single-path code unchanged and makes it run per path.
 */

import type { CongestionController } from '../recovery/index.js';
import { type LossTimerDeadline, Pacer, RttEstimator } from '../recovery/index.js';
import type { TransportConfig } from './config.js';
import { SpaceState } from './packet-space.js';
import type { Path, PendingResponse } from './path.js';

/** A path's status as its owner tells the peer (PATH_STATUS_AVAILABLE / PATH_STATUS_BACKUP). */
export type PathStatus = 'available' | 'backup';

/** Everything one path of a connection has of its own. */
export class PathCtx {
  readonly id: number;
  path: Path;
  /** The last validated network path while the peer's new address is validated (RFC 9000 §9.3). */
  prevPath: Path | undefined;
  /** The 1-RTT packet number space of this path. */
  readonly space: SpaceState;
  rtt: RttEstimator;
  cc: CongestionController;
  pacer: Pacer;
  mtu: number;
  readonly mtuProbe = { inFlight: false, done: false };
  ptoCount = 0;
  lossTimer: LossTimerDeadline | undefined;
  lossTimerDirty = false;
  lastBuildAt = Number.NEGATIVE_INFINITY;
  /** PATH_RESPONSEs owed on this path, per address. */
  readonly pathResponses: PendingResponse[] = [];
  /** Last time an ack-eliciting packet went out on this path (path keep-alive). */
  lastSendTime: number;
  /** Last time a packet of this path authenticated (path idle timeout). */
  lastReceiveTime: number;
  /** A PING should go out on this path (keep-alive or a request). */
  pingPending = false;

  // ---- multipath ---------------------------------------------------------------------------------
  /** Our status for this path, its sequence number, and whether a PATH_STATUS frame is owed. */
  localStatus: PathStatus = 'available';
  localStatusSeq = 0;
  statusPending = false;
  /** The peer's status for this path (undefined until it sends one) and the largest sequence seen. */
  remoteStatus: PathStatus | undefined;
  remoteStatusSeq = -1;
  /** Abandoned (by us or the peer): nothing but PATH_ABANDON and ACKs goes out; drained at `discardAt`. */
  abandoned = false;
  /** Our PATH_ABANDON error code while the frame is owed. */
  abandonPending: bigint | undefined;
  abandonSent = false;
  discardAt: number | undefined;
  /** The path was reported open (validated) to the application. */
  opened = false;
  // ---- address discovery ----------------------------------------------------------------------------
  /** An OBSERVED_ADDRESS report of this path's peer address is owed; the next report's sequence. */
  observedPending = false;
  observedSeq = 0;
  /** The largest report sequence received on this path, and the address it reported. */
  observedRecvSeq = -1;
  observed: string | undefined;
  /** Path idle timeout (ms) and keep-alive interval (ms), `undefined` = none (multipath only). */
  idleTimeout: number | undefined;
  keepAliveInterval: number | undefined;

  constructor(id: number, path: Path, config: TransportConfig, now: number) {
    this.id = id;
    this.path = path;
    this.space = new SpaceState('application');
    this.rtt = new RttEstimator(config.initialRtt);
    this.mtu = config.initialMtu;
    this.cc = config.congestionController(now, this.mtu);
    this.pacer = new Pacer(this.rtt.smoothed, this.cc.window, this.mtu, now);
    this.lastSendTime = now;
    this.lastReceiveTime = now;
  }

  /** Whether this path may carry data now: validated and not abandoned. */
  get usable(): boolean {
    return this.path.validated && !this.abandoned;
  }

  /**
   * Whether the path looks alive: fewer than two probe timeouts in a row. A path that stopped
   * answering loses the data to a healthy one at once, long before its idle timeout abandons it, and
   * gets it back as soon as it answers again.
   */
  get healthy(): boolean {
    return this.ptoCount < 2;
  }
}
