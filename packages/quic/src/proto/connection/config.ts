/**
 * Transport configuration of a connection, with iroh's values as defaults (shared/spec §3.2–3.3):
 * 30 s idle timeout, 5 s keep-alive, 1.25 MB stream windows, an unlimited connection window,
 * 100 streams of each kind, 64 KiB datagram frames, Cubic congestion control, 333 ms initial RTT.
 */
import { type CongestionControllerFactory, cubicFactory } from '../recovery/index.js';
import type { AddressDiscoveryRole } from '../transport-params.js';

/** Tunables of one connection. Times are milliseconds. */
export interface TransportConfig {
  /** Idle timeout we advertise; the connection uses the smaller of ours and the peer's. 0 disables. */
  readonly maxIdleTimeout: number;
  /** Send a PING when nothing was sent for this long; `undefined` disables keep-alive. */
  readonly keepAliveInterval: number | undefined;
  /** RTT assumed before the first sample. */
  readonly initialRtt: number;
  /** max_udp_payload_size we advertise. */
  readonly maxUdpPayloadSize: number;
  /** Datagram size used until path MTU discovery raises it (QUIC's minimum, 1200). */
  readonly initialMtu: number;
  /** Upper bound for path MTU discovery (iroh: 1452). */
  readonly maxMtu: number;
  /** Initial per-stream receive window. */
  readonly streamReceiveWindow: number;
  /** Largest per-stream window auto-tuning may reach. */
  readonly maxStreamReceiveWindow: number;
  /** Connection receive window (Number.MAX_SAFE_INTEGER: unlimited, as iroh). */
  readonly receiveWindow: number;
  /** Streams of each kind the peer may have open at once (initial_max_streams_*). */
  readonly maxConcurrentBidiStreams: number;
  readonly maxConcurrentUniStreams: number;
  /** Largest DATAGRAM frame we accept (0 disables datagrams). */
  readonly maxDatagramFrameSize: number;
  /** Bytes of received datagrams buffered for the application; older ones are dropped beyond it. */
  readonly datagramReceiveBufferSize: number;
  /** Bytes of datagrams queued for sending; older ones are dropped beyond it. */
  readonly datagramSendBufferSize: number;
  readonly ackDelayExponent: number;
  /**
   * Ack-eliciting 1-RTT packets received before we acknowledge at once (otherwise after max_ack_delay,
   * or at once on reordering). RFC 9000 suggests 2; fewer ACKs save much CPU in bulk transfers.
   */
  readonly ackElicitingThreshold: number;
  /** Our max_ack_delay. */
  readonly maxAckDelay: number;
  /** active_connection_id_limit we advertise: most peer CIDs we store (CONNECTION_ID_LIMIT_ERROR beyond). */
  readonly activeConnectionIdLimit: number;
  /** Most CIDs we keep issued to the peer (also bounded by its active_connection_id_limit). */
  readonly maxIssuedConnectionIds: number;
  /** Congestion controller for new paths. */
  readonly congestionController: CongestionControllerFactory;
  /** Largest CRYPTO data we buffer out of order per level (CRYPTO_BUFFER_EXCEEDED beyond). */
  readonly cryptoBufferSize: number;
  /** Received packets whose keys are not yet available, kept for later (per connection). */
  readonly maxBufferedUndecryptable: number;
  /**
   * Multipath: the largest path id we allow (initial_max_path_id; iroh: 7). `undefined` disables
   * multipath; it is used only when the peer sends initial_max_path_id too.
   */
  readonly maxPathId: number | undefined;
  /**
   * n0 NAT traversal: most candidate addresses we accept from the peer (iroh: 32). `undefined`
   * disables it; it is used only when the peer sends the parameter too and multipath is on.
   */
  readonly maxNatTraversalAddresses: number | undefined;
  /**
   * Address discovery role (observed_address): `sendOnly` for a QAD server, `receiveOnly` for a QAD
   * client; `undefined` (iroh's peer-to-peer connections) leaves it out.
   */
  readonly addressDiscovery: AddressDiscoveryRole | undefined;
  /** Multipath: a path with nothing received for this long is abandoned (iroh: 15 s). */
  readonly pathMaxIdleTimeout: number | undefined;
  /** Multipath: a PING on a path with nothing sent for this long (iroh: 5 s). */
  readonly pathKeepAliveInterval: number | undefined;
}

/** iroh's transport defaults. */
export function defaultTransportConfig(overrides: Partial<TransportConfig> = {}): TransportConfig {
  return {
    maxIdleTimeout: 30_000,
    keepAliveInterval: 5_000,
    initialRtt: 333,
    maxUdpPayloadSize: 1472,
    initialMtu: 1200,
    maxMtu: 1452,
    streamReceiveWindow: 1_250_000,
    maxStreamReceiveWindow: 16 * 1_250_000,
    receiveWindow: Number.MAX_SAFE_INTEGER,
    maxConcurrentBidiStreams: 100,
    maxConcurrentUniStreams: 100,
    maxDatagramFrameSize: 65_535,
    datagramReceiveBufferSize: 1_250_000,
    datagramSendBufferSize: 1 << 20,
    ackDelayExponent: 3,
    ackElicitingThreshold: 10,
    maxAckDelay: 25,
    activeConnectionIdLimit: 5,
    maxIssuedConnectionIds: 8,
    congestionController: cubicFactory(),
    cryptoBufferSize: 64 * 1024,
    maxBufferedUndecryptable: 16,
    maxPathId: undefined,
    maxNatTraversalAddresses: undefined,
    addressDiscovery: undefined,
    pathMaxIdleTimeout: 15_000,
    pathKeepAliveInterval: 5_000,
    ...overrides,
  };
}
