/**
 * Binding the app's endpoint from its {@link NetworkOptions}, waiting until it is reachable, and the
 * ticket that tells others how to reach it.
 */
import { Endpoint, EndpointTicket, presetMinimal, presetN0, RelayMode } from '@iroh-ts/endpoint';
import { secretKeyFor } from './identity.js';
import type { Logger } from './log.js';
import type { NetworkOptions } from './options.js';

/** How long to wait for the home relay before printing a ticket without it (ms). */
export const ONLINE_TIMEOUT_MS = 15_000;

/**
 * Binds an endpoint with the identity of `--secret-key-file` (or a new one, see {@link secretKeyFor}):
 * `presetN0` with `--n0`, else `presetMinimal` (no relays, no address lookup); `--relay` URLs replace
 * the preset's relays. `alpns` are the protocols it accepts (none for a side that only connects).
 */
export async function bindEndpoint(
  opts: NetworkOptions,
  alpns: readonly string[],
  log: Logger,
): Promise<Endpoint> {
  const secretKey = await secretKeyFor(opts.secretKeyFile, log);
  const builder = Endpoint.builder();
  if (opts.n0) presetN0(builder);
  else presetMinimal(builder);
  if (opts.relays.length > 0) builder.relayMode(RelayMode.customFromUrls(opts.relays));
  return builder.bindAddr(opts.bind).secretKey(secretKey).alpns(alpns).bind();
}

/**
 * Waits until the endpoint's home relay is connected (at once without relays), so its address holds
 * the relay URL; gives up with a warning after {@link ONLINE_TIMEOUT_MS}, or quietly when `cancel`
 * settles first. Resolves with what ended the wait.
 */
export async function waitOnline(
  ep: Endpoint,
  log: Logger,
  cancel: Promise<unknown>,
): Promise<'online' | 'timeout' | 'cancelled'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ONLINE_TIMEOUT_MS);
  });
  const outcome = await Promise.race([
    ep.online().then(() => 'online' as const),
    timedOut,
    cancel.then(() => 'cancelled' as const),
  ]);
  clearTimeout(timer);
  if (outcome === 'timeout')
    log.warn('no relay reachable yet: the ticket holds direct addresses only', {
      waitedMs: ONLINE_TIMEOUT_MS,
    });
  return outcome;
}

/** The ticket for the endpoint's current address (home relay and direct addresses). */
export function ticketFor(ep: Endpoint): string {
  return EndpointTicket.fromAddr(ep.addr()).toString();
}
