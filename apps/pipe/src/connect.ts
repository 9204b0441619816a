/** `iroh-ts-pipe connect <ticket>`: connects to the ticket's endpoint and splices stdin and stdout with it. */
import {
  bindDialer,
  type Logger,
  type NetworkOptions,
  type StopSignal,
  unlessStopped,
} from '@iroh-ts/cli-common';
import { HANDSHAKE, PIPE_ALPN } from './protocol.js';
import { runPipe } from './run-pipe.js';

/** Runs the connecting side; resolves with the exit status. */
export async function connect(
  opts: NetworkOptions,
  ticket: string,
  stop: StopSignal,
  log: Logger,
): Promise<number> {
  const { ep, addr } = await bindDialer(opts, ticket, log);
  try {
    const conn = await unlessStopped(ep.connect(addr, PIPE_ALPN), stop);
    if (!conn) return 0;
    const bi = await conn.openBi();
    await bi.send.writeAll(HANDSHAKE);
    return await runPipe(conn, bi, stop, log);
  } finally {
    await ep.close();
  }
}
