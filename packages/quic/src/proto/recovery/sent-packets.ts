/**
 * The record of sent, not yet acknowledged or lost packets of one packet number space, and
 * ACK processing and loss detection over it (RFC 9002 §6.1, Appendix A.1, A.7, A.10).
 *
 * Packets live in an array indexed by packet number offset. A removed (acknowledged, lost or
 * skipped) slot keeps a forward pointer to the next candidate slot, with path compression as in a
 * union-find "next alive" structure, so an ACK range that covers thousands of already-acknowledged
 * packets costs about the number of packets it newly acknowledges, not the width of the range.
 */
import { type RttView, TIMER_GRANULARITY } from './rtt.js';

/** Packet threshold of loss detection (RFC 9002 §6.1.1 `kPacketThreshold`). */
export const DEFAULT_PACKET_THRESHOLD = 3;

/** Time threshold of loss detection, a multiple of the RTT (RFC 9002 §6.1.2 `kTimeThreshold`). */
export const DEFAULT_TIME_THRESHOLD = 9 / 8;

/** A sent packet as recovery sees it. */
export interface SentPacket<T> {
  /** Packet number. */
  readonly pn: number;
  /** Time the packet was sent, ms. */
  readonly timeSent: number;
  /** Bytes the packet counts for in congestion control (its size on the wire). */
  readonly size: number;
  /** Whether the packet contains frames that elicit an acknowledgement. */
  readonly ackEliciting: boolean;
  /** Whether the packet counts towards bytes in flight. */
  readonly inFlight: boolean;
  /** What the connection needs to retransmit or release when the packet is lost or acknowledged. */
  readonly payload: T;
}

/**
 * An ACK range: the inclusive packet numbers `[low, high]`. ACK frames list their ranges from the
 * highest down, and {@link SentPackets.onAck} takes them in that order (sorted descending, not
 * overlapping), though any order is accepted.
 */
export type AckRange = readonly [low: number, high: number];

/** What an ACK frame newly acknowledged. */
export interface AckResult<T> {
  /** Newly acknowledged packets, in ascending packet number order. */
  readonly acked: SentPacket<T>[];
  /** The newly acknowledged packet with the highest number, if any. */
  readonly largestNewlyAcked: SentPacket<T> | undefined;
  /** Whether any newly acknowledged packet was ack-eliciting (needed to take an RTT sample). */
  readonly ackElicitingAcked: boolean;
  /** Bytes in flight released by the newly acknowledged packets. */
  readonly ackedBytes: number;
}

/** What loss detection declared lost. */
export interface LossResult<T> {
  /** Packets declared lost, in ascending packet number order; they are removed from the record. */
  readonly lost: SentPacket<T>[];
  /** Bytes in flight released by the lost packets. */
  readonly lostBytes: number;
  /**
   * Indexes into `lost` where a new run starts: consecutive lost packets belong to the same run
   * unless a packet sent between them was acknowledged (or is still outstanding). Always starts
   * with 0 when anything was lost. Persistent congestion is judged per run (RFC 9002 §7.6.2).
   */
  readonly runStarts: number[];
  /**
   * The earliest future time at which a packet not yet lost would cross the time threshold
   * (RFC 9002 `loss_time`), or undefined if no such packet exists.
   */
  readonly lossTime: number | undefined;
}

/** Thresholds of loss detection. */
export interface LossDetectionConfig {
  /** Reordering threshold in packets (default 3). */
  readonly packetThreshold?: number;
  /** Reordering threshold as a multiple of `max(smoothed_rtt, latest_rtt)` (default 9/8). */
  readonly timeThreshold?: number;
}

/** A removed slot: 0 = never sent (skipped), lost or discarded; 1 = acknowledged. */
type Tombstone = 0 | 1;
const NOT_ACKED: Tombstone = 0;
const ACKED: Tombstone = 1;

/**
 * Sent packets of one packet number space that are neither acknowledged nor declared lost, with the
 * running totals loss recovery needs.
 *
 * @typeParam T what the connection attaches to each packet (e.g. the frames to retransmit).
 */
export class SentPackets<T> {
  readonly packetThreshold: number;
  readonly timeThreshold: number;

  /** Slot `i` (from `#start`) holds packet number `#offset + i`. */
  #slots: (SentPacket<T> | Tombstone)[] = [];
  /** For a live slot its own packet number; else a packet number above it with only dead slots between. */
  #next: number[] = [];
  #offset = 0;
  #start = 0;
  #count = 0;
  #bytesInFlight = 0;
  #ackElicitingInFlight = 0;
  #largestSent: number | undefined;
  #largestAcked: number | undefined;
  #timeOfLastAckEliciting: number | undefined;
  #lossTime: number | undefined;

  constructor(config: LossDetectionConfig = {}) {
    this.packetThreshold = config.packetThreshold ?? DEFAULT_PACKET_THRESHOLD;
    this.timeThreshold = config.timeThreshold ?? DEFAULT_TIME_THRESHOLD;
  }

