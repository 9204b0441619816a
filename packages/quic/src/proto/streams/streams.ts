/**
 * All streams of one connection: who may open how many, implicit opening of peer streams, the
 * application-facing read/write API, incoming stream frames, and the frames we owe the peer
 * (MAX_DATA, MAX_STREAM_DATA, MAX_STREAMS, STOP_SENDING, RESET_STREAM, *_BLOCKED).
 */
import type { Frame, StreamFrame } from '../frame.js';
import { TransportError } from '../transport-error.js';
import { StreamError } from './errors.js';
import { RecvWindow, SendWindow } from './flow-control.js';
import {
  canReceive,
  canSend,
  type Dir,
  type Side,
  streamDir,
  streamId,
  streamIndex,
  streamInitiator,
} from './stream-id.js';
import { RecvHalf, SendHalf } from './stream-state.js';

/** Our limits, advertised to the peer in transport parameters. */
export interface LocalStreamLimits {
  readonly maxBidi: number;
  readonly maxUni: number;
  /** Initial per-stream receive window (initial_max_stream_data_*). */
  readonly streamWindow: number;
  /** Largest per-stream window auto-tuning may grow to. */
  readonly maxStreamWindow: number;
  /** Connection receive window (initial_max_data). */
  readonly connectionWindow: number;
  /** Largest connection window auto-tuning may grow to. */
  readonly maxConnectionWindow: number;
}

/** The peer's limits, from its transport parameters. */
export interface PeerStreamLimits {
  readonly maxBidi: number;
  readonly maxUni: number;
  /** initial_max_stream_data_bidi_local: for streams the peer opens, what the peer receives. */
  readonly bidiLocal: number;
  /** initial_max_stream_data_bidi_remote: for streams we open, what the peer receives. */
  readonly bidiRemote: number;
  readonly uni: number;
  readonly maxData: number;
}

/** The outcome of a read. */
export type ReadResult =
  | { readonly kind: 'data'; readonly offset: number; readonly data: Uint8Array }
  | { readonly kind: 'fin' }
  | { readonly kind: 'reset'; readonly errorCode: bigint }
  | { readonly kind: 'blocked' };

/** Stream events for the application. */
export type StreamEvent =
  | { readonly type: 'opened'; readonly dir: Dir }
  | { readonly type: 'readable'; readonly id: number }
  | { readonly type: 'writable'; readonly id: number }
  | { readonly type: 'finished'; readonly id: number }
  | { readonly type: 'stopped'; readonly id: number; readonly errorCode: bigint }
  /** The peer raised MAX_STREAMS: more streams of `dir` may be opened. */
  | { readonly type: 'limit-raised'; readonly dir: Dir };

interface Stream {
  readonly id: number;
  send: SendHalf | undefined;
  recv: RecvHalf | undefined;
}

/** A STREAM frame worth of data chosen by {@link Streams.pollStreamData}. */
export interface StreamChunk {
  readonly id: number;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly fin: boolean;
  /** Bytes that count against the connection's flow-control limit (new data only). */
  readonly newBytes: number;
}

/** The streams of one connection. */
export class Streams {
  readonly side: Side;
  private readonly local: LocalStreamLimits;
  private peer: PeerStreamLimits;
  private readonly streams = new Map<number, Stream>();
  /** Streams we have opened, per direction. */
  private nextLocal = { bi: 0, uni: 0 };
  /** Peer streams opened so far (count), and how many the application accepted. */
  private nextRemote = { bi: 0, uni: 0 };
  private accepted = { bi: 0, uni: 0 };
  /** Our MAX_STREAMS for the peer, per direction. */
  private remoteLimit: { bi: number; uni: number };
  private remoteLimitPending = { bi: false, uni: false };
  private closedRemote = { bi: 0, uni: 0 };
  /** Connection-level flow control. */
  readonly connRecv: RecvWindow;
  readonly connSend: SendWindow;
  private connMaxDataPending = false;
  /** A MAX_DATA was lost: the current limit must be sent again (RFC 9000 §13.3). */
  private connMaxDataResend = false;
  private readonly events: StreamEvent[] = [];
  /** Round-robin order of streams with something to send. */
  private sendQueue: number[] = [];
  private readonly queued = new Set<number>();
  private blockedStreamsPending = { bi: false, uni: false };
  /** Some control frame may be owed; cleared by {@link pollControlFrames}. */
  private controlDirty = false;

