#!/usr/bin/env node
/**
 * iroh-ts demo. For now it shows the identity layer: a fresh endpoint identity, a ticket for it, and the
 * ticket parsed back. The endpoint issue replaces this with an end-to-end connection over an embedded
 * relay and DNS server.
 *
 * Usage: iroh-ts-demo [--relay <url>] [--addr <ip:port>]...
 */
import { parseArgs } from 'node:util';
import { EndpointAddr, SecretKey, Signature } from '@iroh-ts/base';
import { EndpointTicket } from '@iroh-ts/tickets';

function main(): number {
  const { values } = parseArgs({
    options: { relay: { type: 'string' }, addr: { type: 'string', multiple: true } },
    strict: true,
  });
  const secret = SecretKey.generate();
  const id = secret.public();
  const addr = new EndpointAddr(id, values.relay ?? null, values.addr ?? []);
  const ticket = EndpointTicket.fromAddr(addr).toString();

  // Round trips that a user of the identity layer relies on.
  const parsed = EndpointTicket.fromString(ticket).endpointAddr();
  const message = new TextEncoder().encode('hello from iroh-ts');
  const signature = Signature.fromBytes(secret.sign(message).toBytes());
  id.verify(message, signature);
  if (!parsed.equals(addr)) throw new Error('ticket did not round-trip');

  console.log(`endpoint id: ${id}`);
  console.log(`short id:    ${id.fmtShort()}`);
  console.log(`z32 (DNS):   ${id.toZ32()}`);
  console.log(`ticket:      ${ticket}`);
  console.log(`address:     ${parsed}`);
  console.log('ticket parsed back and signature verified: ok');
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`iroh-ts-demo: ${(err as Error).message}`);
  process.exitCode = 1;
}
