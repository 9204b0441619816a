import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  base32Encode,
  CustomAddr,
  EndpointAddr,
  hexEncode,
  PostcardWriter,
  PublicKey,
  SecretKey,
  TransportAddr,
} from '@iroh-ts/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EndpointTicket, TicketParseError } from '../src/index.js';
import fixtures from './fixtures/ticket-vectors.json' with { type: 'json' };

const FUZZ_RUNS = Number(process.env.FC_NUM_RUNS ?? 10_000);

interface TicketCase {
  name: string;
  endpoint_id_hex: string;
  relay_url_input: string | null;
  ip_addrs_input: string[];
  ticket: string;
  postcard_hex: string;
  decoded_relay: string | null;
  decoded_addrs_btree_order: string[];
}

function checkCase(c: TicketCase): void {
  const addr = new EndpointAddr(PublicKey.fromString(c.endpoint_id_hex), c.relay_url_input, c.ip_addrs_input);
  const ticket = EndpointTicket.fromAddr(addr);
  expect(hexEncode(ticket.toBytes()), c.name).toBe(c.postcard_hex);
  expect(ticket.toString(), c.name).toBe(c.ticket);
  const parsed = EndpointTicket.fromString(c.ticket).endpointAddr();
  expect(parsed.id().toString()).toBe(c.endpoint_id_hex);
  expect(parsed.relayUrl()).toBe(c.decoded_relay);
  expect(parsed.directAddresses()).toEqual(c.decoded_addrs_btree_order);
  expect(parsed.equals(addr)).toBe(true);
  // The body is case-insensitive, as in iroh-tickets.
  expect(EndpointTicket.fromString(`endpoint${c.ticket.slice(8).toUpperCase()}`).equals(ticket)).toBe(true);
}

describe('EndpointTicket vectors (transcribed from real iroh)', () => {
  for (const c of fixtures.tickets.cases) it(c.name, () => checkCase(c));
});

describe('EndpointTicket vectors read from ../shared/spec', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(resolve(here, '../../..'), '..', 'shared', 'spec', 'iroh-core-vectors.json');
  const found = existsSync(file);
  if (!found) console.warn(`SKIP shared-spec ticket vectors: ${file} not found beside the repository`);
  it.skipIf(!found)('match the shared spec file', () => {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { tickets: { cases: TicketCase[] } };
    expect(data.tickets.cases.length).toBeGreaterThan(0);
    for (const c of data.tickets.cases) checkCase(c);
  });
});

const id = SecretKey.fromBytes(new Uint8Array(32).fill(0x2a)).public();

function ticketOf(bytes: Uint8Array): string {
  return `endpoint${base32Encode(bytes)}`;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TicketParseError);
    expect((e as Error).message.length).toBeGreaterThan(10);
    return (e as TicketParseError).code;
  }
  throw new Error('expected a TicketParseError');
}

