/**
 * HTTP/3 framing (RFC 9114 §7): frames are type (varint), length (varint), payload. Unidirectional
 * streams start with a stream type varint (§6.2). Reserved "grease" types (0x1f * N + 0x21) and other
 * unknown frame types are skipped, as §9 requires.
 */
import type { RecvStream } from '@iroh-ts/quic';
import { concat, decodeVarint, encodeVarint } from './varint.js';

export const FrameType = {
  DATA: 0x00,
  HEADERS: 0x01,
  CANCEL_PUSH: 0x03,
  SETTINGS: 0x04,
  PUSH_PROMISE: 0x05,
  GOAWAY: 0x07,
  MAX_PUSH_ID: 0x0d,
} as const;

export const StreamType = {
  CONTROL: 0x00,
  PUSH: 0x01,
  QPACK_ENCODER: 0x02,
  QPACK_DECODER: 0x03,
} as const;

export const Setting = {
  QPACK_MAX_TABLE_CAPACITY: 0x01,
  MAX_FIELD_SECTION_SIZE: 0x06,
  QPACK_BLOCKED_STREAMS: 0x07,
} as const;

/** HTTP/3 error codes (RFC 9114 §8.1) used here. */
export const H3Error = {
  NO_ERROR: 0x100n,
  GENERAL_PROTOCOL_ERROR: 0x101n,
  STREAM_CREATION_ERROR: 0x103n,
  CLOSED_CRITICAL_STREAM: 0x104n,
  FRAME_UNEXPECTED: 0x105n,
  FRAME_ERROR: 0x106n,
  SETTINGS_ERROR: 0x109n,
  MISSING_SETTINGS: 0x10an,
  MESSAGE_ERROR: 0x10en,
  QPACK_DECOMPRESSION_FAILED: 0x200n,
} as const;

/** An HTTP/3 protocol violation by the peer, with the error code to close (or reset) with. */
export class H3ProtocolError extends Error {
  override readonly name = 'H3ProtocolError';
  constructor(
    message: string,
    readonly code: bigint = H3Error.GENERAL_PROTOCOL_ERROR,
  ) {
    super(message);
  }
}

/** One frame: its type and payload. */
export interface Frame {
  readonly type: number;
  readonly payload: Uint8Array;
}

/** Encodes a frame. */
export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  return concat([encodeVarint(type), encodeVarint(payload.length), payload]);
}

/** Encodes a SETTINGS payload from identifier/value pairs. */
export function encodeSettings(settings: ReadonlyMap<number, number>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [id, value] of settings) parts.push(encodeVarint(id), encodeVarint(value));
  return concat(parts);
}

/** Decodes a SETTINGS payload; duplicate identifiers are a connection error (§7.2.4). */
export function decodeSettings(payload: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  let at = 0;
  while (at < payload.length) {
    const id = decodeVarint(payload, at);
    const value = id && decodeVarint(payload, at + id.length);
    if (!id || !value) throw new H3ProtocolError('truncated SETTINGS frame', H3Error.FRAME_ERROR);
    if (out.has(id.value))
      throw new H3ProtocolError(`duplicate setting 0x${id.value.toString(16)}`, H3Error.SETTINGS_ERROR);
    // HTTP/2 setting identifiers 0x02–0x05 are reserved and must not appear (§7.2.4.1).
    if (id.value >= 0x02 && id.value <= 0x05) {
      throw new H3ProtocolError(
        `HTTP/2 setting 0x${id.value.toString(16)} in SETTINGS`,
        H3Error.SETTINGS_ERROR,
      );
    }
    out.set(id.value, value.value);
    at += id.length + value.length;
  }
  return out;
}

/** Whether `type` is one of the frame types this module knows (others are skipped by readers). */
const KNOWN_FRAMES: ReadonlySet<number> = new Set(Object.values(FrameType));

/**
 * Reads varints and frames from a QUIC receive stream. Received chunks are queued and only copied
 * once, when a frame is complete, so a large DATA frame costs linear time.
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;

  constructor(
    private readonly stream: RecvStream,
    /** Largest frame payload accepted. */
    private readonly maxPayload = 64 << 20,
  ) {}

  /** Reads more bytes; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const chunk = await this.stream.read();
    if (chunk === null) {
      this.ended = true;
      return false;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    return true;
  }

  /** Removes and returns the first `n` buffered bytes (n <= buffered). */
  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      const out = first.slice(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const all = concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.buffered -= n;
    return all.slice(0, n);
  }

  /** The first up-to-8 buffered bytes, enough to decode a varint. */
  private head(): Uint8Array {
    if (this.chunks.length > 1 && this.chunks[0]!.length < 8) this.chunks = [concat(this.chunks)];
    return this.chunks[0] ?? new Uint8Array(0);
  }

  /** Reads one varint; `null` at a clean end of stream; throws on a truncated one. */
  async varint(): Promise<number | null> {
    for (;;) {
      const d = decodeVarint(this.head());
      if (d) {
        this.take(d.length);
        return d.value;
      }
      if (!(await this.fill())) {
        if (this.buffered === 0) return null;
        throw new H3ProtocolError('stream ended inside a varint', H3Error.FRAME_ERROR);
      }
    }
  }

  /** Reads the next frame of a known type, skipping unknown/reserved ones; `null` at end of stream. */
  async frame(): Promise<Frame | null> {
    for (;;) {
      const type = await this.varint();
      if (type === null) return null;
      const length = await this.varint();
      if (length === null)
        throw new H3ProtocolError('stream ended inside a frame header', H3Error.FRAME_ERROR);
      if (length > this.maxPayload)
        throw new H3ProtocolError(`frame of ${length} bytes is too large`, H3Error.FRAME_ERROR);
      while (this.buffered < length) {
        if (!(await this.fill()))
          throw new H3ProtocolError('stream ended inside a frame', H3Error.FRAME_ERROR);
      }
      const payload = this.take(length);
      if (KNOWN_FRAMES.has(type)) return { type, payload };
    }
  }

  /** Reads and discards everything until the end of the stream. */
  async drain(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    while (await this.fill()) {
      this.chunks = [];
      this.buffered = 0;
    }
  }
}
