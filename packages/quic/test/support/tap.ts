/**
 * Watches what a connection of a {@link makePair} sends and receives: every datagram with its
 * address and size, and for 1-RTT packets the frames inside (decrypted with the scripted handshake's
 * keys, see `inject.ts`). No key updates: the tap follows key phase 0 only.
 */
import { openPacket, type PacketKeys, packetKeys } from '../../src/crypto/packet-protection.js';
import { quicKeys, SHA256 } from '../../src/crypto/tls/key-schedule.js';
import type { Connection } from '../../src/proto/connection/connection.js';
import { decodeFrames, type Frame } from '../../src/proto/frame.js';
import { parseHeader } from '../../src/proto/packet.js';

const enc = new TextEncoder();

/** One datagram a connection sent. */
export interface Sent {
  readonly at: number;
  readonly destination: string;
  readonly size: number;
  /** Frames of its 1-RTT packet, if it has one. */
  readonly frames: Frame['type'][];
  /** The path's validation state when it was sent. */
  readonly validated: boolean;
}

/** One datagram a connection received. */
export interface Received {
  readonly at: number;
  readonly from: string;
  readonly size: number;
}

export class Tap {
  readonly sent: Sent[] = [];
  readonly received: Received[] = [];
  private keys: PacketKeys | undefined;
  private largest = -1;

  constructor(
    private readonly conn: Connection,
    private readonly peerCidLength = 8,
  ) {
    const poll = conn.pollTransmit.bind(conn);
    conn.pollTransmit = (now) => {
      const validated = conn.remoteAddressValidated;
      const t = poll(now);
      if (t)
        this.sent.push({
          at: now,
          destination: t.destination,
          size: t.data.length,
          frames: this.frames(t.data),
          validated,
        });
      return t;
    };
    const handle = conn.handleDatagram.bind(conn);
    conn.handleDatagram = (now, from, data) => {
      this.received.push({ at: now, from, size: data.length });
      handle(now, from, data);
    };
  }

  private frames(data: Uint8Array): Frame['type'][] {
    if ((data[0]! & 0x80) !== 0) return [];
    this.keys ??= (() => {
      const label = this.conn.side === 'client' ? 'ap c' : 'ap s';
      const k = quicKeys(
        SHA256,
        this.conn.exportKeyingMaterial(enc.encode(label), new Uint8Array(0), 32),
        16,
      );
      return packetKeys('aes-128-gcm', k.key, k.iv, k.hp);
    })();
    // openPacket unprotects the header in place: work on a copy of what goes on to the peer.
    const copy = data.slice();
    const h = parseHeader(copy, 0, this.peerCidLength);
    const opened = openPacket(this.keys, copy, h, this.largest);
    if (!opened) return [];
    this.largest = Math.max(this.largest, opened.pn);
    const out: Frame['type'][] = [];
    decodeFrames(opened.payload, (f) => out.push(f.type));
    return out;
  }

  /** Bytes sent to / received from `addr`, optionally only those matching `pred`. */
  bytesTo(addr: string, pred: (s: Sent) => boolean = () => true): number {
    return this.sent.filter((s) => s.destination === addr && pred(s)).reduce((n, s) => n + s.size, 0);
  }

  bytesFrom(addr: string, until = Number.POSITIVE_INFINITY): number {
    return this.received.filter((r) => r.from === addr && r.at <= until).reduce((n, r) => n + r.size, 0);
  }
}
