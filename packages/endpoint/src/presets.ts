/**
 * Presets, applied to an {@link EndpointBuilder} as functions, as in `@number0/iroh`:
 *
 * - `presetMinimal`: nothing beyond the builder's defaults (relays disabled, no address lookup).
 * - `presetN0`: number 0's public infrastructure, exactly as iroh's N0 preset: the default relays,
 *   a pkarr publisher and resolver on `dns.iroh.link`, and DNS lookup of `_iroh.<z32>.dns.iroh.link`
 *   (outside browsers) through the system's DNS server.
 * - `presetN0DisableRelay`: `presetN0` with relays disabled.
 */
import { type DnsTransport, N0_DNS_ENDPOINT_ORIGIN_PROD, N0_DNS_PKARR_RELAY_PROD } from '@iroh-ts/dns-server';
import { type EndpointBuilder, presetRegistry } from './builder.js';
import { DnsLookup, PkarrPublisherLookup, PkarrResolverLookup } from './lookup/index.js';
import { RelayMode } from './relay-map.js';

/** Nothing beyond the defaults: relays disabled, no address lookup. */
export function presetMinimal(_builder: EndpointBuilder): void {}

/** number 0's relays and DNS/pkarr servers, as iroh's `presets::N0`. */
export function presetN0(builder: EndpointBuilder): void {
  presetMinimal(builder);
  builder.addressLookup(PkarrPublisherLookup.n0());
  builder.addressLookup(PkarrResolverLookup.builder(N0_DNS_PKARR_RELAY_PROD));
  if (isNode())
    builder.addressLookup(
      new DnsLookup({ transport: systemDnsTransport(), origin: N0_DNS_ENDPOINT_ORIGIN_PROD }),
    );
  builder.relayMode(RelayMode.defaultMode());
}

/** `presetN0` without relays. */
export function presetN0DisableRelay(builder: EndpointBuilder): void {
  presetN0(builder);
  builder.relayMode(RelayMode.disabled());
}

presetRegistry.presetMinimal = presetMinimal;
presetRegistry.presetN0 = presetN0;
presetRegistry.presetN0DisableRelay = presetN0DisableRelay;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * DNS over UDP to the first nameserver of `/etc/resolv.conf`, or Google's `8.8.8.8` when that cannot
 * be read (iroh falls back the same way). Loaded lazily: nothing is read until the first query.
 */
export function systemDnsTransport(): DnsTransport {
  let inner: Promise<DnsTransport> | undefined;
  const load = async (): Promise<DnsTransport> => {
    const { UdpTransport } = await import('@iroh-ts/dns-server/node');
    let host = '8.8.8.8';
    try {
      const { readFile } = await import('node:fs/promises');
      const conf = await readFile('/etc/resolv.conf', 'utf8');
      const m = /^\s*nameserver\s+([0-9a-fA-F:.]+)/m.exec(conf);
      if (m?.[1]) host = m[1];
    } catch {
      // No resolv.conf (Windows, containers without one): the fallback stands.
    }
    return new UdpTransport({ host, port: 53 });
  };
  return {
    query(query, signal) {
      inner ??= load();
      return inner.then((t) => t.query(query, signal));
    },
  };
}
