/**
 * The write side of one relay connection: the bounded "send queue".
 *
 * The queue is the socket's own write buffer. A frame counts as queued from `ws.send` until the
 * socket has handed it to the kernel; datagrams are refused once `sendQueueDepth` frames (512 by
 * default) or `maxSendQueueBytes` are waiting, so a slow reader costs a bounded amount of memory.
 * Frames written in one event-loop turn leave in a single `writev`: the socket is corked on the
 * first write and uncorked once the turn's writes are queued.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ServerContext } from './context.js';

const SEND_OPTIONS = { binary: true } as const;
/**
 * Corked frames written out without waiting for the end of the turn. One turn can read a sender's whole
 * backlog; without this the recipient's queue would fill with frames the kernel has room for, and the
 * queue bound would drop datagrams that were never really waiting.
 */
const FLUSH_EVERY_FRAMES = 64;

/** Writes frames to one client. */
export class FrameSender {
  readonly #ctx: ServerContext;
  readonly #ws: WebSocket;
  readonly #socket: Writable | undefined;
  readonly #onError: () => void;
  #inflight = 0;
  #progressAt = 0;
  #corked = false;
  #corkedFrames = 0;
  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket!.uncork();
  };
  readonly #onWritten = (err?: Error | null): void => {
    this.#inflight--;
    this.#progressAt = this.#ctx.now();
    if (err) this.#onError();
  };

  /**
   * @param socket - The WebSocket's underlying socket, corked to batch writes; `undefined` disables
   *   batching.
   * @param onError - Called when a write fails.
   */
  constructor(ctx: ServerContext, ws: WebSocket, socket: Writable | undefined, onError: () => void) {
    this.#ctx = ctx;
    this.#ws = ws;
    this.#socket = socket;
    this.#onError = onError;
  }

  /** Frames handed to the socket but not yet written out. */
  get inflight(): number {
    return this.#inflight;
  }

  /** True when a datagram may be queued (the queue is below both limits). */
  hasRoom(): boolean {
    const limits = this.#ctx.limits;
    return this.#inflight < limits.sendQueueDepth && this.#ws.bufferedAmount <= limits.maxSendQueueBytes;
  }

  /** True when frames are waiting and none was written out for `timeoutMs`. */
  stalled(now: number, timeoutMs: number): boolean {
    return this.#inflight > 0 && now - this.#progressAt >= timeoutMs;
  }

  /** Writes one frame (the buffer must not change afterwards); a no-op once the socket is closing. */
  send(frame: Uint8Array): void {
    if (this.#ws.readyState !== 1) return;
    if (this.#inflight === 0) this.#progressAt = this.#ctx.now();
    this.#inflight++;
    const socket = this.#socket;
    if (socket !== undefined) {
      if (!this.#corked) {
        this.#corked = true;
        this.#corkedFrames = 0;
        socket.cork();
        this.#ctx.deferUncork(this.#uncork);
      } else if (++this.#corkedFrames >= FLUSH_EVERY_FRAMES) {
        // Hand what is batched so far to the kernel; stay corked for the rest of the turn.
        socket.uncork();
        socket.cork();
        this.#corkedFrames = 0;
      }
    }
    this.#ws.send(frame, SEND_OPTIONS, this.#onWritten);
  }
}
