/**
 * iroh's path policy for one connection (shared/spec §4.4), on top of QUIC multipath:
 *
 * - only the client opens paths: one to each known direct address of the remote, and one through the
 *   relay when the handshake went direct;
 * - direct IP paths are primary, the relay is the backup; within the primary tier the lowest RTT wins,
 *   and the selected path changes only for one at least 5 ms better;
 * - the selected path is marked AVAILABLE and every other path BACKUP (both sides do this);
 * - relay paths idle out after 30 s, direct ones after 15 s; paths send keep-alives every 5 s.
 *
 * A connection whose peer did not negotiate multipath keeps its single path, as iroh does.
 */
import type { PublicKey } from '@iroh-ts/base';
import type { PathInfo, QuicConnection } from '@iroh-ts/quic';
import { ipMapped, parseMapped, relayMapped } from './socket/addrs.js';
import { RemoteMap } from './socket/remote-map.js';
import type { SocketLayer } from './socket/socket-layer.js';

/**
 * How often the policy looks at the paths (ms) besides on every path event (a path opened or
 * abandoned, the handshake confirmed, a candidate announced): RTT changes and the 60 s upgrade rounds.
 */
const TICK_MS = 1000;
/** A same-tier switch needs a path this much faster (ms). */
const SWITCH_MARGIN_MS = 5;
/** Path idle timeouts (ms): direct and relayed (iroh's PATH_MAX_IDLE_TIMEOUT, RELAY_PATH_MAX_IDLE_TIMEOUT). */
const DIRECT_IDLE_MS = 15_000;
const RELAY_IDLE_MS = 30_000;
const KEEP_ALIVE_MS = 5_000;
/** An address whose path failed is tried again after this long (ms). */
const RETRY_MS = 5_000;
/** NAT traversal rounds: at most one per 5 s with unchanged candidates (`HOLEPUNCH_ATTEMPTS_INTERVAL`). */
const ROUND_MIN_INTERVAL_MS = 5_000;
/** Another round every 60 s while no direct path has an RTT of 10 ms or less (`UPGRADE_INTERVAL`). */
const UPGRADE_INTERVAL_MS = 60_000;
const GOOD_ENOUGH_RTT_MS = 10;

/** Whether a QUIC-level address is a relay path. */
export function isRelayAddr(remote: string): boolean {
  return parseMapped(remote)?.kind === 'relay';
}

/** Runs iroh's path policy for one connection until it closes. */
export class PathPolicy {
  readonly #quic: QuicConnection;
  readonly #remote: PublicKey;
  readonly #layer: SocketLayer;
  readonly #ownAddrs: () => Set<string>;
  readonly #candidates: () => string[];
  readonly #tried = new Map<string, number>();
  readonly #timersSet = new Set<number>();
  /** Candidates (ours and the remote's) at the last round, and when it ran. */
  #roundKey: string | undefined;
  #roundAt = Number.NEGATIVE_INFINITY;
  /** Whether a direct path carried the data at the last tick (losing it starts a new round). */
  #hadDirect = false;
  #punchAgain = false;
  readonly #onDirectLost: () => void;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * `ownAddrs`: all our direct addresses (never dialled as the remote's); `candidates`: the ones we
   * offer for hole punching (the endpoint's address filter applies, as to what it publishes).
   */
  constructor(
    quic: QuicConnection,
    remote: PublicKey,
    layer: SocketLayer,
    ownAddrs: () => Set<string>,
    candidates: () => string[],
    /** Called when the connection loses its last direct path (e.g. to refresh the network report). */
    onDirectLost: () => void = () => {},
  ) {
    this.#onDirectLost = onDirectLost;
    this.#quic = quic;
    this.#remote = remote;
    this.#layer = layer;
    this.#ownAddrs = ownAddrs;
    this.#candidates = candidates;
  }

  /** Starts watching the connection; stops by itself when it closes. */
  start(): void {
    this.#timer = setInterval(() => this.tick(), TICK_MS);
    (this.#timer as { unref?: () => void }).unref?.();
    const off = this.#quic.onPathEvent(() => this.tick());
    void this.#quic.closed().then(() => {
      off();
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = undefined;
    });
    this.tick();
  }

