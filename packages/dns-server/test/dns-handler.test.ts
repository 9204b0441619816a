import { TransportAddr } from '@iroh-ts/base';
import { Packet } from 'dns2';
import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  EndpointInfo,
  Flags,
  nameToString,
  parseMessage,
  parseName,
  Rcode,
  RecordType,
  rdataToString,
  SignedPacket,
} from '../src/index.js';
import {
  DnsHandler,
  DnsServerMetrics,
  MemoryStore,
  ServerConfigError,
  ZoneStore,
} from '../src/server/index.js';
import { keyFrom, utf8 } from './helpers.js';

const secret = keyFrom(9);
const z32 = secret.public().toZ32();

function query(name: string, type: number, id = 4242, extra: Partial<{ flags: number; edns: number }> = {}) {
  return buildMessage({
    id,
    flags: extra.flags ?? Flags.RD,
    questions: [{ name: parseName(name), type, class: 1 }],
    answers: [],
    authorities: [],
    additionals:
      extra.edns === undefined
        ? []
        : [
            {
              name: [],
              type: RecordType.OPT,
              class: extra.edns,
              ttl: 0,
              data: { kind: 'raw', bytes: new Uint8Array() },
            },
          ],
  });
}

async function setup(packets: SignedPacket[] = [], options = {}) {
  const metrics = new DnsServerMetrics();
  const zones = new ZoneStore(new MemoryStore(), { metrics });
  for (const p of packets) await zones.insert(p);
  const handler = new DnsHandler(
    zones,
    { origins: ['dns.example.', '.'], rrNs: 'ns1.dns.example.', rrA: '127.0.0.1', ...options },
    metrics,
  );
  const ask = async (q: Uint8Array, transport: 'udp' | 'tcp' | 'https' = 'udp') => {
    const r = await handler.handle(q, transport);
    return r === undefined ? undefined : parseMessage(r);
  };
  return { zones, handler, metrics, ask };
}

const info = new EndpointInfo(secret.public(), [
  TransportAddr.relay('https://relay.example./'),
  TransportAddr.ip('1.2.3.4:5678'),
]);
const packet = info.toSignedPacket(secret, 30, { timestamp: 1000n });

