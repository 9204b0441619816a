/**
 * Acceptance (foundation issue): 300 random EndpointAddrs; tickets made by real iroh parse with ours into
 * an equal address and re-encode to the identical string; ours (with up to 3 relays) parse in real iroh
 * with the same string, id and direct addresses; the transcribed vectors pass in real iroh too.
 */

import { EndpointAddr, PublicKey, RelayUrl, SocketAddr, TransportAddr } from '@iroh-ts/base';
import { EndpointTicket, TicketParseError } from '@iroh-ts/tickets';
import * as iroh from '@number0/iroh';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../../packages/tickets/test/fixtures/ticket-vectors.json' with { type: 'json' };
import { arr, relayUrlText, seed32, socketAddrText } from '../src/arbitraries.js';

const pubFromSeed = (seed: Uint8Array) => iroh.SecretKey.fromBytes(arr(seed)).public();

describe('tickets agree with real iroh (@number0/iroh)', () => {
  it('300 tickets made by iroh (0–1 relay, 0–5 addresses) parse into equal addresses and re-encode identically', () => {
    fc.assert(
      fc.property(
        seed32,
        fc.option(relayUrlText, { nil: null }),
        fc.array(socketAddrText, { maxLength: 5 }),
        (seed, relay, addrs) => {
          const theirId = pubFromSeed(seed);
          const theirTicket = iroh.EndpointTicket.fromAddr(
            new iroh.EndpointAddr(theirId, relay, addrs),
          ).toString();
          const ours = EndpointTicket.fromString(theirTicket);
          const expected = new EndpointAddr(
            PublicKey.fromBytes(Uint8Array.from(theirId.toBytes())),
            relay,
            addrs,
          );
          expect(ours.endpointAddr().equals(expected)).toBe(true);
          expect(ours.toString()).toBe(theirTicket);
          // Our view matches iroh's view of the same ticket.
          const theirAddr = iroh.EndpointTicket.fromString(theirTicket).endpointAddr();
          expect(ours.endpointAddr().id().toString()).toBe(theirAddr.id().toString());
          expect(ours.endpointAddr().relayUrl()).toBe(theirAddr.relayUrl());
          expect(ours.endpointAddr().directAddresses()).toEqual(theirAddr.directAddresses());
          expect(ours.endpointAddr().toString()).toBe(theirAddr.toString());
          // Our encoding of the same inputs is byte-identical.
          expect(EndpointTicket.fromAddr(expected).toString()).toBe(theirTicket);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('300 of our tickets (0–3 relays, 0–5 addresses) parse in iroh with the same string, id and addresses', () => {
    fc.assert(
      fc.property(
        seed32,
        fc.array(relayUrlText, { maxLength: 3 }),
        fc.array(socketAddrText, { maxLength: 5 }),
        (seed, relays, addrs) => {
          const id = PublicKey.fromBytes(Uint8Array.from(pubFromSeed(seed).toBytes()));
          const addr = EndpointAddr.fromParts(id, [
            ...relays.map((r) => TransportAddr.relay(r)),
            ...addrs.map((a) => TransportAddr.ip(a)),
          ]);
          const ours = EndpointTicket.fromAddr(addr).toString();
          const theirs = iroh.EndpointTicket.fromString(ours);
          expect(theirs.toString()).toBe(ours);
          const theirAddr = theirs.endpointAddr();
          expect(theirAddr.id().toString()).toBe(id.toString());
          expect(theirAddr.directAddresses()).toEqual(addr.directAddresses());
          const relayUrls = addr.relayUrls().map(String);
          if (relayUrls.length <= 1) expect(theirAddr.relayUrl()).toBe(addr.relayUrl());
          // With several relays iroh's JS binding reports one of them (the last); it must be one of ours.
          else expect(relayUrls).toContain(theirAddr.relayUrl());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('relay URLs and socket addresses normalise to the same text as iroh', () => {
    fc.assert(
      fc.property(seed32, relayUrlText, socketAddrText, (seed, relay, sock) => {
        const t = iroh.EndpointTicket.fromAddr(new iroh.EndpointAddr(pubFromSeed(seed), relay, [sock]));
        const a = iroh.EndpointTicket.fromString(t.toString()).endpointAddr();
        expect(RelayUrl.parse(relay).toString()).toBe(a.relayUrl());
        expect([SocketAddr.parse(sock).toString()]).toEqual(a.directAddresses());
      }),
      { numRuns: 300 },
    );
  });

  it('the transcribed vectors parse in iroh and re-encode identically', () => {
    for (const c of vectors.tickets.cases) {
      const theirs = iroh.EndpointTicket.fromString(c.ticket);
      expect(theirs.toString()).toBe(c.ticket);
      expect(theirs.endpointAddr().id().toString()).toBe(c.endpoint_id_hex);
      expect(EndpointTicket.fromString(c.ticket).endpointAddr().toString()).toBe(
        theirs.endpointAddr().toString(),
      );
    }
  });

  it('both reject malformed tickets (iroh alone ignores trailing bytes, which we reject on purpose)', () => {
    const good = EndpointTicket.fromAddr(
      new EndpointAddr(PublicKey.fromString(vectors.tickets.cases[0]!.endpoint_id_hex)),
    );
    const s = good.toString();
    for (const bad of [
      `blob${s.slice(8)}`,
      `ENDPOINT${s.slice(8)}`,
      `${s.slice(0, -3)}`,
      `${s}!`,
      'endpoint',
    ]) {
      expect(() => iroh.EndpointTicket.fromString(bad), bad).toThrow();
      expect(() => EndpointTicket.fromString(bad), bad).toThrow(TicketParseError);
    }
  });
});