  /** One round of the policy: open missing paths (client), set timers, select. */
  tick(): void {
    const q = this.#quic;
    if (q.closeReason() !== null || !q.multipath) return;
    const paths = q.pathInfo().filter((p) => !p.abandoned);
    // A direct path carrying the data (one that stops answering loses it at once, see @iroh-ts/quic).
    const hasDirect = paths.some((p) => p.active && p.validated && !isRelayAddr(p.remote));
    if (this.#hadDirect && !hasDirect) {
      // The direct path died (a NAT rebinding, say): our public address may have changed; punch again.
      this.#punchAgain = true;
      this.#onDirectLost();
    }
    this.#hadDirect = hasDirect;
    if (q.natTraversal) this.#natTraversal(paths);
    if (q.side() === 'client') this.#openMissing(paths);
    for (const p of paths) {
      if (this.#timersSet.has(p.id)) continue;
      this.#timersSet.add(p.id);
      q.setPathTimers(p.id, isRelayAddr(p.remote) ? RELAY_IDLE_MS : DIRECT_IDLE_MS, KEEP_ALIVE_MS);
    }
    this.#select(paths);
  }

  #openMissing(paths: PathInfo[]): void {
    const r = this.#layer.remotes.get(this.#remote);
    if (!r) return;
    const own = this.#ownAddrs();
    const want: string[] = [];
    for (const a of RemoteMap.ipAddrs(r)) {
      const s = ipMapped(a);
      if (!own.has(s)) want.push(s);
    }
    const relayKnown = r.relayUrl !== undefined || r.heardOnRelay !== undefined;
    if (relayKnown) want.push(relayMapped(this.#remote));
    const now = Date.now();
    for (const remote of want) {
      if (paths.some((p) => p.remote === remote)) continue;
      const last = this.#tried.get(remote);
      if (last !== undefined && now - last < RETRY_MS) continue;
      const id = this.#quic.openPath(remote, isRelayAddr(remote) ? 'backup' : 'available');
      // Before the handshake is confirmed the path cannot be opened yet: try again next tick.
      if (id === 'MultipathNotNegotiated') return;
      this.#tried.set(remote, now);
    }
  }

  /**
   * NAT traversal: keeps our candidates (our direct addresses) in sync, and as the client runs a round
   * when the connection is new, when either side's candidates change, and every 60 s while no direct
   * path is good enough; at most one round per 5 s otherwise.
   */
  #natTraversal(paths: PathInfo[]): void {
    const q = this.#quic;
    const own = this.#candidates().filter((a) => parseMapped(a)?.kind === 'ip');
    const local = new Set(q.localNatTraversalAddresses());
    for (const a of own) if (!local.has(a)) q.addNatTraversalAddress(a);
    for (const a of local) if (!own.includes(a)) q.removeNatTraversalAddress(a);
    if (q.side() !== 'client') return;
    const key = `${[...own].sort().join(',')}|${q.remoteNatTraversalAddresses().sort().join(',')}`;
    const now = Date.now();
    const changed = key !== this.#roundKey;
    const good = paths.some((p) => p.validated && !isRelayAddr(p.remote) && p.rtt <= GOOD_ENOUGH_RTT_MS);
    const since = now - this.#roundAt;
    // New candidates (or a lost direct path) start a round at once; otherwise every 60 s while no
    // direct path is good enough.
    const due =
      changed ||
      (this.#punchAgain && since >= ROUND_MIN_INTERVAL_MS) ||
      (!good && since >= UPGRADE_INTERVAL_MS);
    if (!due) return;
    // Fails until the handshake is confirmed or while we have no candidate: the next tick retries.
    const r = q.initiateNatTraversalRound();
    if (Array.isArray(r)) {
      this.#roundKey = key;
      this.#roundAt = now;
      this.#punchAgain = false;
    }
  }

  /** Marks the best path AVAILABLE and the others BACKUP. */
  #select(paths: PathInfo[]): void {
    const usable = paths.filter((p) => p.validated);
    if (usable.length === 0) return;
    const primary = usable.filter((p) => !isRelayAddr(p.remote));
    const tier = primary.length > 0 ? primary : usable;
    let best = tier[0]!;
    for (const p of tier) if (p.rtt < best.rtt) best = p;
    // Hysteresis inside the tier: keep the current choice unless the best is clearly better.
    const current = tier.find((p) => p.status === 'available' && p.active);
    if (current && current !== best && current.rtt - best.rtt < SWITCH_MARGIN_MS) best = current;
    for (const p of usable) {
      const want = p.id === best.id ? 'available' : 'backup';
      if (p.status !== want) this.#quic.setPathStatus(p.id, want);
    }
  }
}
