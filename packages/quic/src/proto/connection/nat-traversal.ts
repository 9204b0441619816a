/**
 * The n0 NAT traversal extension (iroh's "QNT", shared/spec §3.5), sans-IO state of one connection.
 *
 * - The server announces its candidate addresses with ADD_ADDRESS (sequence numbers 0, 1, …) and
 *   withdraws them with REMOVE_ADDRESS.
 * - The client runs rounds: it sends a REACH_OUT per local candidate and off-path PATH_CHALLENGE
 *   probes to every server candidate. The server, on a REACH_OUT of the current or a newer round,
 *   probes each address it names the same way.
 * - Probes are retried to every address not yet answered, up to 9 per address per round, with a
 *   backoff of base = initial_rtt / 10, then base·2^(n−1), capped at 2 s.
 * - A client whose probe is answered opens a multipath path to that address.
 *
 * Addresses are `ip:port` strings as `SocketAddr` prints them (IPv4-mapped IPv6 becomes IPv4).
 */
import { SocketAddr } from '@iroh-ts/base';

/** Probes per address per round (`MAX_NAT_PROBE_ATTEMPTS`). */
export const MAX_NAT_PROBE_ATTEMPTS = 9;
const MAX_BACKOFF_EXPONENT = 8;
const MAX_INTERVAL_MS = 2000;

/** Why a NAT traversal operation failed (as noq names them). */
export type NatTraversalError =
  | 'ExtensionNotNegotiated'
  | 'WrongConnectionSide'
  | 'TooManyAddresses'
  | 'NotEnoughAddresses'
  | 'Closed'
  | 'InvalidAddress';

/** `ip:port` of raw IP bytes and a port; IPv4-mapped IPv6 addresses become IPv4. */
export function formatIpPort(ip: Uint8Array, port: number): string {
  if (ip.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff)
    return SocketAddr.fromParts(ip.subarray(12), port).toString();
  return SocketAddr.fromParts(ip, port).toString();
}

/** Raw IP bytes and port of an `ip:port` string; `undefined` when it is not one. */
export function parseIpPort(addr: string): { ip: Uint8Array; port: number } | undefined {
  try {
    const a = SocketAddr.parse(addr);
    return { ip: a.ipBytes(), port: a.port };
  } catch {
    return undefined;
  }
}

const key = (data: Uint8Array): string => {
  let s = '';
  for (const b of data) s += b.toString(16).padStart(2, '0');
  return s;
};

/** NAT traversal state of one connection (negotiated: both sent the parameter, and multipath is on). */
export class NatTraversal {
  readonly side: 'client' | 'server';
  /** Most addresses we accept from the peer (our parameter). */
  readonly maxRemote: number;
  /** Most addresses the peer accepts from us (its parameter). */
  readonly maxLocal: number;
  /** Delay before the first retry (initial_rtt / 10). */
  readonly baseDelay: number;

  /** Our candidates: client → sent in REACH_OUT; server → announced with ADD_ADDRESS (by sequence). */
  readonly local = new Map<string, number>();
  #nextLocalSeq = 0;
  /** Server: ADD_ADDRESS / REMOVE_ADDRESS owed (sequence numbers). */
  readonly addPending = new Set<number>();
  readonly removePending = new Set<number>();
  /** Client: REACH_OUT frames owed for the current round (addresses). */
  readonly reachOutPending: string[] = [];

  /** Client: the server's candidates by sequence number. */
  readonly remote = new Map<number, string>();
  /** The current round (client: ours; server: the client's newest). */
  round = 0;
  /** Probe attempt in this round (drives the backoff). */
  attempt = 0;
  /** Addresses probed this round and the probes each has left; `-1` once answered. */
  readonly #probing = new Map<string, number>();
  /** Probes ready to go now. */
  readonly pendingProbes = new Set<string>();
  /** Challenge data of probes sent this round → address. */
  readonly #sent = new Map<string, string>();
  /** Client: addresses whose probe was answered, to open paths to. */
  readonly pathsToOpen: string[] = [];
  /** When to queue the next retries. */
  retryAt: number | undefined;

  constructor(side: 'client' | 'server', maxRemote: number, maxLocal: number, initialRtt: number) {
    this.side = side;
    this.maxRemote = maxRemote;
    this.maxLocal = maxLocal;
    this.baseDelay = initialRtt / 10;
  }

  /** Whether frames are owed. */
  get framesPending(): boolean {
    return this.addPending.size > 0 || this.removePending.size > 0 || this.reachOutPending.length > 0;
  }

  // ---- candidates --------------------------------------------------------------------------------

  /** Adds one of our candidate addresses. */
  addLocal(addr: string): NatTraversalError | undefined {
    const p = parseIpPort(addr);
    if (!p) return 'InvalidAddress';
    const canon = formatIpPort(p.ip, p.port);
    if (this.local.has(canon)) return undefined;
    if (this.local.size >= this.maxLocal) return 'TooManyAddresses';
    const seq = this.#nextLocalSeq++;
    this.local.set(canon, seq);
    if (this.side === 'server') this.addPending.add(seq);
    return undefined;
  }

