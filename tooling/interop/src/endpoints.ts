/**
 * What the endpoint acceptance tests share: iroh-ts endpoints on loopback that publish themselves
 * (every address, unfiltered) to our DNS/pkarr app, resolvers pointed at that app, waiting until a
 * publication is visible, and a one-stream echo acceptor.
 */
import { UdpTransport } from '@iroh-ts/dns-server/node';
import {
  type AddressLookup,
  AddrFilter,
  type Connection,
  DnsLookup,
  Endpoint,
  type EndpointAddr,
  PkarrPublisherLookup,
  PkarrResolverLookup,
  type PublicKey,
  presetMinimal,
  RelayMode,
} from '@iroh-ts/endpoint';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Running, startDnsApp, startRelayApp } from './dns-peers.js';

/** Where our DNS/pkarr app listens (as `startDnsApp` reports it). */
export interface DnsAppAddr {
  readonly http: string;
  readonly dnsPort: number;
  readonly origin: string;
}

/** The pkarr relay endpoint of our DNS app (`PUT`/`GET /pkarr/<z32>`). */
export const pkarrUrl = (dns: DnsAppAddr): string => `${dns.http}/pkarr`;

/** A DNS resolver asking our DNS app over UDP for `_iroh.<z32>.<origin>` (short timeouts for tests). */
export function dnsLookup(dns: DnsAppAddr): DnsLookup {
  return new DnsLookup({
    transport: new UdpTransport({ host: '127.0.0.1', port: dns.dnsPort }),
    origin: dns.origin,
    staggeringMs: [300],
    timeoutMs: 2000,
  });
}

/** A resolver asking our DNS app's pkarr relay over HTTP. */
export const pkarrLookup = (dns: DnsAppAddr): PkarrResolverLookup => new PkarrResolverLookup(pkarrUrl(dns));

/** Options of {@link bindPublishing}. */
export interface PublishingOptions {
  readonly dns: DnsAppAddr;
  /** ALPNs accepted. */
  readonly alpns: readonly string[];
  /** Our relay app's URL; relays are disabled without it. */
  readonly relay?: string;
  /** Resolvers the endpoint dials with (none: it can only dial known addresses). */
  readonly resolvers?: readonly AddressLookup[];
}

/**
 * An endpoint (`presetMinimal`, one UDP socket on 127.0.0.1) that publishes every address it has to
 * our DNS app's pkarr relay and resolves with `resolvers`.
 */
export function bindPublishing(options: PublishingOptions): Promise<Endpoint> {
  const b = Endpoint.builder();
  presetMinimal(b);
  b.bindAddr('127.0.0.1:0').alpns(options.alpns);
  if (options.relay !== undefined) b.relayMode(RelayMode.customFromUrls([options.relay]));
  b.addressLookup(
    PkarrPublisherLookup.builder({ relayUrl: pkarrUrl(options.dns), addrFilter: AddrFilter.unfiltered() }),
  );
  for (const r of options.resolvers ?? []) b.addressLookup(r);
  return b.bind();
}

/**
 * Asks `lookup` for `id` every 100 ms until an answer satisfies `done`, and returns it. Throws after
 * `timeoutMs` with the last answer (or failure) seen.
 */
export async function waitForLookup(
  lookup: AddressLookup,
  id: PublicKey,
  done: (addr: EndpointAddr) => boolean,
  timeoutMs = 20_000,
): Promise<EndpointAddr> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing';
  for (;;) {
    try {
      for await (const item of lookup.resolve(id)) {
        if (done(item.addr)) return item.addr;
        last = item.addr.toString();
      }
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() >= deadline)
      throw new Error(`${id.fmtShort()} not published as expected within ${timeoutMs} ms; last: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What {@link acceptEcho} saw. */
export interface Echoed {
  readonly conn: Connection;
  readonly received: Uint8Array;
}

/**
 * Accepts the next connection on `ep`, echoes its first bi stream back and resolves once the echo is
 * sent. The connection stays open (the dialler closes it).
 */
export async function acceptEcho(ep: Endpoint): Promise<Echoed> {
  const incoming = await ep.acceptNext();
  if (!incoming) throw new Error('the endpoint closed before a connection came in');
  const conn = await (await incoming.accept()).connect();
  const { send, recv } = await conn.acceptBi();
  const received = await recv.readToEnd(1 << 20);
  await send.writeAll(received);
  await send.finish();
  return { conn, received };
}

/** Our DNS/pkarr app and relay app, started once per `describe`, and the endpoints a test binds. */
export interface AppsFixture {
  readonly dns: Running & { http: string; dnsPort: number; origin: string };
  readonly relay: Running & { url: string };
  /** Endpoints to close after each test. */
  readonly endpoints: Endpoint[];
}

/**
 * Registers the hooks that start our DNS/pkarr app and relay app before the tests of the enclosing
 * `describe` (and stop them after), and close each test's endpoints. Read the fields inside tests.
 */
export function withDnsAndRelayApps(dnsMain: string, relayMain: string): AppsFixture {
  const fx = { endpoints: [] as Endpoint[] } as {
    dns: AppsFixture['dns'];
    relay: AppsFixture['relay'];
    endpoints: Endpoint[];
  };
  beforeAll(async () => {
    [fx.dns, fx.relay] = await Promise.all([startDnsApp(dnsMain), startRelayApp(relayMain)]);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(fx.endpoints.splice(0).map((e) => e.close()));
  });
  afterAll(async () => {
    await Promise.all([fx.dns?.stop(), fx.relay?.stop()]);
  });
  return fx;
}
