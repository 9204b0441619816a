/**
 * An iroh connection: a QUIC connection to an authenticated remote endpoint, with iroh's surface
 * (`remoteId`, `alpn`, `paths`, …) over `@iroh-ts/quic`'s streams and datagrams.
 */
import type { PublicKey } from '@iroh-ts/base';
import type {
  BiStream,
  CloseReason,
  PathInfo,
  QuicConnection,
  ConnectionStats as QuicStats,
  RecvStream,
  SendStream,
} from '@iroh-ts/quic';
import { parseMapped } from './socket/addrs.js';
import type { SocketLayer } from './socket/socket-layer.js';
import { WatchHandle } from './watch.js';

/** Which side opened the connection. */
export const Side = { Client: 'Client', Server: 'Server' } as const;
/** Which side opened the connection. */
export type Side = (typeof Side)[keyof typeof Side];

/** Per-path statistics. */
export interface PathStatsRecord {
  readonly rttMs: number;
  readonly udpTxDatagrams: number;
  readonly udpTxBytes: number;
  readonly udpRxDatagrams: number;
  readonly udpRxBytes: number;
  readonly cwnd: number;
  readonly congestionEvents: number;
  readonly lostPackets: number;
  readonly lostBytes: number;
  readonly currentMtu: number;
}

/** One network path of a connection. */
export interface PathSnapshot {
  /** The QUIC path id (`"0"` without multipath). */
  readonly id: string;
  readonly isSelected: boolean;
  /** `ip:port` for a direct path, the relay URL for a relayed one. */
  readonly remoteAddr: string;
  readonly isIp: boolean;
  readonly isRelay: boolean;
  readonly rttMs: number;
  readonly stats: PathStatsRecord;
}

/** Kinds of {@link PathEvent}. */
export type PathEventKind = 'Opened' | 'Closed' | 'Selected' | 'Lagged';

/** A change in a connection's paths. */
export interface PathEvent {
  readonly kind: PathEventKind;
  readonly id?: string;
  readonly remoteAddr?: string;
}

/** Connection-level statistics (as `@number0/iroh`'s, plus RTT and congestion window). */
export interface ConnectionStats {
  readonly udpTxDatagrams: number;
  readonly udpTxBytes: number;
  readonly udpRxDatagrams: number;
  readonly udpRxBytes: number;
  readonly lostPackets: number;
  readonly lostBytes: number;
  readonly rttMs: number;
  readonly cwnd: number;
}

const PATH_POLL_MS = 250;
let nextStableId = 1;

/** A connection to a remote iroh endpoint. */
export class Connection {
  readonly #inner: QuicConnection;
  readonly #remoteId: PublicKey;
  readonly #layer: SocketLayer;
  readonly #stableId = nextStableId++;
  readonly #pathWatchers = new Set<(paths: PathSnapshot[]) => void>();
  readonly #eventWatchers = new Set<(e: PathEvent) => void>();
  #lastKey = '';
  #lastPaths: PathSnapshot[] = [];
  #poll: ReturnType<typeof setInterval> | undefined;