  constructor(side: Side, local: LocalStreamLimits, peer: PeerStreamLimits) {
    this.side = side;
    this.local = local;
    this.peer = peer;
    this.remoteLimit = { bi: local.maxBidi, uni: local.maxUni };
    this.connRecv = new RecvWindow(local.connectionWindow, local.maxConnectionWindow);
    this.connSend = new SendWindow(peer.maxData);
  }

  /** Applies the peer's transport parameters (received during the handshake). */
  setPeerLimits(peer: PeerStreamLimits): void {
    this.peer = peer;
    this.connSend.raise(peer.maxData);
  }

  /** Takes the next stream event. */
  pollEvent(): StreamEvent | undefined {
    return this.events.shift();
  }

  // ---- application API -------------------------------------------------------------------------

  /** Opens a stream; `undefined` when the peer's MAX_STREAMS does not allow another yet. */
  open(dir: Dir): number | undefined {
    const limit = dir === 'bi' ? this.peer.maxBidi : this.peer.maxUni;
    if (this.nextLocal[dir] >= limit) {
      this.blockedStreamsPending[dir] = true;
      this.controlDirty = true;
      return undefined;
    }
    const id = streamId(this.side, dir, this.nextLocal[dir]++);
    this.create(id);
    return id;
  }

  /** Takes the next stream the peer opened, if any. */
  accept(dir: Dir): number | undefined {
    if (this.accepted[dir] >= this.nextRemote[dir]) return undefined;
    const peerSide: Side = this.side === 'client' ? 'server' : 'client';
    return streamId(peerSide, dir, this.accepted[dir]++);
  }

  /** Writes as much of `data` as flow control allows; returns the number of bytes taken. */
  write(id: number, data: Uint8Array): number {
    const send = this.sendHalf(id);
    if (send.stopCode !== undefined)
      throw new StreamError('Stopped', `stream ${id} was stopped by the peer`, send.stopCode);
    if (send.finWritten || send.resetCode !== undefined)
      throw new StreamError('ClosedStream', `stream ${id} is finished`);
    const n = Math.min(data.length, send.writable);
    if (n === 0) return 0;
    send.buffer.write(n === data.length ? data : data.subarray(0, n));
    if (send.state === 'ready') send.state = 'send';
    this.enqueue(id);
    return n;
  }

  /** Marks the end of the stream. */
  finish(id: number): void {
    const send = this.sendHalf(id);
    if (send.stopCode !== undefined)
      throw new StreamError('Stopped', `stream ${id} was stopped by the peer`, send.stopCode);
    if (send.finWritten || send.resetCode !== undefined)
      throw new StreamError('ClosedStream', `stream ${id} is finished`);
    send.finWritten = true;
    send.finPending = true;
    if (send.state === 'ready') send.state = 'send';
    this.enqueue(id);
  }

  /** Abandons sending with an application error code (RESET_STREAM). */
  reset(id: number, errorCode: bigint): void {
    const send = this.sendHalf(id);
    if (send.reset(errorCode)) this.enqueue(id);
  }

  /** Asks the peer to stop sending (STOP_SENDING) and discards what arrives. */
  stop(id: number, errorCode: bigint): void {
    const recv = this.recvHalf(id);
    if (recv.stopCode !== undefined || recv.allRead || recv.resetCode !== undefined) return;
    recv.stopCode = errorCode;
    recv.stopPending = true;
    this.controlDirty = true;
    recv.assembler.discard(recv.assembler.receivedEnd);
    this.release(recv, recv.flow.received);
    this.maybeCollect(id);
  }

  /** Reads up to `max` bytes in order. */
  read(id: number, max = Number.POSITIVE_INFINITY): ReadResult {
    const recv = this.recvHalf(id);
    if (recv.resetCode !== undefined) {
      recv.state = 'reset-read';
      this.maybeCollect(id);
      return { kind: 'reset', errorCode: recv.resetCode };
    }
    const offset = recv.assembler.readOffset;
    const chunk = recv.assembler.readJoined(max);
    if (chunk) {
      recv.flow.onConsumed(chunk.length);
      recv.maxDataPending = true;
      this.controlDirty = true;
      this.release(recv, offset + chunk.length);
      return { kind: 'data', offset, data: chunk };
    }
    if (recv.allRead) {
      recv.state = 'data-read';
      this.maybeCollect(id);
      return { kind: 'fin' };
    }
    return { kind: 'blocked' };
  }

