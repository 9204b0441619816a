/**
 * Acceptance (endpoint issue): two iroh-ts endpoints find each other by EndpointId alone. Our DNS/pkarr
 * app (`iroh-ts-dns-server --dev`) and our relay app (`iroh-ts-relay --dev`) run as child processes on
 * loopback. Each endpoint publishes its home relay and direct address (unfiltered) to the app's pkarr
 * relay; the dialler resolves the other's id over DNS (UDP) or the pkarr HTTP API, connects over the
 * direct path and echoes data. No address is ever handed from one endpoint to the other.
 */
import { ConnectError, type Endpoint, type EndpointAddr, SecretKey } from '@iroh-ts/endpoint';
import { describe, expect, it } from 'vitest';
import { findDnsApp, findRelayApp } from '../src/dns-peers.js';
import {
  acceptEcho,
  bindPublishing,
  dnsLookup,
  pkarrLookup,
  pkarrUrl,
  waitForLookup,
  withDnsAndRelayApps,
} from '../src/endpoints.js';

const ALPN = 'iroh-ts/test/by-id/1';
const dnsApp = findDnsApp();
const relayApp = findRelayApp();
const skip = 'skip' in dnsApp ? dnsApp.skip : 'skip' in relayApp ? relayApp.skip : null;
if (skip) console.warn(`SKIP endpoint-by-id: ${skip}`);

const enc = new TextEncoder();
const dec = new TextDecoder();

describe.skipIf(skip !== null)('iroh-ts endpoints dial each other by EndpointId alone', () => {
  const apps = withDnsAndRelayApps((dnsApp as { path: string }).path, (relayApp as { path: string }).path);
  const endpoints = apps.endpoints;

  /** An endpoint on our relay that publishes to our DNS app and resolves with `via`. */
  async function bind(via: 'dns' | 'pkarr'): Promise<Endpoint> {
    const resolver = via === 'dns' ? dnsLookup(apps.dns) : pkarrLookup(apps.dns);
    const ep = await bindPublishing({
      dns: apps.dns,
      alpns: [ALPN],
      relay: apps.relay.url,
      resolvers: [resolver],
    });
    endpoints.push(ep);
    return ep;
  }

  /** Waits until `ep`'s home relay and bound socket can be resolved through `via`; returns that. */
  async function published(ep: Endpoint, via: 'dns' | 'pkarr'): Promise<EndpointAddr> {
    await ep.online();
    const socket = ep.boundSockets()[0]!;
    return waitForLookup(
      via === 'dns' ? dnsLookup(apps.dns) : pkarrLookup(apps.dns),
      ep.id(),
      (addr) => addr.relayUrl() !== null && addr.directAddresses().includes(socket),
    );
  }

  for (const via of ['dns', 'pkarr'] as const) {
    it(`A connects to B by id alone (resolved via ${via}) over the direct path and echoes`, async () => {
      const a = await bind(via);
      const b = await bind(via);
      const found = await published(b, via);
      // What B published: its home relay (ours) and its one loopback socket, nothing of A's.
      expect(found.id().equals(b.id())).toBe(true);
      expect(found.relayUrl()).toBe(b.addr().relayUrl());
      expect(found.directAddresses()).toEqual(b.boundSockets());
      // A knows nothing of B yet.
      expect(await a.remoteAddr(b.id())).toBeNull();

      const served = acceptEcho(b);
      const conn = await a.connect(b.id(), ALPN);
      expect(conn.remoteId().equals(b.id())).toBe(true);
      const message = enc.encode(`hello B, from A via ${via}`);
      const { send, recv } = await conn.openBi();
      await send.writeAll(message);
      await send.finish();
      expect(dec.decode(await recv.readToEnd(1 << 16))).toBe(dec.decode(message));

      const [path] = conn.paths();
      expect(path).toMatchObject({ isIp: true, isRelay: false, remoteAddr: b.boundSockets()[0] });
      const echoed = await served;
      expect(echoed.conn.remoteId().equals(a.id())).toBe(true);
      expect(dec.decode(echoed.received)).toBe(dec.decode(message));
      // The lookup's result is now what A knows of B.
      expect((await a.remoteAddr(b.id()))?.directAddresses()).toContain(b.boundSockets()[0]);
      conn.close(0n);
    }, 60_000);
  }

  it('both publish: B dials A back by id too, through the other resolver', async () => {
    const a = await bind('dns');
    const b = await bind('pkarr');
    await Promise.all([published(a, 'pkarr'), published(b, 'dns')]);

    const servedByB = acceptEcho(b);
    const ab = await a.connect(b.id(), ALPN);
    const s1 = await ab.openBi();
    await s1.send.writeAll(enc.encode('ping'));
    await s1.send.finish();
    expect(dec.decode(await s1.recv.readToEnd(100))).toBe('ping');
    expect(ab.paths()[0]?.isIp).toBe(true);
    await servedByB;

    // Being dialled taught B no direct address of A's: that can only come from B's lookup.
    expect((await b.remoteAddr(a.id()))?.directAddresses() ?? []).toEqual([]);
    const servedByA = acceptEcho(a);
    const ba = await b.connect(a.id(), ALPN);
    const s2 = await ba.openBi();
    await s2.send.writeAll(enc.encode('pong'));
    await s2.send.finish();
    expect(dec.decode(await s2.recv.readToEnd(100))).toBe('pong');
    expect(ba.paths()[0]).toMatchObject({ isIp: true, remoteAddr: a.boundSockets()[0] });
    expect((await servedByA).conn.remoteId().equals(b.id())).toBe(true);
    ab.close(0n);
    ba.close(0n);
  }, 60_000);

  it('an id that was never published cannot be dialled: NoAddress', async () => {
    const a = await bind('dns');
    const stranger = SecretKey.generate().public();
    // Our pkarr relay has nothing for it.
    expect((await fetch(`${pkarrUrl(apps.dns)}/${stranger.toZ32()}`)).status).toBe(404);
    const err = await a.connect(stranger, ALPN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe('NoAddress');
  }, 60_000);
});