  /** Removes one of our candidate addresses (the server withdraws it with REMOVE_ADDRESS). */
  removeLocal(addr: string): void {
    const p = parseIpPort(addr);
    if (!p) return;
    const canon = formatIpPort(p.ip, p.port);
    const seq = this.local.get(canon);
    if (seq === undefined) return;
    this.local.delete(canon);
    if (this.side === 'server') {
      if (!this.addPending.delete(seq)) this.removePending.add(seq);
    }
  }

  /** The server's address with sequence `seq` for an ADD_ADDRESS to send, if still ours. */
  localBySeq(seq: number): string | undefined {
    for (const [a, s] of this.local) if (s === seq) return a;
    return undefined;
  }

  /** Client: ADD_ADDRESS from the server. Returns the address when it is new (or changed). */
  onAddAddress(seq: number, ip: Uint8Array, port: number): string | 'TooManyAddresses' | undefined {
    const addr = formatIpPort(ip, port);
    const had = this.remote.get(seq);
    if (had === addr) return undefined;
    if (had === undefined && this.remote.size >= this.maxRemote) return 'TooManyAddresses';
    this.remote.set(seq, addr);
    return addr;
  }

  /** Client: REMOVE_ADDRESS from the server; the address it removed, if known. */
  onRemoveAddress(seq: number): string | undefined {
    const addr = this.remote.get(seq);
    this.remote.delete(seq);
    if (addr !== undefined) {
      this.#probing.delete(addr);
      this.pendingProbes.delete(addr);
    }
    return addr;
  }

  // ---- rounds ------------------------------------------------------------------------------------

  /** Client: starts a new round; returns the server addresses being probed. */
  startRound(now: number): string[] | NatTraversalError {
    if (this.side !== 'client') return 'WrongConnectionSide';
    if (this.local.size === 0) return 'NotEnoughAddresses';
    this.#newRound(this.round + 1);
    for (const addr of this.remote.values()) {
      this.#probing.set(addr, MAX_NAT_PROBE_ATTEMPTS - 1);
      this.pendingProbes.add(addr);
    }
    this.reachOutPending.length = 0;
    this.reachOutPending.push(...this.local.keys());
    this.#armRetry(now);
    return [...this.pendingProbes];
  }

  #newRound(round: number): void {
    this.round = round;
    this.attempt = 0;
    this.#probing.clear();
    this.pendingProbes.clear();
    this.#sent.clear();
  }

  /** Server: REACH_OUT from the client. */
  onReachOut(now: number, round: number, ip: Uint8Array, port: number): NatTraversalError | undefined {
    if (round < this.round) return undefined; // an older round: ignored
    const addr = formatIpPort(ip, port);
    const newer = round > this.round;
    if (newer) this.#newRound(round);
    else if (this.#probing.has(addr))
      return undefined; // a retransmission
    else if (this.#probing.size >= this.maxRemote) return 'TooManyAddresses';
    this.#probing.set(addr, MAX_NAT_PROBE_ATTEMPTS - 1);
    this.pendingProbes.add(addr);
    if (newer || this.retryAt === undefined) this.#armRetry(now);
    return undefined;
  }

  /** Records a probe sent to `addr` with challenge `data`. */
  markProbeSent(addr: string, data: Uint8Array): void {
    this.pendingProbes.delete(addr);
    this.#sent.set(key(data), addr);
  }

  /** The retry timer fired: queue another probe to every address that has some left. */
  onRetryTimer(now: number): void {
    this.retryAt = undefined;
    this.attempt++;
    for (const [addr, left] of this.#probing) {
      if (left > 0) {
        this.#probing.set(addr, left - 1);
        this.pendingProbes.add(addr);
      }
    }
    this.#armRetry(now);
  }

  #armRetry(now: number): void {
    if (![...this.#probing.values()].some((left) => left > 0)) {
      this.retryAt = undefined;
      return;
    }
    const n = Math.min(this.attempt, MAX_BACKOFF_EXPONENT);
    const interval = n === 0 ? this.baseDelay : this.baseDelay * 2 ** (n - 1);
    this.retryAt = now + Math.min(interval, MAX_INTERVAL_MS);
  }

  /**
   * A PATH_RESPONSE from `from`: true when it answers one of our probes to that address. The client
   * then has a path to open (see {@link pathsToOpen}); both sides stop probing the address.
   */
  onPathResponse(from: string, data: Uint8Array): boolean {
    const k = key(data);
    const addr = this.#sent.get(k);
    if (addr === undefined || addr !== from) return false;
    this.#sent.delete(k);
    this.#probing.set(addr, -1);
    this.pendingProbes.delete(addr);
    if (this.side === 'client' && !this.pathsToOpen.includes(addr)) this.pathsToOpen.push(addr);
    return true;
  }

  /** The server's candidates the client knows. */
  remoteAddresses(): string[] {
    return [...this.remote.values()];
  }
}
