/**
 * Splicing a bidirectional stream with local byte streams: `input` (stdin) goes out on the send half,
 * the receive half goes to `output` (stdout), both with back-pressure, until both directions end.
 */
import type { Readable, Writable } from 'node:stream';
import type { BiStream, Connection } from '@iroh-ts/endpoint';

/** How many bytes went each way. */
export interface SpliceResult {
  readonly sent: number;
  readonly received: number;
}

/**
 * Copies `input` to `bi.send` (then finishes it and waits until the other side has it all) and
 * `bi.recv` to `output` (then ends `output` and waits until it is flushed). Resolves when both are
 * done; rejects when either direction fails.
 */
export async function splice(
  conn: Connection,
  bi: BiStream,
  input: Readable,
  output: Writable,
): Promise<SpliceResult> {
  let sent = 0;
  let received = 0;
  const up = (async () => {
    for await (const chunk of input) {
      const bytes = chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk));
      await bi.send.writeAll(bytes);
      sent += bytes.length;
    }
    await bi.send.finish();
    // Done once the other side acknowledged everything (or closed the connection: it only does so
    // after reading to our end).
    await Promise.race([bi.send.stopped(), conn.closed()]);
  })();
  const down = (async () => {
    for (let chunk = await bi.recv.read(); chunk !== null; chunk = await bi.recv.read()) {
      received += chunk.length;
      await write(output, Buffer.from(chunk));
    }
    await end(output);
  })();
  await Promise.all([up, down]);
  return { sent, received };
}

/** Writes with back-pressure: resolves once `output` can take more. */
function write(output: Writable, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      output.off('drain', onDrain);
      reject(e);
    };
    const onDrain = () => {
      output.off('error', onError);
      resolve();
    };
    if (output.write(data)) {
      resolve();
      return;
    }
    output.once('drain', onDrain);
    output.once('error', onError);
  });
}

/** Ends `output` and resolves once everything written is flushed. */
function end(output: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    output.once('error', reject);
    output.end(() => {
      output.off('error', reject);
      resolve();
    });
  });
}