  /** Number of packets neither acknowledged nor lost. */
  get size(): number {
    return this.#count;
  }

  /** Sum of the sizes of outstanding in-flight packets. */
  get bytesInFlight(): number {
    return this.#bytesInFlight;
  }

  /** Number of outstanding packets that are ack-eliciting and in flight. */
  get ackElicitingInFlight(): number {
    return this.#ackElicitingInFlight;
  }

  /** Highest packet number recorded as sent. */
  get largestSent(): number | undefined {
    return this.#largestSent;
  }

  /** Highest packet number the peer has acknowledged (RFC 9002 `largest_acked_packet`). */
  get largestAcked(): number | undefined {
    return this.#largestAcked;
  }

  /** Send time of the most recent ack-eliciting in-flight packet (RFC 9002 `time_of_last_ack_eliciting_packet`). */
  get timeOfLastAckEliciting(): number | undefined {
    return this.#timeOfLastAckEliciting;
  }

  /** The `lossTime` of the last {@link detectLost} (RFC 9002 `loss_time`), undefined if none pending. */
  get lossTime(): number | undefined {
    return this.#lossTime;
  }

  /** The outstanding packet `pn`, if it is neither acknowledged nor lost. */
  get(pn: number): SentPacket<T> | undefined {
    const s = this.#slots[pn - this.#offset];
    return typeof s === 'object' && pn - this.#offset >= this.#start ? s : undefined;
  }

  /** Outstanding packets in ascending packet number order. Do not modify the record while iterating. */
  *[Symbol.iterator](): IterableIterator<SentPacket<T>> {
    for (let i = this.#start; i < this.#slots.length; i++) {
      const s = this.#slots[i];
      if (typeof s === 'object') yield s;
    }
  }

  /**
   * Records a sent packet (RFC 9002 `OnPacketSent`). Packet numbers must increase; numbers skipped
   * between two sends are remembered as never sent (keep such gaps small, each costs a slot).
   */
  onSent(packet: SentPacket<T>): void {
    const { pn } = packet;
    if (!Number.isSafeInteger(pn) || pn < 0) throw new RangeError(`invalid packet number ${pn}`);
    if (this.#largestSent !== undefined && pn <= this.#largestSent) {
      throw new RangeError(`packet number ${pn} not above largest sent ${this.#largestSent}`);
    }
    if (this.#count === 0) {
      this.#slots = [];
      this.#next = [];
      this.#offset = pn;
      this.#start = 0;
    } else {
      for (let gap = this.#offset + this.#slots.length; gap < pn; gap++) {
        this.#slots.push(NOT_ACKED);
        this.#next.push(gap + 1);
      }
    }
    this.#slots.push(packet);
    this.#next.push(pn);
    this.#count++;
    this.#largestSent = pn;
    if (packet.inFlight) {
      this.#bytesInFlight += packet.size;
      if (packet.ackEliciting) {
        this.#ackElicitingInFlight++;
        this.#timeOfLastAckEliciting = packet.timeSent;
      }
    }
  }

