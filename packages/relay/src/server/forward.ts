/**
 * The forwarding fast path: a client's datagram frame (type 4 or 5) goes to the active connection
 * of its destination as type 6 or 7 with the destination id replaced by the sender's.
 *
 * With a one-byte frame type (always, from iroh), the received buffer itself is rewritten in place
 * and handed to the recipient's socket: no copy, no allocation. Only a non-minimal type encoding or
 * a batch with segment size 0 (which iroh turns into a single datagram) needs a new buffer.
 *
 * @module
 */
import { encodeDatagramsFrame } from '../protos/relay.js';
import type { EndpointRecord, RegisteredClient } from './clients.js';
import type { ServerContext } from './context.js';

/** What forwarding needs from the recipient. */
export interface ForwardTarget extends RegisteredClient {
  /** True when another datagram fits in the recipient's send queue. */
  canQueueDatagram(): boolean;
  /** Queues an encoded frame (the buffer must not change afterwards). */
  queueFrame(frame: Uint8Array): void;
}

/** Outcome of {@link forwardDatagrams}. */
export type ForwardResult = 'forwarded' | 'noRecipient' | 'empty' | 'queueFull';

/**
 * Forwards a validated datagram frame and updates the metrics.
 *
 * @param srcKey - The sender's 32-byte endpoint id.
 * @param srcRecord - The sender's record, to remember whom it sent to.
 * @param data - The frame, validated by `classifyClientFrame`; may be modified.
 * @param type - 4 (single) or 5 (batch).
 * @param headerLength - Bytes of the frame-type varint.
 */
export function forwardDatagrams(
  ctx: ServerContext,
  srcKey: Uint8Array,
  srcRecord: EndpointRecord<RegisteredClient> | undefined,
  data: Uint8Array,
  type: 4 | 5,
  headerLength: number,
): ForwardResult {
  const m = ctx.metrics;
  const batch = type === 5;
  const contentsStart = headerLength + 33 + (batch ? 2 : 0);
  const contentsLength = data.length - contentsStart;
  m.sendPacketsRecv.inc();
  m.bytesRecv.incBy(contentsLength);
  const peer = ctx.registry.lookup(data, headerLength);
  const dst = peer?.active as ForwardTarget | undefined;
  if (peer === undefined || dst === undefined) {
    m.sendPacketsDropped.inc();
    return 'noRecipient';
  }
  if (contentsLength === 0) {
    // iroh would fail the recipient's write on an empty datagram; dropping it is kinder.
    m.sendPacketsDropped.inc();
    return 'empty';
  }
  if (!dst.canQueueDatagram()) {
    m.sendQueueDropped.inc();
    return 'queueFull';
  }
  const zeroSegment = batch && data[headerLength + 33] === 0 && data[headerLength + 34] === 0;
  let frame = data;
  if (headerLength === 1 && !zeroSegment) {
    data[0] = type + 2;
    data.set(srcKey, 1);
    data[33] = data[33]! & 0b11;
  } else {
    const ecn = (data[headerLength + 32]! & 0b11) as 0;
    const segmentSize =
      batch && !zeroSegment ? (data[headerLength + 33]! << 8) | data[headerLength + 34]! : undefined;
    frame = encodeDatagramsFrame(false, srcKey, { ecn, segmentSize, contents: data.subarray(contentsStart) });
  }
  dst.queueFrame(frame);
  m.sendPacketsSent.inc();
  m.bytesSent.incBy(contentsLength);
  srcRecord?.noteSentTo(peer);
  return 'forwarded';
}