  /**
   * How the sending half of `id` ended, if it did: the peer's STOP_SENDING code, `null` once all we
   * sent was acknowledged (or the stream is gone), `undefined` while neither happened yet.
   */
  sendOutcome(id: number): bigint | null | undefined {
    const send = this.streams.get(id)?.send;
    if (!send) return null;
    if (send.stopCode !== undefined) return send.stopCode;
    return send.state === 'data-recvd' ? null : undefined;
  }

  /** Bytes the application may write to `id` now. */
  writable(id: number): number {
    return this.sendHalf(id).writable;
  }

  /** True when the stream exists (not yet fully closed and collected). */
  has(id: number): boolean {
    return this.streams.has(id);
  }

  // ---- incoming frames -------------------------------------------------------------------------

  /** Handles a stream-related frame from the peer. Throws TransportError on protocol violations. */
  onFrame(f: Frame): void {
    switch (f.type) {
      case 'stream':
        this.onStream(f);
        return;
      case 'resetStream': {
        const recv = this.incomingRecv(f.streamId, 0x04);
        if (!recv) return;
        this.checkFinalSize(recv, f.finalSize, 0x04);
        this.connAdd(recv, f.finalSize, 0x04);
        if (recv.resetCode === undefined && !recv.allRead) {
          recv.resetCode = f.errorCode;
          recv.finalSize = f.finalSize;
          recv.state = 'reset-recvd';
          recv.assembler.discard(f.finalSize);
          this.release(recv, f.finalSize);
          this.events.push({ type: 'readable', id: f.streamId });
        }
        return;
      }
      case 'stopSending': {
        const send = this.incomingSend(f.streamId, 0x05);
        if (!send || send.stopCode !== undefined) return;
        send.stopCode = f.errorCode;
        this.events.push({ type: 'stopped', id: f.streamId, errorCode: f.errorCode });
        if (send.reset(f.errorCode)) this.enqueue(f.streamId);
        return;
      }
      case 'maxStreamData': {
        const send = this.incomingSend(f.streamId, 0x11);
        if (send?.flow.raise(f.maximum) && send.resetCode === undefined && !send.finWritten) {
          this.events.push({ type: 'writable', id: f.streamId });
        }
        return;
      }
      case 'maxData':
        this.connSend.raise(f.maximum);
        return;
      case 'maxStreams': {
        const dir: Dir = f.bidi ? 'bi' : 'uni';
        const key = dir === 'bi' ? 'maxBidi' : 'maxUni';
        if (f.maximum > this.peer[key]) {
          this.peer = { ...this.peer, [key]: f.maximum };
          this.events.push({ type: 'limit-raised', dir });
        }
        return;
      }
      case 'streamDataBlocked':
        this.incomingRecv(f.streamId, 0x15);
        return;
      default:
        return;
    }
  }

  private onStream(f: StreamFrame): void {
    const recv = this.incomingRecv(f.streamId, 0x08);
    if (!recv) return;
    // Before the FIN below can make the stream readable (end of stream is readable too).
    const wasReadable = recv.readable;
    const end = f.offset + f.data.length;
    if (recv.finalSize !== undefined && (end > recv.finalSize || (f.fin && end !== recv.finalSize))) {
      throw TransportError.finalSize(`stream ${f.streamId} data beyond its final size`, 0x08);
    }
    if (f.fin) {
      if (end < recv.flow.received)
        throw TransportError.finalSize(`stream ${f.streamId} final size below data received`, 0x08);
      recv.finalSize = end;
      if (recv.state === 'recv') recv.state = 'size-known';
    }
    this.connAdd(recv, end, 0x08);
    if (recv.stopCode !== undefined || recv.resetCode !== undefined) {
      // Nobody will read it: give the bytes back to the connection window at once.
      this.release(recv, recv.flow.received);
      return;
    }
    // Frame data is a view into a freshly decrypted packet that nobody writes to again.
    recv.assembler.insert(f.offset, f.data, true);
    if (recv.finalSize !== undefined && recv.assembler.receivedEnd >= recv.finalSize)
      recv.state = 'data-recvd';
    if (!wasReadable && recv.readable) this.events.push({ type: 'readable', id: f.streamId });
  }

