/**
 * Forges 1-RTT packets as one side of a {@link makePair} connection would send them, with any frames
 * (to feed a connection input no correct peer sends). It works because the scripted handshake's
 * 1-RTT secrets are its exporter outputs for the labels "ap c" / "ap s".
 */
import { packetKeys, sealPacket } from '../../src/crypto/packet-protection.js';
import { quicKeys, SHA256 } from '../../src/crypto/tls/key-schedule.js';
import { Writer } from '../../src/proto/coding.js';
import type { Connection } from '../../src/proto/connection/connection.js';
import { encodeFrame, type Frame } from '../../src/proto/frame.js';
import { writeShortHeader } from '../../src/proto/packet.js';

const enc = new TextEncoder();
let nextPn = 1_000_000;

/** A 1-RTT packet from `sender`'s side carrying `frames`, addressed to `dcid` (default: the receiver's handshake CID). */
export function forgePacket(sender: Connection, dcid: Uint8Array, frames: Frame[]): Uint8Array {
  const label = sender.side === 'client' ? 'ap c' : 'ap s';
  const secret = sender.exportKeyingMaterial(enc.encode(label), new Uint8Array(0), 32);
  const k = quicKeys(SHA256, secret, 16);
  const keys = packetKeys('aes-128-gcm', k.key, k.iv, k.hp);
  const payload = new Writer(1500);
  for (const f of frames) encodeFrame(payload, f);
  while (payload.len < 4) payload.u8(0);
  const pn = nextPn++;
  const h = new Writer(64);
  const pnOffset = writeShortHeader(h, dcid, pn, 4, false);
  return sealPacket(keys, h.view(), pnOffset, 4, pn, payload.view());
}

/** Delivers frames to `receiver` as if `sender` sent them from `from`. */
export function injectFrames(
  sender: Connection,
  receiver: Connection,
  now: number,
  from: string,
  frames: Frame[],
  dcid: Uint8Array = receiver.localCid,
): void {
  receiver.handleDatagram(now, from, forgePacket(sender, dcid, frames));
}
