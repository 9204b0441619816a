/**
 * The accepting side's start: once its endpoint is reachable, it prints `ticket <ticket>` on stdout
 * and logs where it can be reached.
 */
import type { Endpoint } from '@iroh-ts/endpoint';
import { ticketFor, waitOnline } from './bind.js';
import type { Logger } from './log.js';
import type { NetworkOptions } from './options.js';
import type { StopSignal } from './signals.js';

/** The `info` record logged once the ticket is printed. */
export interface Ready {
  /** The record's message (`receiving pings`, `listening`). */
  readonly msg: string;
  /** The protocol the endpoint serves, logged as `alpn`. */
  readonly alpn: string;
}

/**
 * Waits for the home relay when there are relays (see {@link waitOnline}), then prints the line
 * `ticket <ticket>` on stdout and logs `ready` with the EndpointId and addresses. Prints nothing when
 * `stop` fires first.
 *
 * @returns whether the ticket was printed (`false`: stopped first).
 */
export async function announceTicket(
  ep: Endpoint,
  opts: NetworkOptions,
  stop: StopSignal,
  log: Logger,
  ready: Ready,
): Promise<boolean> {
  if (opts.relays.length > 0 || opts.n0) log.info('waiting for a home relay', { relays: opts.relays });
  await waitOnline(ep, log, stop.received);
  if (stop.stopping()) return false;
  process.stdout.write(`ticket ${ticketFor(ep)}\n`);
  const addr = ep.addr();
  log.info(ready.msg, {
    endpointId: ep.id().toString(),
    relay: addr.relayUrl(),
    direct: addr.directAddresses(),
    alpn: ready.alpn,
  });
  return true;
}