  /** Counts data up to `end` against the stream's and the connection's receive limits. */
  private connAdd(recv: RecvHalf, end: number, frameType: number): void {
    const added = recv.flow.onReceived(end);
    if (added < 0) throw TransportError.flowControl('stream data beyond MAX_STREAM_DATA', frameType);
    if (added > 0 && this.connRecv.onReceived(this.connRecv.received + added) < 0) {
      throw TransportError.flowControl('stream data beyond MAX_DATA', frameType);
    }
  }

  /** Releases this stream's bytes up to `offset` from the connection receive window. */
  private release(recv: RecvHalf, offset: number): void {
    if (offset <= recv.consumedTo) return;
    this.connRecv.onConsumed(offset - recv.consumedTo);
    recv.consumedTo = offset;
    this.connMaxDataPending = true;
    this.controlDirty = true;
  }

  private checkFinalSize(recv: RecvHalf, finalSize: number, frameType: number): void {
    if (recv.finalSize !== undefined && recv.finalSize !== finalSize) {
      throw TransportError.finalSize('final size changed', frameType);
    }
    if (finalSize < recv.flow.received)
      throw TransportError.finalSize('final size below data received', frameType);
  }

  /** The receiving half for a frame from the peer, opening peer streams implicitly; undefined if already closed. */
  private incomingRecv(id: number, frameType: number): RecvHalf | undefined {
    if (!canReceive(this.side, id))
      throw TransportError.streamState(`stream ${id} is send-only for us`, frameType);
    return this.incoming(id, frameType)?.recv;
  }

  private incomingSend(id: number, frameType: number): SendHalf | undefined {
    if (!canSend(this.side, id))
      throw TransportError.streamState(`stream ${id} is receive-only for us`, frameType);
    return this.incoming(id, frameType)?.send;
  }

  private incoming(id: number, frameType: number): Stream | undefined {
    const existing = this.streams.get(id);
    if (existing) return existing;
    const dir = streamDir(id);
    const index = streamIndex(id);
    if (streamInitiator(id) === this.side) {
      if (index >= this.nextLocal[dir])
        throw TransportError.streamState(`stream ${id} not opened yet`, frameType);
      return undefined; // closed and collected
    }
    if (index >= this.remoteLimit[dir])
      throw TransportError.streamLimit(`stream ${id} exceeds MAX_STREAMS`, frameType);
    if (index < this.nextRemote[dir]) return undefined; // closed and collected
    const peerSide = streamInitiator(id);
    while (this.nextRemote[dir] <= index) {
      this.create(streamId(peerSide, dir, this.nextRemote[dir]++));
      this.events.push({ type: 'opened', dir });
    }
    return this.streams.get(id);
  }

  private create(id: number): void {
    const dir = streamDir(id);
    const ours = streamInitiator(id) === this.side;
    let send: SendHalf | undefined;
    let recv: RecvHalf | undefined;
    if (canSend(this.side, id)) {
      send = new SendHalf(dir === 'uni' ? this.peer.uni : ours ? this.peer.bidiRemote : this.peer.bidiLocal);
    }
    if (canReceive(this.side, id)) recv = new RecvHalf(this.local.streamWindow, this.local.maxStreamWindow);
    this.streams.set(id, { id, send, recv });
  }

  private sendHalf(id: number): SendHalf {
    const s = this.streams.get(id);
    if (!s) throw new StreamError('UnknownStream', `unknown or closed stream ${id}`);
    if (!s.send) throw new StreamError('NotWritable', `stream ${id} is receive-only`);
    return s.send;
  }

  private recvHalf(id: number): RecvHalf {
    const s = this.streams.get(id);
    if (!s) throw new StreamError('UnknownStream', `unknown or closed stream ${id}`);
    if (!s.recv) throw new StreamError('NotReadable', `stream ${id} is send-only`);
    return s.recv;
  }