  /**
   * Removes the packets an ACK frame acknowledges and returns them (RFC 9002 `OnAckReceived`,
   * `DetectAndRemoveAckedPackets`). Numbers that were never sent, or were already acknowledged or
   * lost, are ignored; rejecting ACKs of unsent packets (a PROTOCOL_VIOLATION) is the caller's job.
   * Updates {@link largestAcked} with the largest number acknowledged that was sent.
   *
   * @param ranges inclusive `[low, high]` ranges, as an ACK frame lists them: sorted descending.
   */
  onAck(ranges: readonly AckRange[]): AckResult<T> {
    const acked: SentPacket<T>[] = [];
    let ackElicitingAcked = false;
    let ackedBytes = 0;
    let sorted = true;
    for (let r = ranges.length - 1; r >= 0; r--) {
      const [low, high] = ranges[r]!;
      if (!(low <= high)) throw new RangeError(`invalid ACK range [${low}, ${high}]`);
      if (this.#largestSent !== undefined && low <= this.#largestSent) {
        const top = Math.min(high, this.#largestSent);
        if (this.#largestAcked === undefined || top > this.#largestAcked) this.#largestAcked = top;
      }
      if (this.#count === 0) continue;
      const end = this.#offset + this.#slots.length;
      for (let pn = this.#find(Math.ceil(low)); pn <= high && pn < end; pn = this.#find(pn + 1)) {
        const p = this.#remove(pn, ACKED);
        if (acked.length > 0 && acked[acked.length - 1]!.pn > pn) sorted = false;
        acked.push(p);
        if (p.ackEliciting) ackElicitingAcked = true;
        if (p.inFlight) ackedBytes += p.size;
      }
    }
    if (!sorted) acked.sort((a, b) => a.pn - b.pn);
    this.#trim();
    return { acked, largestNewlyAcked: acked[acked.length - 1], ackElicitingAcked, ackedBytes };
  }

  /**
   * Declares lost, and removes, the outstanding packets at or below `largestAcked` that are either
   * `packetThreshold` packets older than it or were sent at least `timeThreshold *
   * max(smoothed_rtt, latest_rtt)` (and never less than 1 ms) before `now` (RFC 9002 §6.1,
   * `DetectAndRemoveLostPackets`). Also computes, and remembers as {@link lossTime}, when the next
   * packet would cross the time threshold.
   *
   * @param largestAcked the space's largest acknowledged packet number (default {@link largestAcked}).
   */
  detectLost(
    now: number,
    rtt: RttView,
    largestAcked: number | undefined = this.#largestAcked,
  ): LossResult<T> {
    const lost: SentPacket<T>[] = [];
    const runStarts: number[] = [];
    let lostBytes = 0;
    let lossTime: number | undefined;
    if (largestAcked !== undefined && this.#count > 0) {
      const lossDelay = Math.max(this.timeThreshold * Math.max(rtt.smoothed, rtt.latest), TIMER_GRANULARITY);
      const end = this.#offset + this.#slots.length;
      for (let pn = this.#find(0); pn <= largestAcked && pn < end; pn = this.#find(pn + 1)) {
        const p = this.#slots[pn - this.#offset] as SentPacket<T>;
        // The same expression as the loss time below, so that a timer set for that time always fires
        // (with floats, `timeSent <= now - delay` can be false when `timeSent + delay === now`).
        if (p.timeSent + lossDelay <= now || largestAcked >= pn + this.packetThreshold) {
          const prev = lost[lost.length - 1];
          if (prev === undefined || this.#runBrokenBetween(prev.pn, pn)) runStarts.push(lost.length);
          this.#remove(pn, NOT_ACKED);
          lost.push(p);
          if (p.inFlight) lostBytes += p.size;
        } else {
          const t = p.timeSent + lossDelay;
          if (lossTime === undefined || t < lossTime) lossTime = t;
        }
      }
      this.#trim();
    }
    this.#lossTime = lossTime;
    return { lost, lostBytes, runStarts, lossTime };
  }

  /**
   * Removes every outstanding packet, as when the space's keys are discarded (RFC 9002 §6.4), and
   * returns them in ascending order. Bytes in flight drop to zero, and the last ack-eliciting send
   * time and loss time are forgotten.
   */
  discardAll(): SentPacket<T>[] {
    const all = [...this];
    this.#slots = [];
    this.#next = [];
    this.#offset = this.#largestSent === undefined ? 0 : this.#largestSent + 1;
    this.#start = 0;
    this.#count = 0;
    this.#bytesInFlight = 0;
    this.#ackElicitingInFlight = 0;
    this.#timeOfLastAckEliciting = undefined;
    this.#lossTime = undefined;
    return all;
  }

  /** Smallest live packet number at or above `pn`, or the end of the array if none. */
  #find(pn: number): number {
    const offset = this.#offset;
    const end = offset + this.#slots.length;
    const next = this.#next;
    const from = Math.max(pn, offset + this.#start);
    let root = from;
    while (root < end) {
      const n = next[root - offset]!;
      if (n === root) break;
      root = n;
    }
    // Path compression: point every dead slot visited straight at the result.
    let p = from;
    while (p < root) {
      const n = next[p - offset]!;
      next[p - offset] = root;
      p = n;
    }
    return root;
  }

  #remove(pn: number, mark: Tombstone): SentPacket<T> {
    const i = pn - this.#offset;
    const p = this.#slots[i] as SentPacket<T>;
    this.#slots[i] = mark;
    this.#next[i] = pn + 1;
    this.#count--;
    if (p.inFlight) {
      this.#bytesInFlight -= p.size;
      if (p.ackEliciting) this.#ackElicitingInFlight--;
    }
    return p;
  }

  /**
   * Whether a packet strictly between `low` and `high` (both in the array) was acknowledged or is
   * still outstanding. Skipped and lost numbers do not break a run.
   */
  #runBrokenBetween(low: number, high: number): boolean {
    for (let i = low + 1 - this.#offset; i < high - this.#offset; i++) {
      if (this.#slots[i] !== NOT_ACKED) return true;
    }
    return false;
  }

  /** Drops leading dead slots, compacting the arrays now and then. */
  #trim(): void {
    if (this.#count === 0) {
      this.#slots = [];
      this.#next = [];
      this.#offset = (this.#largestSent ?? -1) + 1;
      this.#start = 0;
      return;
    }
    this.#start = this.#find(this.#offset + this.#start) - this.#offset;
    if (this.#start >= 1024 && this.#start * 2 >= this.#slots.length) {
      this.#slots.splice(0, this.#start);
      this.#next.splice(0, this.#start);
      this.#offset += this.#start;
      this.#start = 0;
    }
  }
}
