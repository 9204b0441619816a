/** The connecting side's start: the address in the ticket, and an endpoint bound to reach it. */
import type { Endpoint, EndpointAddr } from '@iroh-ts/endpoint';
import { bindEndpoint } from './bind.js';
import type { Logger } from './log.js';
import { type NetworkOptions, parseTicket } from './options.js';

/** An endpoint ready to connect to the address of a ticket. */
export interface Dialer {
  /** The bound endpoint; the caller closes it. */
  readonly ep: Endpoint;
  /** The address the ticket holds. */
  readonly addr: EndpointAddr;
}

/**
 * Parses `ticket`, binds an endpoint that accepts no protocols, and logs `connecting` with the
 * remote's EndpointId, relay URL and direct addresses. The caller then connects with its ALPN.
 *
 * @throws `UsageError` (before binding) when `ticket` is not an endpoint ticket.
 */
export async function bindDialer(opts: NetworkOptions, ticket: string, log: Logger): Promise<Dialer> {
  const addr = parseTicket(ticket);
  const ep = await bindEndpoint(opts, [], log);
  log.info('connecting', {
    remote: addr.id().toString(),
    relay: addr.relayUrl(),
    direct: addr.directAddresses(),
  });
  return { ep, addr };
}