  /** @internal */
  constructor(inner: QuicConnection, remoteId: PublicKey, layer: SocketLayer) {
    this.#inner = inner;
    this.#remoteId = remoteId;
    this.#layer = layer;
    this.#lastKey = this.#pathsKey();
    this.#lastPaths = this.paths();
    void inner.closed().then(() => this.#stopPolling());
  }

  /** @internal The QUIC connection underneath. */
  get quic(): QuicConnection {
    return this.#inner;
  }

  /** The negotiated ALPN. */
  alpn(): Uint8Array {
    return this.#inner.alpn() ?? new Uint8Array(0);
  }

  /** The authenticated EndpointId of the remote. */
  remoteId(): PublicKey {
    return this.#remoteId;
  }

  /** Whether we dialled (`Client`) or accepted (`Server`). */
  side(): Side {
    return this.#inner.side() === 'client' ? Side.Client : Side.Server;
  }

  /** A number unique to this connection within the process. */
  stableId(): number {
    return this.#stableId;
  }

  openBi(): Promise<BiStream> {
    return this.#inner.openBi();
  }
  acceptBi(): Promise<BiStream> {
    return this.#inner.acceptBi();
  }
  openUni(): Promise<SendStream> {
    return this.#inner.openUni();
  }
  acceptUni(): Promise<RecvStream> {
    return this.#inner.acceptUni();
  }

  /** Sends an unreliable datagram (dropped if it does not fit; see {@link maxDatagramSize}). */
  sendDatagram(data: Uint8Array): void {
    this.#inner.sendDatagram(data);
  }
  /** Sends a datagram once there is room in the send buffer. */
  sendDatagramWait(data: Uint8Array): Promise<void> {
    return this.#inner.sendDatagramWait(data);
  }
  /** The next received datagram. */
  readDatagram(): Promise<Uint8Array> {
    return this.#inner.readDatagram();
  }
  /** The largest datagram the peer accepts on the current path, or `null` if it takes none. */
  maxDatagramSize(): number | null {
    return this.#inner.maxDatagramSize();
  }

  /** TLS keying material exporter (RFC 5705 / 8446 §7.5). */
  exportKeyingMaterial(label: Uint8Array, context: Uint8Array, length: number): Uint8Array {
    return this.#inner.exportKeyingMaterial(label, context, length);
  }

  /** Closes with an application error code and reason. */
  close(errorCode: bigint, reason: Uint8Array = new Uint8Array(0)): void {
    this.#inner.close(errorCode, reason);
  }

  /** Resolves with the reason once the connection is closed (by either side or by timeout). */
  closed(): Promise<CloseReason> {
    return this.#inner.closed();
  }

  /** Why the connection closed, or `null` while it is open. */
  closeReason(): CloseReason | null {
    return this.#inner.closeReason();
  }

  /** The smoothed round-trip time of the selected path, ms. */
  rtt(): number {
    return this.#inner.rtt();
  }

  stats(): ConnectionStats {
    const s = this.#inner.stats();
    return {
      udpTxDatagrams: s.packetsSent,
      udpTxBytes: s.bytesSent,
      udpRxDatagrams: s.packetsReceived,
      udpRxBytes: s.bytesReceived,
      lostPackets: s.packetsLost,
      lostBytes: s.bytesLost,
      rttMs: s.rtt,
      cwnd: s.cwnd,
    };
  }

  /**
   * The connection's network paths, saying whether each is direct or relayed and which one is
   * selected (carries the data). With multipath there is one per path id; without, just one.
   */
  paths(): PathSnapshot[] {
    const q = this.#inner;
    const infos = q.pathInfo().filter((p) => !p.abandoned);
    const totals = q.stats();
    return infos.map((p) => this.#snapshot(p, infos.length === 1 ? totals : undefined));
  }

  #snapshot(p: PathInfo, totals: QuicStats | undefined): PathSnapshot {
    const m = parseMapped(p.remote);
    const isRelay = m?.kind === 'relay';
    let remoteAddr = p.remote;
    if (isRelay) {
      const r = this.#layer.remotes.get(this.#remoteId);
      remoteAddr = r?.heardOnRelay ?? r?.relayUrl ?? this.#layer.relays?.home.get() ?? p.remote;
    }
    return {
      id: String(p.id),
      isSelected: p.active,
      remoteAddr,
      isIp: m?.kind === 'ip',
      isRelay,
      rttMs: p.rtt,
      stats: {
        rttMs: p.rtt,
        udpTxDatagrams: totals?.packetsSent ?? 0,
        udpTxBytes: totals?.bytesSent ?? p.bytesSent,
        udpRxDatagrams: totals?.packetsReceived ?? 0,
        udpRxBytes: totals?.bytesReceived ?? p.bytesReceived,
        cwnd: p.cwnd,
        congestionEvents: 0,
        lostPackets: totals?.packetsLost ?? 0,
        lostBytes: totals?.bytesLost ?? 0,
        currentMtu: p.mtu,
      },
    };
  }

  /** Calls `cb` with the paths whenever they change (the selected path moves). */
  watchPaths(cb: (paths: PathSnapshot[]) => void): WatchHandle {
    this.#pathWatchers.add(cb);
    this.#startPolling();
    return new WatchHandle(() => {
      this.#pathWatchers.delete(cb);
      this.#maybeStopPolling();
    });
  }

  /** Calls `cb` for each path event (a path opened, closed or was selected). */
  watchPathEvents(cb: (event: PathEvent) => void): WatchHandle {
    this.#eventWatchers.add(cb);
    this.#startPolling();
    return new WatchHandle(() => {
      this.#eventWatchers.delete(cb);
      this.#maybeStopPolling();
    });
  }

  #startPolling(): void {
    if (this.#poll || this.#inner.closeReason() !== null) return;
    this.#poll = setInterval(() => this.#checkPaths(), PATH_POLL_MS);
    (this.#poll as { unref?: () => void }).unref?.();
  }

  #maybeStopPolling(): void {
    if (this.#pathWatchers.size === 0 && this.#eventWatchers.size === 0) this.#stopPolling();
  }

  #stopPolling(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
  }

  /** A key that changes when a path opens, closes, or the selected one changes. */
  #pathsKey(): string {
    return this.#inner
      .pathInfo()
      .filter((p) => !p.abandoned)
      .map((p) => `${p.id}=${p.remote}${p.active ? '*' : ''}${p.validated ? '' : '?'}`)
      .join(',');
  }

  #checkPaths(): void {
    const key = this.#pathsKey();
    if (key === this.#lastKey) return;
    const before = this.#lastPaths;
    const paths = this.paths();
    this.#lastKey = key;
    this.#lastPaths = paths;
    for (const w of [...this.#eventWatchers]) {
      for (const p of before)
        if (!paths.some((q) => q.id === p.id && q.remoteAddr === p.remoteAddr))
          w({ kind: 'Closed', id: p.id, remoteAddr: p.remoteAddr });
      for (const p of paths)
        if (!before.some((q) => q.id === p.id && q.remoteAddr === p.remoteAddr))
          w({ kind: 'Opened', id: p.id, remoteAddr: p.remoteAddr });
      const sel = paths.find((p) => p.isSelected);
      const was = before.find((p) => p.isSelected);
      if (sel && (sel.id !== was?.id || sel.remoteAddr !== was?.remoteAddr))
        w({ kind: 'Selected', id: sel.id, remoteAddr: sel.remoteAddr });
    }
    for (const w of [...this.#pathWatchers]) w(paths);
  }
}
