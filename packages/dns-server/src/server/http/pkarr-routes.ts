/** `GET|PUT /pkarr/<z32>` (iroh-dns-server `http/pkarr.rs`). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PublicKey } from '@iroh-ts/base';
import { SignedPacketError } from '../../pkarr/errors.js';
import { MAX_SIGNED_PACKET_BYTES, SignedPacket } from '../../pkarr/signed-packet.js';
import type { DnsServerMetrics } from '../metrics.js';
import type { ZoneStore } from '../zone/zone-store.js';
import { readBody, send, sendError } from './respond.js';

/** The content type of a relay GET response. */
export const PKARR_CONTENT_TYPE = 'application/x-pkarr-signed-packet';

/** Largest accepted PUT body: a full packet without its 32-byte key. */
export const MAX_PUT_BODY = MAX_SIGNED_PACKET_BYTES - 32;

function parseKey(res: ServerResponse, text: string): PublicKey | undefined {
  try {
    return PublicKey.fromZ32(text);
  } catch (e) {
    sendError(res, 400, `invalid key: ${(e as Error).message}`);
    return undefined;
  }
}

/** Stores a packet: 204 when accepted or ignored as older, 400 for a bad key or payload. */
export async function putPacket(
  req: IncomingMessage,
  res: ServerResponse,
  keyText: string,
  zones: ZoneStore,
  metrics: DnsServerMetrics | undefined,
): Promise<void> {
  const key = parseKey(res, keyText);
  if (!key) {
    req.resume();
    metrics?.pkarrPublishRejected.inc();
    return;
  }
  const body = await readBody(req, MAX_PUT_BODY);
  if (!body.ok) {
    metrics?.pkarrPublishRejected.inc();
    sendError(
      res,
      body.tooLarge ? 400 : 500,
      body.tooLarge ? 'invalid body payload: too large' : 'read failed',
    );
    return;
  }
  let packet: SignedPacket;
  try {
    packet = SignedPacket.fromRelayPayload(key, body.body);
  } catch (e) {
    if (!(e instanceof SignedPacketError)) throw e;
    metrics?.pkarrPublishRejected.inc();
    sendError(res, 400, `invalid body payload: ${e.message}`);
    return;
  }
  await zones.insert(packet);
  send(res, 204);
}

/** Returns the stored packet's relay form, or 404. */
export async function getPacket(
  res: ServerResponse,
  keyText: string,
  zones: ZoneStore,
  metrics: DnsServerMetrics | undefined,
): Promise<void> {
  const key = parseKey(res, keyText);
  if (!key) return;
  metrics?.pkarrGet.inc();
  const packet = await zones.getPacket(key.toZ32());
  if (!packet) {
    metrics?.pkarrGetNotFound.inc();
    sendError(res, 404);
    return;
  }
  send(res, 200, packet.relayPayload, { 'content-type': PKARR_CONTENT_TYPE });
}
