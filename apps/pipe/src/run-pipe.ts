/**
 * Both sides' common part: splice the stream with stdin and stdout until both directions end, then
 * close the connection. A signal before that closes it with {@link PIPE_INTERRUPTED}.
 */
import { type Logger, type StopSignal, unlessStopped } from '@iroh-ts/cli-common';
import type { BiStream, Connection } from '@iroh-ts/endpoint';
import { PIPE_INTERRUPTED } from './protocol.js';
import { splice } from './splice.js';

/** Pipes stdin and stdout through `bi`; resolves with the exit status (0 done, 1 interrupted). */
export async function runPipe(
  conn: Connection,
  bi: BiStream,
  stop: StopSignal,
  log: Logger,
): Promise<number> {
  const [path] = conn.paths();
  log.info('connected', {
    remote: conn.remoteId().toString(),
    path: path?.isRelay ? 'relay' : 'direct',
    remoteAddr: path?.remoteAddr,
  });
  try {
    const result = await unlessStopped(splice(conn, bi, process.stdin, process.stdout), stop);
    if (!result) {
      conn.close(PIPE_INTERRUPTED, new TextEncoder().encode('interrupted'));
      log.warn('interrupted before the pipe ended');
      return 1;
    }
    conn.close(0n);
    log.info('done', { sent: result.sent, received: result.received });
    return 0;
  } finally {
    // Stop reading stdin (it may still be open when the other side ended or we were stopped).
    process.stdin.destroy();
  }
}
