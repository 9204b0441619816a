/**
 * The two halves of a QUIC stream (RFC 9000 §3): what we send and what we receive, with their state
 * machines, buffers and per-stream flow control.
 */
import { Assembler } from './assembler.js';
import { RecvWindow, SendWindow } from './flow-control.js';
import { SendBuffer } from './send-buffer.js';

/** RFC 9000 §3.1 sending states. */
export type SendState = 'ready' | 'send' | 'data-sent' | 'data-recvd' | 'reset-sent' | 'reset-recvd';
/** RFC 9000 §3.2 receiving states. */
export type RecvState = 'recv' | 'size-known' | 'data-recvd' | 'data-read' | 'reset-recvd' | 'reset-read';

/** Our sending half of a stream. */
export class SendHalf {
  state: SendState = 'ready';
  readonly buffer = new SendBuffer();
  /** The peer's MAX_STREAM_DATA for this stream. */
  readonly flow: SendWindow;
  /** The application called finish. */
  finWritten = false;
  /** A FIN must be (re)sent: set on finish and when a packet carrying the FIN is lost. */
  finPending = false;
  /** The FIN was acknowledged. */
  finAcked = false;
  /** Our RESET_STREAM error code, once reset. */
  resetCode: bigint | undefined;
  /** A RESET_STREAM must be (re)sent. */
  resetPending = false;
  /** The peer's STOP_SENDING code, if it asked us to stop. */
  stopCode: bigint | undefined;

  constructor(peerMaxStreamData: number) {
    this.flow = new SendWindow(peerMaxStreamData);
  }

  /** Bytes the application may still write before the peer's stream limit. */
  get writable(): number {
    if (this.finWritten || this.resetCode !== undefined) return 0;
    return Math.max(0, this.flow.limit - this.buffer.offset);
  }

  /** Something (data, FIN or a reset) waits to be sent. */
  get hasPending(): boolean {
    if (this.resetCode !== undefined) return this.resetPending;
    return this.buffer.hasPending || this.finPending;
  }

  /** Every byte and the FIN were acknowledged. */
  get isFinished(): boolean {
    return this.finAcked && this.buffer.allAcked;
  }

  /** Resets the stream with `code` (RESET_STREAM); returns false if it was already finished or reset. */
  reset(code: bigint): boolean {
    if (this.resetCode !== undefined || this.state === 'data-recvd') return false;
    this.resetCode = code;
    this.resetPending = true;
    this.state = 'reset-sent';
    this.buffer.clear();
    this.finPending = false;
    return true;
  }
}

/** Our receiving half of a stream. */
export class RecvHalf {
  state: RecvState = 'recv';
  readonly assembler = new Assembler();
  /** Our MAX_STREAM_DATA for this stream. */
  readonly flow: RecvWindow;
  /** The final size, once known (FIN or RESET_STREAM). */
  finalSize: number | undefined;
  /** The peer's RESET_STREAM code. */
  resetCode: bigint | undefined;
  /** Our STOP_SENDING code, once the application stopped reading. */
  stopCode: bigint | undefined;
  /** A STOP_SENDING must be (re)sent. */
  stopPending = false;
  /** The application read data: a MAX_STREAM_DATA may be due (sent when worth it). */
  maxDataPending = false;
  /** A MAX_STREAM_DATA was lost: the current limit must be sent again (RFC 9000 §13.3). */
  maxDataResend = false;
  /** Offset up to which this stream's bytes are released from the connection's receive window. */
  consumedTo = 0;

  constructor(window: number, maxWindow: number) {
    this.flow = new RecvWindow(window, maxWindow);
  }

  /** All data up to the final size has been read. */
  get allRead(): boolean {
    return this.finalSize !== undefined && this.assembler.readOffset >= this.finalSize;
  }

  /** Whether the application can make progress reading now (data, end of stream, or a reset). */
  get readable(): boolean {
    return this.assembler.readable || this.allRead || this.resetCode !== undefined;
  }
}