describe('DnsHandler: pkarr zones', () => {
  it('answers _iroh.<z32>.<origin> TXT under every origin, names as asked', async () => {
    const { ask, metrics } = await setup([packet]);
    for (const name of [
      `_iroh.${z32}.dns.example.`,
      `_iroh.${z32}.`,
      `_IROH.${z32.toUpperCase()}.Dns.Example.`,
    ]) {
      const r = (await ask(query(name, RecordType.TXT)))!;
      expect(r.id).toBe(4242);
      expect(r.flags & 0xf).toBe(Rcode.NoError);
      expect(r.flags & Flags.QR).toBeTruthy();
      expect(r.flags & Flags.AA).toBeTruthy();
      expect(r.flags & Flags.RD).toBeTruthy();
      expect(r.answers.map((a) => rdataToString(a.data))).toEqual(info.toTxtStrings());
      expect(r.answers.every((a) => nameToString(a.name) === name && a.ttl === 30)).toBe(true);
    }
    expect(metrics.dnsQueriesTxt.get()).toBe(3n);
    expect(metrics.dnsLookupSuccess.get()).toBe(3n);
  });

  it('serves other records of a packet and drops SOA and NS inside packets', async () => {
    const p = SignedPacket.sign(
      secret,
      [
        { name: 'www', ttl: 60, data: { kind: 'A', address: new Uint8Array([10, 0, 0, 1]) } },
        { name: '@', ttl: 60, data: { kind: 'TXT', strings: [utf8('apex')] } },
        { name: '@', ttl: 60, data: { kind: 'NS', target: parseName('evil.example.') } },
        {
          name: '@',
          ttl: 60,
          data: {
            kind: 'SOA',
            mname: ['a'],
            rname: ['b'],
            serial: 1,
            refresh: 1,
            retry: 1,
            expire: 1,
            minimum: 1,
          },
        },
      ],
      { timestamp: 5n },
    );
    const { ask } = await setup([p]);
    const a = (await ask(query(`www.${z32}.dns.example`, RecordType.A)))!;
    expect(a.answers.map((x) => rdataToString(x.data))).toEqual(['10.0.0.1']);
    const apex = (await ask(query(`${z32}.dns.example`, RecordType.TXT)))!;
    expect(apex.answers.map((x) => rdataToString(x.data))).toEqual(['apex']);
    for (const type of [RecordType.NS, RecordType.SOA]) {
      const r = (await ask(query(`${z32}.dns.example`, type)))!;
      expect(r.answers).toHaveLength(0);
      expect(r.flags & 0xf).toBe(Rcode.NXDomain);
    }
  });

  it('NXDOMAIN with the SOA for unknown keys, unknown names and missing types', async () => {
    const { ask, metrics } = await setup([packet]);
    const other = keyFrom(10).public().toZ32();
    for (const [name, type] of [
      [`_iroh.${other}.dns.example.`, RecordType.TXT],
      [`nope.${z32}.dns.example.`, RecordType.TXT],
      [`_iroh.${z32}.dns.example.`, RecordType.A],
      ['_iroh.notakey.dns.example.', RecordType.TXT],
    ] as const) {
      const r = (await ask(query(name, type)))!;
      expect(r.flags & 0xf).toBe(Rcode.NXDomain);
      expect(r.answers).toHaveLength(0);
      expect(r.authorities.map((x) => [nameToString(x.name), x.type])).toEqual([
        ['dns.example.', RecordType.SOA],
      ]);
    }
    expect(metrics.dnsLookupNotfound.get()).toBe(4n);
  });

  it('answers SOA, NS and A at the origin apex and NODATA for other types', async () => {
    const { ask } = await setup();
    const soa = (await ask(query('dns.example.', RecordType.SOA)))!;
    expect(soa.answers.map((x) => [nameToString(x.name), x.ttl, rdataToString(x.data)])).toEqual([
      ['dns.example.', 14 * 86400, 'irohdns.example. hostmaster.irohdns.example. 0 10800 3600 604800 3600'],
    ]);
    const ns = (await ask(query('dns.example.', RecordType.NS)))!;
    expect(ns.answers.map((x) => rdataToString(x.data))).toEqual(['ns1.dns.example.']);
    const a = (await ask(query('dns.example.', RecordType.A)))!;
    expect(a.answers.map((x) => [x.ttl, rdataToString(x.data)])).toEqual([[3600, '127.0.0.1']]);
    const mx = (await ask(query('dns.example.', RecordType.MX)))!;
    expect(mx.flags & 0xf).toBe(Rcode.NoError);
    expect(mx.answers).toHaveLength(0);
    expect(mx.authorities).toHaveLength(1);
  });

  it('refuses names outside every origin, zone transfers and other classes', async () => {
    const { ask } = await setup([packet], { origins: ['dns.example.'] });
    expect((await ask(query(`_iroh.${z32}.other.example.`, RecordType.TXT)))!.flags & 0xf).toBe(
      Rcode.Refused,
    );
    expect((await ask(query('dns.example.', RecordType.AXFR)))!.flags & 0xf).toBe(Rcode.Refused);
    const ch = buildMessage({
      id: 1,
      flags: 0,
      questions: [{ name: parseName('version.bind'), type: RecordType.TXT, class: 3 }],
      answers: [],
      authorities: [],
      additionals: [],
    });
    expect((await ask(ch))!.flags & 0xf).toBe(Rcode.Refused);
  });

  it('FORMERR for junk, NOTIMP for other opcodes, silence for responses and runts', async () => {
    const { ask, handler } = await setup();
    const junk = new Uint8Array([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xc0]);
    const formerr = (await ask(junk))!;
    expect(formerr.id).toBe(0xabcd);
    expect(formerr.flags & 0xf).toBe(Rcode.FormErr);
    const two = buildMessage({
      id: 1,
      flags: 0,
      questions: [
        { name: ['a'], type: 1, class: 1 },
        { name: ['b'], type: 1, class: 1 },
      ],
      answers: [],
      authorities: [],
      additionals: [],
    });
    expect((await ask(two))!.flags & 0xf).toBe(Rcode.FormErr);
    const notify = query('dns.example.', RecordType.SOA, 7, { flags: 4 << 11 });
    expect((await ask(notify))!.flags & 0xf).toBe(Rcode.NotImp);
    expect(await handler.handle(query('dns.example.', 6, 1, { flags: Flags.QR }), 'udp')).toBeUndefined();
    expect(await handler.handle(new Uint8Array(5), 'udp')).toBeUndefined();
  });

  it('truncates UDP answers beyond 512 bytes without EDNS, and honours EDNS sizes', async () => {
    const big = SignedPacket.fromTxtStrings(
      secret,
      '_iroh',
      Array.from({ length: 6 }, (_, i) => `addr=${'9'.repeat(100)}${i}`),
      30,
      {
        timestamp: 9n,
      },
    );
    const { ask } = await setup([big]);
    const name = `_iroh.${z32}.dns.example.`;
    const small = (await ask(query(name, RecordType.TXT)))!;
    expect(small.flags & Flags.TC).toBeTruthy();
    expect(small.answers).toHaveLength(0);
    const edns = (await ask(query(name, RecordType.TXT, 1, { edns: 1232 })))!;
    expect(edns.flags & Flags.TC).toBe(0);
    expect(edns.answers).toHaveLength(6);
    expect(edns.additionals.map((x) => [x.type, x.class])).toEqual([[RecordType.OPT, 1232]]);
    const tcp = (await ask(query(name, RecordType.TXT), 'tcp'))!;
    expect(tcp.answers).toHaveLength(6);
  });

  it('is readable by dns2, an independent decoder', async () => {
    const { handler } = await setup([packet]);
    const q = new Packet();
    q.header.id = 99;
    q.questions.push(new Packet.Question(`_iroh.${z32}.dns.example`, Packet.TYPE.TXT, Packet.CLASS.IN));
    const r = Packet.parse(Buffer.from((await handler.handle(new Uint8Array(q.toBuffer()), 'udp'))!));
    expect(r.header.id).toBe(99);
    expect(r.header.aa).toBe(1);
    expect(r.answers.map((a) => (a.data as string[]).join(''))).toEqual(info.toTxtStrings());
  });

  it('sees updates immediately: the zone cache is invalidated on a newer packet', async () => {
    const { ask, zones, metrics } = await setup([packet]);
    const name = `_iroh.${z32}.dns.example.`;
    await ask(query(name, RecordType.TXT));
    await ask(query(name, RecordType.TXT));
    expect(metrics.cacheHits.get()).toBe(1n);
    const newer = new EndpointInfo(secret.public(), [
      TransportAddr.relay('https://new.example./'),
    ]).toSignedPacket(secret, 30, {
      timestamp: 2000n,
    });
    expect(await zones.insert(newer)).toBe('updated');
    const r = (await ask(query(name, RecordType.TXT)))!;
    expect(r.answers.map((a) => rdataToString(a.data))).toEqual(['relay=https://new.example./']);
    expect(await zones.insert(packet)).toBe('unchanged');
    const again = (await ask(query(name, RecordType.TXT)))!;
    expect(again.answers.map((a) => rdataToString(a.data))).toEqual(['relay=https://new.example./']);
  });

  it('rejects invalid configuration with typed errors', async () => {
    const zones = new ZoneStore(new MemoryStore());
    expect(() => new DnsHandler(zones, { origins: [] })).toThrow(ServerConfigError);
    expect(() => new DnsHandler(zones, { defaultSoa: 'a b c' })).toThrow(ServerConfigError);
    expect(() => new DnsHandler(zones, { rrA: '::1' })).toThrow(ServerConfigError);
    expect(() => new DnsHandler(zones, { rrAaaa: '1.2.3.4' })).toThrow(ServerConfigError);
  });
});
