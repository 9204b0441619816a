/**
 * 1-RTT key updates (RFC 9001 §6). Both directions change phase together, as in quinn: the next
 * phase's keys are derived ahead of time with HKDF-Expand-Label("quic ku"), a packet with the other
 * phase bit is opened with them (the peer updated) or with the previous phase's keys (a packet sent
 * before the update, arriving late), and we may start an update ourselves once the peer has
 * acknowledged a packet of the current phase.
 */
import { nextPhaseKeys, type PacketKeys } from '../../crypto/packet-protection.js';
import type { CipherSuite } from '../../crypto/session.js';
import { quicKeys, quicNextSecret } from '../../crypto/tls/key-schedule.js';

interface Direction {
  secret: Uint8Array;
  keys: PacketKeys;
}

/** The 1-RTT keys of both directions across key phases. */
export class OneRttKeys {
  private readonly suite: CipherSuite;
  /** The current phase bit. */
  phase = false;
  read: Direction;
  write: Direction;
  #nextRead: Direction | undefined;
  #nextWrite: Direction | undefined;
  /** Keys of the previous phase, for late packets; `endPn` is the first packet number of the new phase. */
  private prevRead: { keys: PacketKeys; endPn: number | undefined } | undefined;
  /** First packet number we sent in the current phase (an update may start once it is acknowledged). */
  firstSentPn: number | undefined;
  /** Number of updates so far. */
  updates = 0;

  constructor(suite: CipherSuite, read: Direction, write: Direction) {
    this.suite = suite;
    this.read = read;
    this.write = write;
  }

  /** The next phase's keys, derived on first use (most connections never update keys). */
  private get nextRead(): Direction {
    this.#nextRead ??= this.derive(this.read);
    return this.#nextRead;
  }

  private get nextWrite(): Direction {
    this.#nextWrite ??= this.derive(this.write);
    return this.#nextWrite;
  }

  private derive(d: Direction): Direction {
    const secret = quicNextSecret(this.suite.hash, d.secret);
    const k = quicKeys(this.suite.hash, secret, this.suite.keyLength);
    return { secret, keys: nextPhaseKeys(this.suite.aead, k.key, k.iv, d.keys) };
  }

  /** The keys to try for a received packet with phase bit `phase` and packet number `pn`. */
  keysFor(phase: boolean, pn: number): PacketKeys {
    if (phase === this.phase) return this.read.keys;
    if (this.prevRead && (this.prevRead.endPn === undefined || pn < this.prevRead.endPn))
      return this.prevRead.keys;
    return this.nextRead.keys;
  }

  /**
   * Called after a packet opened successfully. Returns true when it was the peer's first packet of a
   * new phase, in which case we have switched phase too.
   */
  onOpened(phase: boolean, pn: number): boolean {
    if (phase === this.phase) {
      if (this.prevRead && this.prevRead.endPn === undefined) this.prevRead.endPn = pn;
      return false;
    }
    if (this.prevRead && (this.prevRead.endPn === undefined || pn < this.prevRead.endPn)) return false;
    this.rotate(pn);
    return true;
  }

  /** Starts a key update ourselves; returns false when the current phase is not yet acknowledged. */
  initiate(largestAckedPn: number | undefined): boolean {
    if (this.firstSentPn === undefined || largestAckedPn === undefined || largestAckedPn < this.firstSentPn)
      return false;
    this.rotate(undefined);
    return true;
  }

  /** Records a packet we sent, to know when the current phase has been acknowledged. */
  onSent(pn: number): void {
    this.firstSentPn ??= pn;
  }

  private rotate(firstPeerPn: number | undefined): void {
    this.prevRead = { keys: this.read.keys, endPn: firstPeerPn };
    const read = this.nextRead;
    const write = this.nextWrite;
    this.read = read;
    this.write = write;
    this.#nextRead = undefined;
    this.#nextWrite = undefined;
    this.phase = !this.phase;
    this.firstSentPn = undefined;
    this.updates++;
  }
}
