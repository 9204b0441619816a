/**
 * Acceptance (endpoint issue): a real iroh endpoint (iroh 1.x from crates.io, the `iroh-ts-peer
 * dial-by-id` subcommand) dials an iroh-ts endpoint knowing only its EndpointId. Our endpoint publishes
 * its home relay (our relay app) and its direct address, unfiltered, to our DNS/pkarr app; iroh's
 * `DnsAddressLookup` under the app's origin, with a `DnsResolver` whose only nameserver is the app
 * (UDP), finds it. iroh has relays disabled and no address hints, so it can only get there through our
 * DNS answer, over the direct path. It echoes a message on a bi stream and prints a `result` line.
 */
import { SecretKey } from '@iroh-ts/endpoint';
import { describe, expect, it } from 'vitest';
import { findDnsApp, findPeer, findRelayApp, runPeer } from '../src/dns-peers.js';
import {
  acceptEcho,
  bindPublishing,
  dnsLookup,
  waitForLookup,
  withDnsAndRelayApps,
} from '../src/endpoints.js';

const ALPN = 'iroh-ts/test/rust-by-id/1';
const peer = findPeer();
const dnsApp = findDnsApp();
const relayApp = findRelayApp();
const skip =
  'skip' in peer ? peer.skip : 'skip' in dnsApp ? dnsApp.skip : 'skip' in relayApp ? relayApp.skip : null;
if (skip) console.warn(`SKIP endpoint-rust-by-id (real iroh dials us by EndpointId): ${skip}`);

const dec = new TextDecoder();

describe.skipIf(skip !== null)('real iroh dials an iroh-ts endpoint by EndpointId alone', () => {
  const apps = withDnsAndRelayApps((dnsApp as { path: string }).path, (relayApp as { path: string }).path);
  const endpoints = apps.endpoints;

  /** `iroh-ts-peer dial-by-id <id>` against our DNS app. */
  function dialById(id: string, message: string, timeoutMs = 20_000) {
    return runPeer(
      (peer as { path: string }).path,
      [
        'dial-by-id',
        id,
        '--dns',
        `127.0.0.1:${apps.dns.dnsPort}`,
        '--origin',
        apps.dns.origin,
        '--alpn',
        ALPN,
        '--message',
        message,
        '--timeout-ms',
        String(timeoutMs),
      ],
      timeoutMs + 30_000,
    );
  }

  it('finds our published endpoint through our DNS server, connects directly and echoes', async () => {
    const ep = await bindPublishing({ dns: apps.dns, alpns: [ALPN], relay: apps.relay.url });
    endpoints.push(ep);
    await ep.online();
    const socket = ep.boundSockets()[0]!;
    // Published, as DNS answers it: our relay and our socket.
    const found = await waitForLookup(
      dnsLookup(apps.dns),
      ep.id(),
      (addr) => addr.relayUrl() !== null && addr.directAddresses().includes(socket),
    );
    expect(found.relayUrl()).toBe(ep.addr().relayUrl());
    expect(found.directAddresses()).toEqual([socket]);

    const message = `hello iroh-ts, from real iroh ${Date.now()}`;
    const served = acceptEcho(ep);
    const run = await dialById(ep.id().toString(), message);
    expect(run.code, run.output).toBe(0);
    const result = run.events.find((e) => e.event === 'result');
    expect(result, run.output).toMatchObject({
      ok: true,
      remote: ep.id().toString(),
      alpn: ALPN,
      sent: message,
      echo: message,
    });
    // iroh went straight to our socket (it has no relay of its own).
    const paths = result?.paths as { remote_addr: string; is_ip: boolean; selected: boolean }[];
    expect(paths.find((p) => p.selected)).toMatchObject({ is_ip: true, remote_addr: socket });

    // Our side saw real iroh's key and message.
    const echoed = await served;
    expect(echoed.conn.remoteId().toString()).toBe(result?.id);
    expect(dec.decode(echoed.received)).toBe(message);
    expect(echoed.conn.paths()[0]?.isIp).toBe(true);
  }, 90_000);

  it('cannot find an endpoint that never published: exits non-zero, its address lookup found nothing', async () => {
    const stranger = SecretKey.generate().public();
    const run = await dialById(stranger.toString(), 'nobody there', 10_000);
    expect(run.code, run.output).not.toBe(0);
    expect(
      run.events.find((e) => e.event === 'result'),
      run.output,
    ).toBeUndefined();
    const error = run.events.find((e) => e.event === 'error');
    expect(error, run.output).toMatchObject({ stage: 'connect' });
    // iroh gave up because its DNS lookup found nothing, not for a timeout.
    expect(String(error?.error)).toMatch(/address lookup/i);
  }, 60_000);
});