describe('EndpointTicket errors', () => {
  const valid = EndpointTicket.fromAddr(new EndpointAddr(id, 'https://relay.example.com', ['1.2.3.4:5']));
  const bytes = valid.toBytes();

  it('wrong kind, bad base32', () => {
    expect(codeOf(() => EndpointTicket.fromString(`blob${valid.toString().slice(8)}`))).toBe('WrongKind');
    expect(codeOf(() => EndpointTicket.fromString(`ENDPOINT${valid.toString().slice(8)}`))).toBe('WrongKind');
    expect(codeOf(() => EndpointTicket.fromString(`${valid}!`))).toBe('InvalidBase32');
    expect(codeOf(() => EndpointTicket.fromString(`${valid}=`))).toBe('InvalidBase32');
  });

  it('every truncation is Truncated', () => {
    for (let n = 0; n < bytes.length; n++) {
      expect(
        codeOf(() => EndpointTicket.fromBytes(bytes.subarray(0, n))),
        `prefix ${n}`,
      ).toBe('Truncated');
    }
  });

  it('trailing bytes', () => {
    const extra = new Uint8Array(bytes.length + 1);
    extra.set(bytes);
    expect(codeOf(() => EndpointTicket.fromString(ticketOf(extra)))).toBe('TrailingBytes');
  });

  it('unknown variants: ticket format, transport address, socket address', () => {
    const v2 = bytes.slice();
    v2[0] = 1;
    expect(codeOf(() => EndpointTicket.fromBytes(v2))).toBe('UnknownVariant');
    const w = new PostcardWriter().tag(0).raw(id.toBytes()).varint(1).tag(3);
    expect(codeOf(() => EndpointTicket.fromBytes(w.finish()))).toBe('UnknownVariant');
    const w2 = new PostcardWriter()
      .tag(0)
      .raw(id.toBytes())
      .varint(1)
      .tag(1)
      .tag(2)
      .raw(new Uint8Array(4))
      .varint(1);
    expect(codeOf(() => EndpointTicket.fromBytes(w2.finish()))).toBe('UnknownVariant');
  });

  it('invalid data: a key that is not a point, a bad URL, bad UTF-8, a port above 65535', () => {
    const notPoint = new Uint8Array(32);
    notPoint[0] = 2;
    expect(
      codeOf(() => EndpointTicket.fromBytes(new PostcardWriter().tag(0).raw(notPoint).varint(0).finish())),
    ).toBe('InvalidData');
    const prefix = () => new PostcardWriter().tag(0).raw(id.toBytes()).varint(1);
    expect(codeOf(() => EndpointTicket.fromBytes(prefix().tag(0).str('not a url').finish()))).toBe(
      'InvalidData',
    );
    expect(
      codeOf(() => EndpointTicket.fromBytes(prefix().tag(0).bytes(Uint8Array.of(0xc3, 0x28)).finish())),
    ).toBe('InvalidData');
    expect(
      codeOf(() =>
        EndpointTicket.fromBytes(prefix().tag(1).tag(0).raw(new Uint8Array(4)).varint(65536).finish()),
      ),
    ).toBe('InvalidData');
  });
});

const relayUrl = fc
  .tuple(
    fc.constantFrom('http', 'https'),
    fc.domain(),
    fc.option(fc.integer({ min: 1, max: 65535 })),
    fc.constantFrom('', '/', '/relay', '/a/b/'),
  )
  .map(([scheme, host, port, path]) => `${scheme}://${host}${port === null ? '' : `:${port}`}${path}`);
const socketAddr = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 65535 })).map(([ip, p]) => `${ip}:${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 65535 })).map(([ip, p]) => `[${ip}]:${p}`),
);
const endpointAddr = fc
  .tuple(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.array(relayUrl, { maxLength: 3 }),
    fc.array(socketAddr, { maxLength: 5 }),
    fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.uint8Array({ maxLength: 40 })), {
      maxLength: 2,
    }),
  )
  .map(([seed, relays, ips, customs]) =>
    EndpointAddr.fromParts(SecretKey.fromBytes(seed).public(), [
      ...relays.map((r) => TransportAddr.relay(r)),
      ...ips.map((a) => TransportAddr.ip(a)),
      ...customs.map(([cid, data]) => TransportAddr.custom(CustomAddr.fromParts(cid, data))),
    ]),
  );

describe('EndpointTicket properties', () => {
  it('round-trips random addresses (relays, IPv4/IPv6, custom)', () => {
    fc.assert(
      fc.property(endpointAddr, (addr) => {
        const t = EndpointTicket.fromAddr(addr);
        const back = EndpointTicket.fromString(t.toString());
        expect(back.endpointAddr().equals(addr)).toBe(true);
        expect(back.toString()).toBe(t.toString());
      }),
      { numRuns: 1000 },
    );
  });

  it(`random and mutated tickets fail only with TicketParseError (${FUZZ_RUNS} cases)`, () => {
    const mutatedBytes = fc
      .tuple(endpointAddr, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(4))
      .map(([addr, i, x, cut]) => {
        const b = EndpointTicket.fromAddr(addr).toBytes();
        b[i % b.length]! ^= x;
        return b.subarray(0, b.length - cut);
      });
    const input = fc.oneof(
      fc.string({ maxLength: 80 }).map((s) => `endpoint${s}`),
      fc.uint8Array({ maxLength: 120 }).map(ticketOf),
      mutatedBytes.map(ticketOf),
    );
    fc.assert(
      fc.property(input, (s) => {
        try {
          EndpointTicket.fromString(s);
        } catch (e) {
          if (!(e instanceof TicketParseError)) throw e;
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