  /** After {@link pollStreamData} took `id` off the queue: back to the end, or out when nothing is pending. */
  private requeue(id: number, pending: boolean): void {
    if (pending) this.sendQueue.push(id);
    else this.queued.delete(id);
  }

  private enqueue(id: number): void {
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.sendQueue.push(id);
  }

  /** Forgets a stream whose both halves are done; peer streams then raise our MAX_STREAMS. */
  private maybeCollect(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    const sendDone = !s.send || s.send.isFinished || (s.send.resetCode !== undefined && !s.send.resetPending);
    const recvDone =
      !s.recv ||
      s.recv.state === 'data-read' ||
      s.recv.state === 'reset-read' ||
      (s.recv.stopCode !== undefined && !s.recv.stopPending);
    if (!sendDone || !recvDone || s.recv?.maxDataPending || s.recv?.maxDataResend) return;
    this.streams.delete(id);
    if (streamInitiator(id) !== this.side) {
      const dir = streamDir(id);
      this.closedRemote[dir]++;
      this.remoteLimit[dir]++;
      this.remoteLimitPending[dir] = true;
      this.controlDirty = true;
    }
  }

  // ---- outgoing frames -------------------------------------------------------------------------

  /** True when {@link pollControlFrames} may have something to send. */
  get hasControlPending(): boolean {
    return this.controlDirty;
  }

  /** Control frames we owe the peer (flow-control updates, resets, stops), given the time and RTT. */
  pollControlFrames(now: number, rtt: number, out: Frame[]): void {
    if (!this.controlDirty) return;
    this.controlDirty = false;
    if (this.connMaxDataPending || this.connMaxDataResend) {
      const max = this.connRecv.pollUpdate(now, rtt);
      if (max !== undefined) out.push({ type: 'maxData', maximum: max });
      else if (this.connMaxDataResend) out.push({ type: 'maxData', maximum: this.connRecv.advertised });
      this.connMaxDataPending = false;
      this.connMaxDataResend = false;
    }
    for (const dir of ['bi', 'uni'] as const) {
      if (this.remoteLimitPending[dir]) {
        this.remoteLimitPending[dir] = false;
        out.push({ type: 'maxStreams', bidi: dir === 'bi', maximum: this.remoteLimit[dir] });
      }
      if (this.blockedStreamsPending[dir]) {
        this.blockedStreamsPending[dir] = false;
        out.push({
          type: 'streamsBlocked',
          bidi: dir === 'bi',
          limit: dir === 'bi' ? this.peer.maxBidi : this.peer.maxUni,
        });
      }
    }
    const blocked = this.connSend.pollBlocked();
    if (blocked !== undefined && this.sendQueue.length > 0) out.push({ type: 'dataBlocked', limit: blocked });
    for (const s of this.streams.values()) {
      const recv = s.recv;
      if (recv?.stopPending) {
        recv.stopPending = false;
        out.push({ type: 'stopSending', streamId: s.id, errorCode: recv.stopCode! });
      }
      if (recv && (recv.maxDataPending || recv.maxDataResend)) {
        if (recv.finalSize === undefined && recv.stopCode === undefined) {
          const max = recv.flow.pollUpdate(now, rtt);
          if (max !== undefined) out.push({ type: 'maxStreamData', streamId: s.id, maximum: max });
          else if (recv.maxDataResend)
            out.push({ type: 'maxStreamData', streamId: s.id, maximum: recv.flow.advertised });
        }
        recv.maxDataPending = false;
        recv.maxDataResend = false;
        this.maybeCollect(s.id);
      }
    }
  }

  /** Re-queues a control frame whose packet was lost (the current value is resent, not the old one). */
  onControlLost(f: Frame): void {
    this.controlDirty = true;
    switch (f.type) {
      case 'maxData':
        this.connMaxDataResend = true;
        return;
      case 'maxStreamData': {
        const recv = this.streams.get(f.streamId)?.recv;
        if (recv && recv.finalSize === undefined) recv.maxDataResend = true;
        return;
      }
      case 'maxStreams':
        this.remoteLimitPending[f.bidi ? 'bi' : 'uni'] = true;
        return;
      case 'stopSending': {
        const recv = this.streams.get(f.streamId)?.recv;
        if (recv && recv.stopCode !== undefined && recv.finalSize === undefined) recv.stopPending = true;
        return;
      }
      case 'resetStream': {
        const send = this.streams.get(f.streamId)?.send;
        if (send && send.state === 'reset-sent') {
          send.resetPending = true;
          this.enqueue(f.streamId);
        }
        return;
      }
      default:
        return;
    }
  }

