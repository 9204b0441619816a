#!/usr/bin/env node
/**
 * iroh-ts demo, end to end on this machine: an embedded relay and DNS/pkarr server, and two endpoints.
 * B publishes its home relay under its EndpointId; A knows nothing but B's EndpointId, resolves it over
 * DNS, and opens a QUIC connection (TLS 1.3 with raw Ed25519 keys, as iroh) to B through the relay;
 * then they echo a message on a stream. Every step prints one line.
 *
 * Usage: iroh-ts-demo [--message <text>]
 */
import { parseArgs } from 'node:util';
import { EndpointAddr, type PublicKey, SecretKey } from '@iroh-ts/base';
import { DnsAddressLookup, PkarrPublisher } from '@iroh-ts/dns-server';
import { UdpTransport as DnsUdpTransport } from '@iroh-ts/dns-server/node';
import { PkarrServer } from '@iroh-ts/dns-server/server';
import { irohClientCrypto, irohServerCrypto, QuicEndpoint } from '@iroh-ts/quic';
import { RelayClient } from '@iroh-ts/relay';
import { RelayServer } from '@iroh-ts/relay/server';
import { EndpointTicket } from '@iroh-ts/tickets';
import { RelayTransport } from './relay-transport.js';

const ALPN = 'iroh-ts/demo/echo/1';
const ORIGIN = 'demo.iroh.test.';

/** One endpoint: an identity, a connection to its home relay, and QUIC on top of it. */
async function endpoint(
  secret: SecretKey,
  relayUrl: string,
): Promise<{ quic: QuicEndpoint; relay: RelayClient }> {
  const relay = new RelayClient({ url: relayUrl, secretKey: secret });
  await relay.connect();
  const quic = await QuicEndpoint.bind({ transport: new RelayTransport(relay, secret.public()) });
  return { quic, relay };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { message: { type: 'string' } }, strict: true });
  const message = values.message ?? 'hello from iroh-ts';
  const started = performance.now();

  const relayServer = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 } });
  const dns = await PkarrServer.start({
    http: { host: '127.0.0.1', port: 0, rateLimit: 'disabled' },
    dns: { host: '127.0.0.1', port: 0, origins: [ORIGIN] },
    eviction: false,
  });
  console.log(`relay:       ${relayServer.url} (embedded)`);
  console.log(`dns-server:  http=${dns.httpUrl} dns=127.0.0.1:${dns.dnsUdpAddr!.port} origin=${ORIGIN}`);

  // B: home relay, publishes where it can be reached, accepts QUIC connections and echoes a stream.
  const bSecret = SecretKey.generate();
  const b = await endpoint(bSecret, relayServer.url);
  const publisher = new PkarrPublisher({ relayUrl: dns.pkarrUrl!, secretKey: bSecret });
  publisher.update(new EndpointAddr(bSecret.public(), relayServer.url, []));
  await publisher.flush();
  console.log(`B:           ${bSecret.public()} published its relay to the pkarr server`);
  console.log(
    `B's ticket:  ${EndpointTicket.fromAddr(new EndpointAddr(bSecret.public(), relayServer.url, []))}`,
  );
  const served = (async () => {
    const incoming = await b.quic.acceptNext();
    if (!incoming) throw new Error('B: no incoming connection');
    const conn = await incoming.accept(irohServerCrypto({ secretKey: bSecret, alpns: [ALPN] }));
    const { send, recv } = await conn.acceptBi();
    await send.writeAll(await recv.readToEnd(64 * 1024));
    await send.finish();
    return conn.peerIdentity();
  })();

  // A: knows only B's EndpointId. DNS gives the relay; QUIC goes through it.
  const bId: PublicKey = bSecret.public();
  const lookup = new DnsAddressLookup({
    origin: ORIGIN,
    transport: new DnsUdpTransport({ host: '127.0.0.1', port: dns.dnsUdpAddr!.port }),
  });
  const info = await lookup.resolve(bId);
  const bRelay = info.relayUrls()[0]?.toString();
  if (!bRelay) throw new Error('B published no relay');
  console.log(
    `A:           resolved ${bId.fmtShort()} over DNS (TXT _iroh.${bId.toZ32()}.${ORIGIN}) → relay=${bRelay}`,
  );
  const aSecret = SecretKey.generate();
  const a = await endpoint(aSecret, bRelay);
  const conn = await a.quic.connect(
    bId.toString(),
    irohClientCrypto({ secretKey: aSecret, remoteId: bId, alpns: [ALPN] }),
  );
  console.log(
    `A → B:       QUIC + TLS 1.3 handshake through the relay, ALPN ${new TextDecoder().decode(conn.alpn())}, B's key verified`,
  );
  const { send, recv } = await conn.openBi();
  await send.writeAll(new TextEncoder().encode(message));
  await send.finish();
  const echoed = new TextDecoder().decode(await recv.readToEnd(64 * 1024));
  const seenByB = await served;
  if (echoed !== message) throw new Error(`echo mismatch: ${JSON.stringify(echoed)}`);
  console.log(
    `echo:        "${echoed}" (B saw A as ${seenByB?.kind === 'raw-public-key' ? seenByB.key.fmtShort() : 'unknown'})`,
  );
  console.log(`done in ${Math.round(performance.now() - started)} ms: ok`);

  conn.close(0n);
  publisher.close();
  await a.quic.close();
  await b.quic.close();
  await relayServer.stop();
  await dns.stop();
}

main().catch((err: unknown) => {
  console.error(`iroh-ts-demo: ${(err as Error).message}`);
  process.exitCode = 1;
});
