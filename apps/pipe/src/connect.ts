/** `iroh-ts-pipe connect <ticket>`: connects to the ticket's endpoint and splices stdin and stdout with it. */
import { EndpointTicket } from '@iroh-ts/endpoint';
import { bindEndpoint } from './bind.js';
import { secretKeyFor } from './identity.js';
import type { Logger } from './log.js';
import { type NetworkOptions, UsageError } from './options.js';
import { HANDSHAKE, PIPE_ALPN } from './protocol.js';
import { runPipe } from './run-pipe.js';
import { type StopSignal, unlessStopped } from './signals.js';

/** Runs the connecting side; resolves with the exit status. */
export async function connect(
  opts: NetworkOptions,
  ticket: string,
  stop: StopSignal,
  log: Logger,
): Promise<number> {
  let addr: ReturnType<EndpointTicket['endpointAddr']>;
  try {
    addr = EndpointTicket.fromString(ticket).endpointAddr();
  } catch (e) {
    throw new UsageError(`not an endpoint ticket: ${(e as Error).message}`);
  }
  const secretKey = await secretKeyFor(opts.secretKeyFile, log);
  const ep = await bindEndpoint(opts, secretKey, []);
  try {
    log.info('connecting', {
      remote: addr.id().toString(),
      relay: addr.relayUrl(),
      direct: addr.directAddresses(),
    });
    const conn = await unlessStopped(ep.connect(addr, PIPE_ALPN), stop);
    if (!conn) return 0;
    const bi = await conn.openBi();
    await bi.send.writeAll(HANDSHAKE);
    return await runPipe(conn, bi, stop, log);
  } finally {
    await ep.close();
  }
}
