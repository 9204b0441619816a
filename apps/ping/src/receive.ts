/**
 * `iroh-ts-ping receive`: binds an endpoint, serves the ping protocol with a `Router`, prints
 * `ticket <ticket>` on stdout, and answers pings until SIGTERM or SIGINT.
 */
import {
  announceTicket,
  bindEndpoint,
  type Logger,
  type NetworkOptions,
  type StopSignal,
} from '@iroh-ts/cli-common';
import { Router } from '@iroh-ts/endpoint';
import { PING_ALPN, Ping } from './protocol.js';

/** Runs the receiver until `stop` fires. */
export async function receive(opts: NetworkOptions, stop: StopSignal, log: Logger): Promise<void> {
  const ep = await bindEndpoint(opts, [PING_ALPN], log);
  const router = Router.builder(ep).accept(PING_ALPN, new Ping(log)).spawn();
  try {
    if (await announceTicket(ep, opts, stop, log, { msg: 'receiving pings', alpn: PING_ALPN }))
      await stop.received;
  } finally {
    await router.shutdown();
  }
  log.info('stopped');
}
