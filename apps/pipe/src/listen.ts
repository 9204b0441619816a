/**
 * `iroh-ts-pipe listen`: prints `ticket <ticket>` on stdout, accepts the first connection, and
 * splices its stream with stdin and stdout. Later connections are refused.
 */
import {
  announceTicket,
  bindEndpoint,
  type Logger,
  type NetworkOptions,
  type StopSignal,
  unlessStopped,
} from '@iroh-ts/cli-common';
import type { Connection, Endpoint } from '@iroh-ts/endpoint';
import { PIPE_ALPN, readHandshake } from './protocol.js';
import { runPipe } from './run-pipe.js';

/** Runs the listening side; resolves with the exit status. */
export async function listen(opts: NetworkOptions, stop: StopSignal, log: Logger): Promise<number> {
  const ep = await bindEndpoint(opts, [PIPE_ALPN], log);
  try {
    if (!(await announceTicket(ep, opts, stop, log, { msg: 'listening', alpn: PIPE_ALPN }))) return 0;
    const conn = await unlessStopped(acceptFirst(ep, log), stop);
    if (!conn) return 0;
    void refuseOthers(ep, log);
    const bi = await unlessStopped(
      conn.acceptBi().then(async (bi) => {
        await readHandshake(bi.recv);
        return bi;
      }),
      stop,
    );
    if (!bi) return 0;
    return await runPipe(conn, bi, stop, log);
  } finally {
    await ep.close();
  }
}

/** The first incoming connection that completes its handshake; `undefined` once the endpoint closes. */
async function acceptFirst(ep: Endpoint, log: Logger): Promise<Connection | undefined> {
  for (;;) {
    const incoming = await ep.acceptNext();
    if (!incoming) return undefined;
    try {
      return await (await incoming.accept()).connect();
    } catch (e) {
      log.warn('an incoming connection failed', { error: e });
    }
  }
}

/** Refuses every further connection attempt until the endpoint closes. */
async function refuseOthers(ep: Endpoint, log: Logger): Promise<void> {
  for (let incoming = await ep.acceptNext(); incoming; incoming = await ep.acceptNext()) {
    const from = await incoming.remoteAddr();
    await incoming.refuse();
    log.info('refused another connection: already piping', { from: from.addr ?? from.kind });
  }
}
