/**
 * `iroh-ts-ping receive`: binds an endpoint, serves the ping protocol with a `Router`, prints
 * `ticket <ticket>` on stdout, and answers pings until SIGTERM or SIGINT.
 */
import { Router } from '@iroh-ts/endpoint';
import { bindEndpoint, ticketFor, waitOnline } from './bind.js';
import { secretKeyFor } from './identity.js';
import type { Logger } from './log.js';
import type { NetworkOptions } from './options.js';
import { PING_ALPN, Ping } from './protocol.js';
import type { StopSignal } from './signals.js';

/** Runs the receiver until `stop` fires. */
export async function receive(opts: NetworkOptions, stop: StopSignal, log: Logger): Promise<void> {
  const secretKey = await secretKeyFor(opts.secretKeyFile, log);
  const ep = await bindEndpoint(opts, secretKey, [PING_ALPN]);
  const router = Router.builder(ep).accept(PING_ALPN, new Ping(log)).spawn();
  try {
    if (opts.relays.length > 0 || opts.n0) log.info('waiting for a home relay', { relays: opts.relays });
    await waitOnline(ep, log, stop.received);
    if (!stop.stopping()) {
      process.stdout.write(`ticket ${ticketFor(ep)}\n`);
      const addr = ep.addr();
      log.info('receiving pings', {
        endpointId: ep.id().toString(),
        relay: addr.relayUrl(),
        direct: addr.directAddresses(),
        alpn: PING_ALPN,
      });
      await stop.received;
    }
  } finally {
    await router.shutdown();
  }
  log.info('stopped');
}
