/**
 * State of one packet-number space (Initial, Handshake, Application): packet numbers, what we sent and
 * what we received (for ACKs), its CRYPTO stream in both directions, and its keys.
 */
import type { PacketKeys } from '../../crypto/packet-protection.js';
import { RangeSet } from '../range-set.js';
import { type PacketSpace, SentPackets } from '../recovery/index.js';
import { Assembler } from '../streams/assembler.js';
import { SendBuffer } from '../streams/send-buffer.js';
import type { SentRecord } from './sent-record.js';

/** ACK ranges kept per space; older ranges are forgotten (the peer stops caring about them). */
const MAX_ACK_RANGES = 64;

/** One packet-number space. */
export class SpaceState {
  readonly id: PacketSpace;
  nextPn = 0;
  readonly sent: SentPackets<SentRecord>;
  /** Packet numbers received, for ACK frames and duplicate detection. */
  readonly received = new RangeSet(MAX_ACK_RANGES);
  /** Largest packet number received, -1 before any. */
  largestReceived = -1;
  largestReceivedTime = 0;
  /** Ack-eliciting packets received since our last ACK. */
  unackedEliciting = 0;
  /** An ACK should be sent (at `ackDeadline`, or at once when it is undefined and `ackNow`). */
  ackPending = false;
  ackNow = false;
  ackDeadline: number | undefined;
  /** Outgoing and incoming CRYPTO streams. */
  readonly cryptoSend = new SendBuffer();
  readonly cryptoRecv = new Assembler();
  /** Keys: `local` seals, `remote` opens. */
  localKeys: PacketKeys | undefined;
  remoteKeys: PacketKeys | undefined;
  discarded = false;
  /** Probe packets owed after a PTO. */
  probes = 0;
  /** RTT sample time of the first sample in this space (persistent congestion). */
  firstRttSampleTime: number | undefined;

  constructor(id: PacketSpace, lossConfig: { packetThreshold?: number; timeThreshold?: number } = {}) {
    this.id = id;
    this.sent = new SentPackets<SentRecord>(lossConfig);
  }

  /** Whether this space has something ack-eliciting or an ACK to send (ignoring congestion limits). */
  get wantsToSend(): boolean {
    return (
      this.localKeys !== undefined &&
      !this.discarded &&
      (this.ackPending || this.cryptoSend.hasPending || this.probes > 0)
    );
  }

  /** Records a received packet number; returns false for a duplicate. */
  onReceived(
    pn: number,
    now: number,
    ackEliciting: boolean,
    immediate: boolean,
    maxAckDelay: number,
    /** 1-RTT: ack-eliciting packets to receive before acknowledging at once. */
    threshold = 2,
  ): boolean {
    if (this.received.contains(pn)) return false;
    const outOfOrder =
      pn < this.largestReceived || (this.largestReceived >= 0 && pn > this.largestReceived + 1);
    this.received.insertOne(pn);
    if (pn > this.largestReceived) {
      this.largestReceived = pn;
      this.largestReceivedTime = now;
    }
    if (ackEliciting) {
      this.unackedEliciting++;
      this.ackPending = true;
      // Initial and Handshake ACKs go at once; 1-RTT every second packet, on reordering, or after max_ack_delay.
      if (this.id !== 'application' || immediate || outOfOrder || this.unackedEliciting >= threshold)
        this.ackNow = true;
      else this.ackDeadline ??= now + maxAckDelay;
    }
    return true;
  }

  /** Called when an ACK frame for this space was written. */
  onAckSent(): void {
    this.ackPending = false;
    this.ackNow = false;
    this.ackDeadline = undefined;
    this.unackedEliciting = 0;
  }

  /** Drops keys and in-flight packets of a space that is no longer used (RFC 9001 §4.9). */
  discard(): void {
    this.discarded = true;
    this.localKeys = undefined;
    this.remoteKeys = undefined;
    this.sent.discardAll();
    this.ackPending = false;
    this.ackNow = false;
    this.ackDeadline = undefined;
    this.probes = 0;
    this.cryptoSend.clear();
  }
}