  /** A RESET_STREAM we sent was acknowledged. */
  onResetAcked(id: number): void {
    const send = this.streams.get(id)?.send;
    if (!send) return;
    send.state = 'reset-recvd';
    this.maybeCollect(id);
  }

  /**
   * The next piece of stream data (or FIN, or RESET_STREAM) to send in `room` bytes of packet;
   * `capacity(room, id, offset)` says how much data a STREAM frame can carry there (-1: none fits).
   * Streams take turns. Returns a RESET_STREAM frame or a chunk; `undefined` when nothing fits.
   */
  pollStreamData(
    room: number,
    capacity: (room: number, id: number, offset: number) => number,
  ): StreamChunk | Frame | undefined {
    for (let tries = this.sendQueue.length; tries > 0; tries--) {
      // `id` stays in `queued` until `requeue` decides: no Set churn per packet of a busy stream.
      const id = this.sendQueue.shift()!;
      const send = this.streams.get(id)?.send;
      if (!send?.hasPending) {
        this.queued.delete(id);
        continue;
      }
      if (send.resetCode !== undefined) {
        this.queued.delete(id);
        send.resetPending = false;
        return {
          type: 'resetStream',
          streamId: id,
          errorCode: send.resetCode,
          finalSize: send.buffer.offset,
        };
      }
      const offset = send.buffer.unsentOffset;
      const fits = capacity(room, id, offset);
      if (fits < 0) {
        this.sendQueue.push(id);
        return undefined;
      }
      const connCredit = this.connSend.available;
      // Retransmissions are not limited by connection flow control; new data is.
      let chunk = send.buffer.poll(fits);
      if (chunk && !chunk.retransmission && chunk.data.length > connCredit) {
        // Give back what exceeds the connection credit.
        send.buffer.onLost(chunk.offset + connCredit, chunk.data.length - connCredit);
        chunk = connCredit > 0 ? { ...chunk, data: chunk.data.subarray(0, connCredit) } : undefined;
      }
      const allSent = !send.buffer.hasPending;
      const fin =
        send.finPending && allSent && (!chunk || chunk.offset + chunk.data.length === send.buffer.offset);
      if (!chunk && !fin) {
        this.requeue(id, send.hasPending);
        continue;
      }
      if (fin) {
        send.finPending = false;
        send.state = 'data-sent';
      }
      this.requeue(id, send.hasPending);
      const newBytes = chunk && !chunk.retransmission ? chunk.data.length : 0;
      this.connSend.onSent(newBytes);
      return {
        id,
        offset: chunk?.offset ?? send.buffer.offset,
        data: chunk?.data ?? new Uint8Array(0),
        fin,
        newBytes,
      };
    }
    return undefined;
  }

  /** Stream data we sent was acknowledged. */
  onStreamAcked(id: number, offset: number, length: number, fin: boolean): void {
    const send = this.streams.get(id)?.send;
    if (!send || send.resetCode !== undefined) return;
    send.buffer.onAck(offset, length);
    if (fin) send.finAcked = true;
    if (send.isFinished && send.state !== 'data-recvd') {
      send.state = 'data-recvd';
      this.events.push({ type: 'finished', id });
      this.maybeCollect(id);
    }
  }

  /** Stream data we sent was lost. */
  onStreamLost(id: number, offset: number, length: number, fin: boolean): void {
    const send = this.streams.get(id)?.send;
    if (!send || send.resetCode !== undefined) return;
    send.buffer.onLost(offset, length);
    if (fin && !send.finAcked) send.finPending = true;
    if (send.hasPending) this.enqueue(id);
  }

  /** True when some stream has data, a FIN or a reset to send. */
  get hasPendingData(): boolean {
    return this.sendQueue.length > 0;
  }

  /** Number of open streams (for tests and stats). */
  get openCount(): number {
    return this.streams.size;
  }
}
