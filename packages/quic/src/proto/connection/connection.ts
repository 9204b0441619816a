/**
 * A QUIC connection as a sans-IO state machine (the shape of quinn-proto's `Connection`):
 *
 * - input: `handleDatagram(now, from, bytes)` and `handleTimeout(now)`;
 * - commands: streams (open, write, finish, reset, stop, read), datagrams, close;
 * - output: `pollTransmit(now)` (datagrams to send), `pollTimeout()` (when to call `handleTimeout`)
 *   and `pollEvent()`.
 *
 * Time is always an argument (milliseconds); randomness comes from the options. Addresses are opaque
 * strings chosen by the driver (an `ip:port`, or whatever its socket layer uses).
 */
import { initialKeys } from '../../crypto/initial.js';
import type { CryptoSession, PeerIdentity } from '../../crypto/session.js';
import { StreamError } from '../streams/errors.js';
import type { Dir } from '../streams/stream-id.js';
import type { ReadResult } from '../streams/streams.js';
import type { TransportParameters } from '../transport-params.js';
import type { RandomSource } from '../transport-params-encode.js';
import { encodeTransportParameters, irohTransportParameters } from '../transport-params-encode.js';
import { type CidGenerator, rotateCids } from './cids.js';
import { defaultTransportConfig, type TransportConfig } from './config.js';
import type { CloseReason, ConnectionEvent, EndpointEvent } from './events.js';
import { abandonPath, type OpenPathError, openPath, PathErrorCode, setPathStatus } from './multipath.js';
import { startNatRound } from './nat-connection.js';
import type { NatTraversalError } from './nat-traversal.js';
import type { PathStatus } from './path-ctx.js';
import { receiveDatagram } from './receive.js';
import { ConnState } from './state.js';
import { handleTimeout, nextTimeout } from './timers.js';
import { buildDatagram, type Transmit } from './transmit.js';

/** How to create a connection. */
export interface ConnectionOptions {
  readonly side: 'client' | 'server';
  readonly now: number;
  readonly config?: Partial<TransportConfig>;
  readonly random: RandomSource;
  /** The peer's address (opaque to the connection). */
  readonly remote: string;
  /** Our connection ID (the peer's DCID for us). */
  readonly localCid: Uint8Array;
  /** Client: the random initial DCID (at least 8 bytes). Server: the client's SCID. */
  readonly remoteCid: Uint8Array;
  /** Server: the DCID of the client's first Initial. */
  readonly originalDcid?: Uint8Array;
  /** Server after a Retry: the CID the Retry gave the client (its DCID now, and our Initial keys' input). */
  readonly retrySourceCid?: Uint8Array;
  /** Server: the stateless reset token for `localCid`. */
  readonly statelessResetToken?: Uint8Array;
  /**
   * Makes the further CIDs we issue with NEW_CONNECTION_ID and their reset tokens; the endpoint keeps
   * them unique and derives the tokens from its key. Default: random CIDs of `localCid`'s length with
   * random tokens.
   */
  readonly cidGenerator?: CidGenerator;
  /** Server: the client's address was validated by a Retry or NEW_TOKEN token (no amplification limit). */
  readonly addressValidated?: boolean;
  /** Client: a token from the server's NEW_TOKEN frame, sent in our Initial packets (RFC 9000 §8.1.3). */
  readonly token?: Uint8Array;
  /** Server: a token to send the client in a NEW_TOKEN frame once the handshake completes. */
  readonly newToken?: Uint8Array;
  /** Creates the TLS session, given our encoded transport parameters. */
  readonly createCrypto: (transportParameters: Uint8Array) => CryptoSession;
  /** iroh's handshake "server migration": accept the server's first packet from any address. */
  readonly allowServerMigration?: boolean;
  /** Extra transport parameters (e.g. for tests). */
  readonly transportParameters?: Partial<TransportParameters>;
}

