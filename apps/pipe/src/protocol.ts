/**
 * The pipe protocol (ALPN `iroh-ts/pipe/0`), as dumbpipe's: the connecting side opens one
 * bidirectional stream and writes {@link HANDSHAKE} first (a QUIC stream reaches the other side only
 * once something is sent on it, and the connecting side may have nothing to send yet); after that,
 * each direction carries one side's stdin to the other side's stdout, and finishing a direction is
 * end-of-file.
 */
import type { RecvStream } from '@iroh-ts/endpoint';

/** The ALPN of the pipe protocol. */
export const PIPE_ALPN = 'iroh-ts/pipe/0';
/** What the connecting side writes first on the stream. */
export const HANDSHAKE: Uint8Array = new TextEncoder().encode('hello');
/** The application close code of a side that was stopped (SIGTERM/SIGINT) before the pipe ended. */
export const PIPE_INTERRUPTED = 1n;

/** The other side does not speak the pipe protocol. */
export class PipeProtocolError extends Error {
  readonly code = 'BadHandshake';
  constructor(message: string) {
    super(message);
    this.name = 'PipeProtocolError';
  }
}

/** Reads and checks the handshake. @throws {@link PipeProtocolError} */
export async function readHandshake(recv: RecvStream): Promise<void> {
  let got: Uint8Array;
  try {
    got = await recv.readExact(HANDSHAKE.length);
  } catch (e) {
    throw new PipeProtocolError(`no handshake from the other side: ${(e as Error).message}`);
  }
  if (Buffer.compare(got, HANDSHAKE) !== 0)
    throw new PipeProtocolError('the other side sent a wrong handshake');
}
