/**
 * Datagrams carried by relay frames: one datagram, or a batch of equal-size segments (the last may be
 * shorter), plus the ECN bits. Modelled on a QUIC `Transmit`.
 *
 * @module
 */
import { RelayProtocolError } from './errors.js';

/** ECN codepoints as carried in the frame's ECN byte (only the low 2 bits count). */
export const Ecn = {
  /** Not ECN-capable. */
  NotEct: 0b00,
  /** ECT(1). */
  Ect1: 0b01,
  /** ECT(0). */
  Ect0: 0b10,
  /** Congestion experienced. */
  Ce: 0b11,
} as const;

/** One of the {@link Ecn} values. */
export type Ecn = (typeof Ecn)[keyof typeof Ecn];

/** One or more datagrams to or from one remote endpoint. */
export interface Datagrams {
  /** ECN bits; the low 2 bits of the wire byte. */
  readonly ecn: Ecn;
  /**
   * Size of each datagram when `contents` holds a batch (the last may be shorter); `undefined` for a
   * single datagram.
   */
  readonly segmentSize?: number | undefined;
  /** The datagram bytes, back to back. */
  readonly contents: Uint8Array;
}

/** Reduces a wire ECN byte to its codepoint, as iroh does (`EcnCodepoint::from_bits`). */
export function ecnFromByte(byte: number): Ecn {
  return (byte & 0b11) as Ecn;
}

/** Splits `datagrams` into its individual datagrams (views into `contents`, no copies). */
export function splitDatagrams(datagrams: Datagrams): Uint8Array[] {
  const { contents, segmentSize } = datagrams;
  if (segmentSize === undefined || segmentSize >= contents.length) return [contents];
  const out: Uint8Array[] = [];
  for (let at = 0; at < contents.length; at += segmentSize) {
    out.push(contents.subarray(at, Math.min(at + segmentSize, contents.length)));
  }
  return out;
}

/**
 * Packs equal-size datagrams (the last may be shorter) into one batch.
 *
 * @throws {@link RelayProtocolError} `EmptyDatagram` for an empty list or datagram, `InvalidArgument`
 *   if a datagram other than the last differs in size from the first, or the first exceeds 65535 bytes.
 */
export function batchDatagrams(datagrams: readonly Uint8Array[], ecn: Ecn = Ecn.NotEct): Datagrams {
  const first = datagrams[0];
  if (first === undefined) throw new RelayProtocolError('EmptyDatagram', 'no datagrams to batch');
  if (datagrams.length === 1) return { ecn, contents: first };
  const segmentSize = first.length;
  if (segmentSize === 0 || segmentSize > 0xffff) {
    throw new RelayProtocolError('InvalidArgument', `segment size must be 1..65535, got ${segmentSize}`);
  }
  let total = 0;
  for (let i = 0; i < datagrams.length; i++) {
    const d = datagrams[i]!;
    const last = i === datagrams.length - 1;
    if (d.length === 0) throw new RelayProtocolError('EmptyDatagram', `datagram ${i} is empty`);
    if (last ? d.length > segmentSize : d.length !== segmentSize) {
      throw new RelayProtocolError(
        'InvalidArgument',
        `datagram ${i} has ${d.length} bytes; batches need equal sizes (${segmentSize}), only the last may be shorter`,
      );
    }
    total += d.length;
  }
  const contents = new Uint8Array(total);
  let at = 0;
  for (const d of datagrams) {
    contents.set(d, at);
    at += d.length;
  }
  return { ecn, segmentSize, contents };
}

/**
 * Takes up to `maxSegments` datagrams from the front of a batch, like iroh's `take_segments`.
 *
 * @returns `[taken, rest]`; `rest` is `undefined` when nothing is left. A part holding a single
 *   datagram has no segment size.
 */
export function takeSegments(
  datagrams: Datagrams,
  maxSegments: number,
): [taken: Datagrams, rest: Datagrams | undefined] {
  const { segmentSize, contents, ecn } = datagrams;
  if (segmentSize === undefined) return [datagrams, undefined];
  const n = Math.max(1, Math.floor(maxSegments));
  const cut = Math.min(n * segmentSize, contents.length);
  const head = contents.subarray(0, cut);
  const tail = contents.subarray(cut);
  const taken: Datagrams = {
    ecn,
    contents: head,
    segmentSize: head.length > segmentSize ? segmentSize : undefined,
  };
  if (tail.length === 0) return [taken, undefined];
  return [taken, { ecn, contents: tail, segmentSize: tail.length > segmentSize ? segmentSize : undefined }];
}