/** One path of a connection (see {@link Connection.pathInfo}). */
export interface PathInfo {
  readonly id: number;
  readonly remote: string;
  readonly validated: boolean;
  /** It carries application data now. */
  readonly active: boolean;
  readonly abandoned: boolean;
  readonly status: PathStatus;
  readonly remoteStatus: PathStatus | undefined;
  readonly rtt: number;
  readonly cwnd: number;
  readonly mtu: number;
  /** Bytes sent to and received from the path's current address. */
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** Counters of one connection. */
export interface ConnectionStats {
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly packetsLost: number;
  readonly bytesLost: number;
  readonly rtt: number;
  readonly cwnd: number;
  readonly mtu: number;
}

/** A QUIC connection (sans-IO). */
export class Connection {
  readonly #s: ConnState;

  constructor(opts: ConnectionOptions) {
    const config = defaultTransportConfig(opts.config);
    const originalDcid = opts.side === 'client' ? opts.remoteCid : (opts.originalDcid ?? opts.remoteCid);
    const params = irohTransportParameters(opts.localCid, {
      maxIdleTimeout: config.maxIdleTimeout,
      maxUdpPayloadSize: config.maxUdpPayloadSize,
      initialMaxData: config.receiveWindow,
      initialMaxStreamDataBidiLocal: config.streamReceiveWindow,
      initialMaxStreamDataBidiRemote: config.streamReceiveWindow,
      initialMaxStreamDataUni: config.streamReceiveWindow,
      initialMaxStreamsBidi: config.maxConcurrentBidiStreams,
      initialMaxStreamsUni: config.maxConcurrentUniStreams,
      activeConnectionIdLimit: config.activeConnectionIdLimit,
      maxDatagramFrameSize: config.maxDatagramFrameSize > 0 ? config.maxDatagramFrameSize : undefined,
      ...(config.maxPathId !== undefined ? { initialMaxPathId: config.maxPathId } : {}),
      ...(config.addressDiscovery !== undefined ? { addressDiscovery: config.addressDiscovery } : {}),
      ...(config.maxNatTraversalAddresses !== undefined
        ? { maxRemoteNatTraversalAddresses: config.maxNatTraversalAddresses }
        : {}),
      ...(opts.side === 'server'
        ? {
            originalDestinationConnectionId: originalDcid,
            statelessResetToken: opts.statelessResetToken,
            retrySourceConnectionId: opts.retrySourceCid,
          }
        : {}),
      ...opts.transportParameters,
    });
    const tp = encodeTransportParameters(params, { random: opts.random });
    const random = opts.random;
    const cidLength = opts.localCid.length;
    this.#s = new ConnState({
      side: opts.side,
      config,
      random: opts.random,
      crypto: opts.createCrypto(tp),
      localCid: opts.localCid.slice(),
      remoteCid: opts.remoteCid.slice(),
      originalDcid: originalDcid.slice(),
      remote: opts.remote,
      now: opts.now,
      allowServerMigration: opts.allowServerMigration ?? false,
      addressValidated: opts.addressValidated ?? false,
      statelessResetToken: opts.statelessResetToken,
      generateCid: opts.cidGenerator ?? (() => ({ cid: random(cidLength), resetToken: random(16) })),
    });
    const s = this.#s;
    if (opts.side === 'client' && opts.token && opts.token.length > 0) s.initialToken = opts.token.slice();
    if (opts.side === 'server' && opts.newToken) s.newToken = opts.newToken;
    // Both sides derive Initial keys from the client's current DCID: its first one, or after a Retry
    // the CID the Retry gave it.
    installInitialKeys(s, opts.retrySourceCid ?? originalDcid);
    s.idleDeadline = s.idleTimeout > 0 ? opts.now + s.idleTimeout : undefined;
    s.lastSendTime = opts.now;
    s.drainCrypto(opts.now);
  }

  // ---- I/O ----------------------------------------------------------------------------------

  /** Feeds a UDP datagram received from `from`. */
  handleDatagram(now: number, from: string, data: Uint8Array): void {
    receiveDatagram(this.#s, now, from, data);
  }

  /** Runs timers that expired at `now`. */
  handleTimeout(now: number): void {
    handleTimeout(this.#s, now);
  }

  /** The next datagram to send, if any. Call until it returns `undefined`. */
  pollTransmit(now: number): Transmit | undefined {
    return buildDatagram(this.#s, now);
  }

  /** When to call {@link handleTimeout} next. */
  pollTimeout(now: number): number | undefined {
    return nextTimeout(this.#s, now);
  }

  /** The next event, if any. */
  pollEvent(): ConnectionEvent | undefined {
    return this.#s.events.shift();
  }

  /**
   * The next event for the endpoint (connection IDs to route, reset tokens, NEW_TOKEN tokens). The
   * {@link Endpoint} polls these after every datagram it routes here; a connection driven without an
   * endpoint may discard them.
   */
  pollEndpointEvent(): EndpointEvent | undefined {
    const q = this.#s.endpointEvents;
    return q.length > 0 ? q.shift() : undefined;
  }

  // ---- state --------------------------------------------------------------------------------

  get side(): 'client' | 'server' {
    return this.#s.side;
  }

  /** True while the handshake runs. */
  get isHandshaking(): boolean {
    return !this.#s.handshakeComplete && !this.#s.isClosed;
  }

  /** True once closing, draining or drained. */
  get isClosed(): boolean {
    return this.#s.isClosed;
  }

  /** True when the connection can be forgotten. */
  get isDrained(): boolean {
    return this.#s.phase === 'drained';
  }

  get closeReason(): CloseReason | undefined {
    return this.#s.closeReason;
  }

  /** The negotiated ALPN. */
  alpn(): Uint8Array | undefined {
    return this.#s.crypto.alpn();
  }

  /** The peer's authenticated identity. */
  peerIdentity(): PeerIdentity | undefined {
    return this.#s.crypto.peerIdentity();
  }

  /** Where datagrams currently go. */
  get remoteAddress(): string {
    return this.#s.path.remote;
  }

  // ---- multipath ----------------------------------------------------------------------------

  /** Whether both sides negotiated multipath (draft-ietf-quic-multipath). */
  get multipath(): boolean {
    return this.#s.mp !== undefined;
  }

  /**
   * Client with multipath: opens a path to `remote` (validated with a PATH_CHALLENGE; a `path-opened`
   * event follows when it answers). Returns the path id, or why no path can be opened.
   */
  openPath(now: number, remote: string, status: PathStatus = 'available'): number | OpenPathError {
    const r = openPath(this.#s, now, remote, status);
    this.#s.use(this.#s.active);
    return r;
  }

  /** Abandons path `id` (PATH_ABANDON); false for an unknown path or the last open one. */
  closePath(now: number, id: number, errorCode: bigint = PathErrorCode.APPLICATION_ABANDON): boolean {
    const r = abandonPath(this.#s, now, id, errorCode);
    this.#s.use(this.#s.active);
    return r;
  }

  /** Sets our status of path `id` (PATH_STATUS_AVAILABLE / PATH_STATUS_BACKUP); false for an unknown path. */
  setPathStatus(id: number, status: PathStatus): boolean {
    const r = setPathStatus(this.#s, id, status);
    this.#s.use(this.#s.active);
    return r;
  }

  /** Sets path `id`'s idle timeout and keep-alive interval (ms, `undefined` = none). */
  setPathTimers(id: number, idleTimeout: number | undefined, keepAliveInterval: number | undefined): boolean {
    const ctx = this.#s.paths.get(id);
    if (!ctx) return false;
    ctx.idleTimeout = idleTimeout;
    ctx.keepAliveInterval = keepAliveInterval;
    return true;
  }

  // ---- n0 NAT traversal -----------------------------------------------------------------------

  /** Whether both sides negotiated the n0 NAT traversal extension (it needs multipath). */
  get natTraversal(): boolean {
    return this.#s.nat !== undefined;
  }

  /** Adds one of our candidate addresses (`ip:port`): announced (server) or sent in REACH_OUT (client). */
  addNatTraversalAddress(addr: string): NatTraversalError | undefined {
    return this.#s.nat ? this.#s.nat.addLocal(addr) : 'ExtensionNotNegotiated';
  }

  /** Removes one of our candidate addresses. */
  removeNatTraversalAddress(addr: string): void {
    this.#s.nat?.removeLocal(addr);
  }

  /** Our candidate addresses. */
  localNatTraversalAddresses(): string[] {
    return [...(this.#s.nat?.local.keys() ?? [])];
  }

  /** Client: the server's candidate addresses it announced. */
  remoteNatTraversalAddresses(): string[] {
    return this.#s.nat?.remoteAddresses() ?? [];
  }

  /**
   * Client: starts a NAT traversal round: REACH_OUT for each of our candidates and probes to each of
   * the server's. A path opens to every address whose probe is answered. Returns the probed
   * addresses, or why no round could start.
   */
  initiateNatTraversalRound(now: number): string[] | NatTraversalError {
    const r = startNatRound(this.#s, now);
    this.#s.use(this.#s.active);
    return r;
  }

  /** Address discovery: the address the peer last reported seeing us at (on the active path). */
  get observedAddress(): string | undefined {
    return this.#s.active.observed;
  }

  /** Every path this connection has (one without multipath). */
  pathInfo(): PathInfo[] {
    const s = this.#s;
    return [...s.paths.values()].map((p) => ({
      id: p.id,
      remote: p.path.remote,
      validated: p.path.validated,
      active: p === s.active,
      abandoned: p.abandoned,
      status: p.localStatus,
      remoteStatus: p.remoteStatus,
      rtt: p.rtt.smoothed,
      cwnd: p.cc.window,
      mtu: p.mtu,
      bytesSent: p.path.bytesSent,
      bytesReceived: p.path.bytesReceived,
    }));
  }

  /** Whether the peer's current address is validated (RFC 9000 §8). */
  get remoteAddressValidated(): boolean {
    return this.#s.path.validated;
  }

  /** Our connection ID of the handshake (sequence 0). */
  get localCid(): Uint8Array {
    return this.#s.localCid;
  }

  /** Our CIDs the peer may currently use, by sequence number. */
  get localCids(): readonly Uint8Array[] {
    return this.#s.cids.local.map((c) => c.cid);
  }

  /** The peer's CIDs we hold (active, not retired), and the one the active path uses. */
  get remoteCids(): { readonly all: readonly Uint8Array[]; readonly current: Uint8Array } {
    return { all: this.#s.cids.remote.map((c) => c.cid), current: this.#s.path.remoteCid };
  }

  /** TLS exporter (RFC 8446 §7.5). */
  exportKeyingMaterial(label: Uint8Array, context: Uint8Array, length: number): Uint8Array {
    return this.#s.crypto.exportKeyingMaterial(label, context, length);
  }

  stats(): ConnectionStats {
    const s = this.#s;
    return {
      ...s.stats,
      bytesSent: s.bytesSent,
      bytesReceived: s.bytesReceived,
      rtt: s.rtt.smoothed,
      cwnd: s.cc.window,
      mtu: s.mtu,
    };
  }

  /** The smoothed RTT (ms). */
  get rtt(): number {
    return this.#s.rtt.smoothed;
  }

  // ---- streams ------------------------------------------------------------------------------

  /** Opens a stream; `undefined` when the peer's stream limit is reached (retry after a MAX_STREAMS). */
  openStream(dir: Dir): number | undefined {
    this.assertOpen();
    return this.#s.streams.open(dir);
  }

  /** Takes a stream the peer opened. */
  acceptStream(dir: Dir): number | undefined {
    return this.#s.streams.accept(dir);
  }

  /** Queues data; returns how many bytes were taken (flow control may take fewer). */
  write(id: number, data: Uint8Array): number {
    this.assertOpen();
    return this.#s.streams.write(id, data);
  }

  finish(id: number): void {
    this.assertOpen();
    this.#s.streams.finish(id);
  }

  resetStream(id: number, errorCode: bigint): void {
    this.#s.streams.reset(id, errorCode);
  }

  stopSending(id: number, errorCode: bigint): void {
    this.#s.streams.stop(id, errorCode);
  }

  read(id: number, max?: number): ReadResult {
    return this.#s.streams.read(id, max);
  }

  /** Bytes that may be written to `id` now. */
  /** See `Streams.sendOutcome`: the STOP_SENDING code, `null` when all was acknowledged, or `undefined`. */
  sendOutcome(id: number): bigint | null | undefined {
    return this.#s.streams.sendOutcome(id);
  }

  writable(id: number): number {
    return this.#s.streams.writable(id);
  }

  // ---- datagrams ----------------------------------------------------------------------------

  /** The largest datagram the peer accepts, or `undefined` when it does not support datagrams. */
  maxDatagramSize(): number | undefined {
    const max = this.#s.peerParams?.maxDatagramFrameSize;
    if (max === undefined || max === 0) return undefined;
    // Fits one 1-RTT packet at the current MTU: header (1 + CID + 4) + tag (16) + frame header (3).
    return Math.min(max - 3, this.#s.mtu - 1 - this.#s.path.remoteCid.length - 4 - 16 - 3);
  }

  /** Queues an unreliable datagram; the oldest queued ones are dropped when the buffer is full. */
  sendDatagram(data: Uint8Array): void {
    this.assertOpen();
    const max = this.maxDatagramSize();
    if (max === undefined) throw new StreamError('NotWritable', 'the peer does not accept datagrams');
    if (data.length > max)
      throw new StreamError('NotWritable', `datagram of ${data.length} bytes exceeds ${max}`);
    const s = this.#s;
    s.datagramsOut.push(data.slice());
    s.datagramsOutBytes += data.length;
    while (s.datagramsOutBytes > s.config.datagramSendBufferSize && s.datagramsOut.length > 1) {
      s.datagramsOutBytes -= s.datagramsOut.shift()!.length;
    }
  }

  /** Takes the next received datagram. */
  readDatagram(): Uint8Array | undefined {
    const d = this.#s.datagramsIn.shift();
    if (d) this.#s.datagramsInBytes -= d.length;
    return d;
  }

  // ---- connection IDs ------------------------------------------------------------------------

  /**
   * Issues a fresh set of connection IDs and asks the peer to retire all older ones (Retire Prior To,
   * RFC 9000 §5.1.2), e.g. to make the connection harder to follow. False before the handshake is
   * confirmed or with zero-length CIDs.
   */
  rotateConnectionIds(): boolean {
    return rotateCids(this.#s);
  }

  // ---- key update ---------------------------------------------------------------------------

  /**
   * Starts a 1-RTT key update (RFC 9001 §6). Returns false when not possible yet: before the handshake
   * is confirmed, or while the peer has not acknowledged a packet of the current key phase.
   */
  initiateKeyUpdate(): boolean {
    const s = this.#s;
    if (!s.handshakeConfirmed || !s.oneRtt) return false;
    if (!s.oneRtt.initiate(s.spaces.application.sent.largestAcked)) return false;
    s.syncOneRttKeys();
    return true;
  }

  /** Number of 1-RTT key updates so far (either side's). */
  get keyUpdates(): number {
    return this.#s.oneRtt?.updates ?? 0;
  }

  // ---- closing ------------------------------------------------------------------------------

  /** Closes with an application error code and reason (CONNECTION_CLOSE 0x1d). */
  close(now: number, errorCode: bigint, reason: Uint8Array = new Uint8Array(0)): void {
    this.#s.startClose(
      now,
      { errorCode, frameType: 0, reason: reason.slice(0, 1000), app: true },
      {
        kind: 'application',
        errorCode,
        reason: reason.slice(),
        remote: false,
      },
    );
  }

  private assertOpen(): void {
    if (this.#s.isClosed) throw new StreamError('ClosedStream', 'the connection is closed');
  }
}

function installInitialKeys(s: ConnState, dcid: Uint8Array): void {
  const keys = initialKeys(dcid, s.side);
  s.spaces.initial.localKeys = keys.local;
  s.spaces.initial.remoteKeys = keys.remote;
}
