/** Async streams over a driven connection, with the method names of `@number0/iroh`. */
import { StreamError } from '../proto/streams/errors.js';
import type { ConnectionDriver } from './driver.js';

/** The sending half of a QUIC stream. */
export class SendStream {
  constructor(
    private readonly d: ConnectionDriver,
    /** The QUIC stream id. */
    readonly id: number,
  ) {}

  /** Writes some of `data` (waiting for flow-control credit if none); returns the number of bytes taken. */
  async write(data: Uint8Array): Promise<number> {
    if (data.length === 0) return 0;
    for (;;) {
      this.d.checkOpen();
      const n = this.d.conn.write(this.id, data);
      if (n > 0) {
        this.d.schedule();
        return n;
      }
      await this.d.writable(this.id).wait();
    }
  }

  /** Writes all of `data`. */
  async writeAll(data: Uint8Array): Promise<void> {
    let at = 0;
    while (at < data.length) at += await this.write(data.subarray(at));
  }

  /** Ends the stream; the peer sees end-of-stream after the data. */
  async finish(): Promise<void> {
    this.d.checkOpen();
    this.d.conn.finish(this.id);
    this.d.drive();
  }

  /** Abandons the stream with an application error code. */
  async reset(errorCode: bigint): Promise<void> {
    this.d.conn.resetStream(this.id, errorCode);
    this.d.drive();
  }

  /**
   * A WHATWG `WritableStream` over this stream: closing it finishes the QUIC stream, aborting it resets
   * the stream with error code 0.
   */
  toWritable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>(
      {
        write: (chunk) => this.writeAll(chunk),
        close: () => this.finish(),
        abort: () => this.reset(0n),
      },
      { highWaterMark: 1 },
    );
  }

  /** Resolves when the peer has acknowledged everything (after {@link finish}). */
  async stopped(): Promise<bigint | null> {
    return this.d.finished(this.id);
  }
}

/** The receiving half of a QUIC stream. */
export class RecvStream {
  constructor(
    private readonly d: ConnectionDriver,
    /** The QUIC stream id. */
    readonly id: number,
  ) {}

  /** Reads up to `sizeLimit` bytes; `null` at the end of the stream. */
  async read(sizeLimit = 64 * 1024): Promise<Uint8Array | null> {
    for (;;) {
      const r = this.d.conn.read(this.id, sizeLimit);
      if (r.kind === 'data') {
        this.d.schedule();
        return r.data;
      }
      if (r.kind === 'fin') return null;
      if (r.kind === 'reset')
        throw new StreamError(
          'Reset',
          `stream ${this.id} was reset by the peer (code ${r.errorCode})`,
          r.errorCode,
        );
      this.d.checkOpen();
      await this.d.readable(this.id).wait();
    }
  }

  /** Reads exactly `size` bytes, or throws if the stream ends first. */
  async readExact(size: number): Promise<Uint8Array> {
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const chunk = await this.read(size - at);
      if (chunk === null)
        throw new StreamError('ClosedStream', `stream ${this.id} ended after ${at} of ${size} bytes`);
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /** Reads to the end of the stream; throws if more than `sizeLimit` bytes arrive. */
  async readToEnd(sizeLimit: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let c = await this.read(); c !== null; c = await this.read()) {
      total += c.length;
      if (total > sizeLimit) {
        this.stop(0n);
        throw new StreamError(
          'NotReadable',
          `stream ${this.id} is longer than the limit of ${sizeLimit} bytes`,
        );
      }
      chunks.push(c);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /**
   * A WHATWG `ReadableStream` over this stream (pull-based, so QUIC flow control applies back-pressure);
   * cancelling it sends STOP_SENDING with error code 0.
   */
  toReadable(chunkSize = 64 * 1024): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.read(chunkSize);
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        },
        cancel: () => this.stop(0n),
      },
      { highWaterMark: 0 },
    );
  }

  /** Tells the peer to stop sending (STOP_SENDING with `errorCode`). */
  stop(errorCode: bigint): void {
    this.d.conn.stopSending(this.id, errorCode);
    this.d.drive();
  }
}
