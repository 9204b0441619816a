/**
 * `iroh-ts-pipe listen`: prints `ticket <ticket>` on stdout, accepts the first connection, and
 * splices its stream with stdin and stdout. Later connections are refused.
 */
import type { Connection, Endpoint } from '@iroh-ts/endpoint';
import { bindEndpoint, ticketFor, waitOnline } from './bind.js';
import { secretKeyFor } from './identity.js';
import type { Logger } from './log.js';
import type { NetworkOptions } from './options.js';
import { PIPE_ALPN, readHandshake } from './protocol.js';
import { runPipe } from './run-pipe.js';
import { type StopSignal, unlessStopped } from './signals.js';

/** Runs the listening side; resolves with the exit status. */
export async function listen(opts: NetworkOptions, stop: StopSignal, log: Logger): Promise<number> {
  const secretKey = await secretKeyFor(opts.secretKeyFile, log);
  const ep = await bindEndpoint(opts, secretKey, [PIPE_ALPN]);
  try {
    if (opts.relays.length > 0 || opts.n0) log.info('waiting for a home relay', { relays: opts.relays });
    await waitOnline(ep, log, stop.received);
    if (stop.stopping()) return 0;
    process.stdout.write(`ticket ${ticketFor(ep)}\n`);
    const addr = ep.addr();
    log.info('listening', {
      endpointId: ep.id().toString(),
      relay: addr.relayUrl(),
      direct: addr.directAddresses(),
      alpn: PIPE_ALPN,
    });
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
