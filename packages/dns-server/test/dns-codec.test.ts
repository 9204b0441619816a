import { Packet } from 'dns2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64UrlDecode,
  base64UrlEncode,
  buildMessage,
  DnsError,
  type DnsMessage,
  isSubdomainOf,
  nameEquals,
  nameToString,
  parseMessage,
  parseName,
  RecordType,
  type ResourceRecord,
  rdataToString,
} from '../src/index.js';
import { FUZZ_RUNS, hex, mutated, onlyTypedErrors, toHex, utf8 } from './helpers.js';

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DnsError);
    return (e as DnsError).code;
  }
  return 'ok';
};

const header = (qd: number, an = 0) => [0, 1, 0, 0, 0, qd, 0, an, 0, 0, 0, 0];

describe('names', () => {
  it('parses and prints presentation form, with escapes', () => {
    expect(parseName('_iroh.abc.example.')).toEqual(['_iroh', 'abc', 'example']);
    expect(parseName('a\\.b.c')).toEqual(['a.b', 'c']);
    expect(parseName('\\065b')).toEqual(['Ab']);
    expect(nameToString(['a.b', 'c\\', '\x00'])).toBe('a\\.b.c\\\\.\\000.');
    expect(nameToString([])).toBe('.');
    expect(parseName('.')).toEqual([]);
  });

  it('rejects empty labels, long labels and long names', () => {
    expect(codeOf(() => parseName('a..b'))).toBe('InvalidName');
    expect(codeOf(() => parseName(`${'a'.repeat(64)}.b`))).toBe('LabelTooLong');
    expect(codeOf(() => parseName(Array(64).fill('abc').join('.')))).toBe('NameTooLong');
  });

  it('compares ignoring ASCII case only', () => {
    expect(nameEquals(['ABC', 'd'], ['abc', 'D'])).toBe(true);
    expect(nameEquals(['\xC0'], ['\xE0'])).toBe(false);
    expect(isSubdomainOf(['x', 'Example', 'COM'], ['example', 'com'])).toBe(true);
    expect(isSubdomainOf(['com'], ['example', 'com'])).toBe(false);
    expect(isSubdomainOf(['a'], [])).toBe(true);
  });
});

describe('message codec', () => {
  const txt = (name: string, s: string): ResourceRecord => ({
    name: parseName(name),
    type: RecordType.TXT,
    class: 1,
    ttl: 30,
    data: { kind: 'TXT', strings: [utf8(s)] },
  });

  it('compresses repeated names and suffixes', () => {
    const msg: DnsMessage = {
      id: 0x1234,
      flags: 0x8400,
      questions: [{ name: parseName('_iroh.k.example'), type: RecordType.TXT, class: 1 }],
      answers: [
        txt('_iroh.k.example', 'a'),
        {
          name: parseName('k.example'),
          type: RecordType.NS,
          class: 1,
          ttl: 5,
          data: { kind: 'NS', target: parseName('ns.k.example') },
        },
      ],
      authorities: [],
      additionals: [],
    };
    const bytes = buildMessage(msg);
    // question name at 12; answer owner → c00c; NS owner "k.example" → pointer to 12+6=18; target ns + ptr 18
    expect(toHex(bytes)).toContain('c00c0010');
    expect(toHex(bytes)).toContain('c0120002000100000005000502' + '6e73c012');
    expect(parseMessage(bytes)).toEqual(msg);
    const plain = buildMessage(msg, { compress: false });
    expect(plain.length).toBeGreaterThan(bytes.length);
    expect(parseMessage(plain)).toEqual(msg);
  });

  it('agrees with dns2 (an independent codec) on queries and answers', () => {
    const q = new Packet();
    q.header.id = 77;
    q.header.rd = 1;
    q.questions.push(new Packet.Question('_iroh.abc.example', Packet.TYPE.TXT, Packet.CLASS.IN));
    const parsed = parseMessage(new Uint8Array(q.toBuffer()));
    expect(parsed.id).toBe(77);
    expect(parsed.flags).toBe(0x0100);
    expect(parsed.questions).toEqual([{ name: ['_iroh', 'abc', 'example'], type: 16, class: 1 }]);

    const ours = buildMessage({
      id: 9,
      flags: 0x8400,
      questions: [],
      answers: [
        txt('x.example', 'hello=world'),
        {
          name: parseName('x.example'),
          type: 1,
          class: 1,
          ttl: 60,
          data: { kind: 'A', address: hex('01020304') },
        },
        {
          name: parseName('x.example'),
          type: 28,
          class: 1,
          ttl: 60,
          data: { kind: 'AAAA', address: hex('20010db8000000000000000000000001') },
        },
      ],
      authorities: [],
      additionals: [],
    });
    const theirs = Packet.parse(Buffer.from(ours));
    expect(theirs.header.id).toBe(9);
    expect(theirs.answers.map((a) => [a.name, a.type, a.ttl])).toEqual([
      ['x.example', 16, 30],
      ['x.example', 1, 60],
      ['x.example', 28, 60],
    ]);
    expect(theirs.answers[0]!.data).toEqual(['hello=world']);
    expect(theirs.answers[1]!.address).toBe('1.2.3.4');
  });

  it('presents record data as text', () => {
    expect(rdataToString({ kind: 'A', address: hex('7f000001') })).toBe('127.0.0.1');
    expect(rdataToString({ kind: 'AAAA', address: hex('00000000000000000000000000000001') })).toBe('::1');
    expect(rdataToString({ kind: 'TXT', strings: [utf8('a='), utf8('b')] })).toBe('a=b');
    expect(rdataToString({ kind: 'raw', bytes: hex('abcd') })).toBe('\\# 2 abcd');
  });

  it('rejects malformed messages with precise codes', () => {
    expect(codeOf(() => parseMessage(new Uint8Array(11)))).toBe('UnexpectedEnd');
    // qdcount 1000 with a few bytes
    expect(
      codeOf(() => parseMessage(new Uint8Array([0, 1, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]))),
    ).toBe('TooManyRecords');
    // pointer to itself
    expect(codeOf(() => parseMessage(new Uint8Array([...header(1), 0xc0, 12, 0, 1, 0, 1])))).toBe(
      'BadPointer',
    );
    // forward pointer
    expect(codeOf(() => parseMessage(new Uint8Array([...header(1), 0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0])))).toBe(
      'BadPointer',
    );
    // pointer loop through a label: name at 12 = "a" + ptr→12
    expect(codeOf(() => parseMessage(new Uint8Array([...header(1), 1, 97, 0xc0, 12, 0, 1, 0, 1])))).toBe(
      'BadPointer',
    );
    // label type 0x40
    expect(codeOf(() => parseMessage(new Uint8Array([...header(1), 0x41, 0, 0, 1, 0, 1])))).toBe(
      'InvalidLabelType',
    );
    // trailing bytes
    expect(codeOf(() => parseMessage(new Uint8Array([...header(1), 0, 0, 1, 0, 1, 9])))).toBe(
      'TrailingBytes',
    );
    expect(
      parseMessage(new Uint8Array([...header(1), 0, 0, 1, 0, 1, 9]), { allowTrailing: true }).questions,
    ).toHaveLength(1);
    // A record with 5 bytes
    expect(
      codeOf(() =>
        parseMessage(new Uint8Array([...header(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5])),
      ),
    ).toBe('InvalidRdata');
    // TXT character string overruns rdata
    expect(
      codeOf(() => parseMessage(new Uint8Array([...header(0, 1), 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 2, 5, 97]))),
    ).toBe('InvalidRdata');
    // a length octet of 64 is the reserved 0x40 label type
    expect(
      codeOf(() =>
        parseMessage(new Uint8Array([...header(1), 64, ...new Array(64).fill(97), 0, 0, 1, 0, 1])),
      ),
    ).toBe('InvalidLabelType');
    // a name longer than 255 bytes via pointers
    const long = [
      ...header(2),
      63,
      ...new Array(63).fill(97),
      63,
      ...new Array(63).fill(98),
      63,
      ...new Array(63).fill(99),
      0,
      0,
      1,
      0,
      1,
    ];
    long.push(63, ...new Array(63).fill(100), 0xc0, 12, 0, 1, 0, 1);
    expect(codeOf(() => parseMessage(new Uint8Array(long)))).toBe('NameTooLong');
  });
});

const label = fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/);
const nameArb = fc.array(label, { minLength: 0, maxLength: 5 });
const rdataArb = fc.oneof(
  fc
    .uint8Array({ minLength: 4, maxLength: 4 })
    .map((address) => ({ type: 1, data: { kind: 'A' as const, address } })),
  fc
    .uint8Array({ minLength: 16, maxLength: 16 })
    .map((address) => ({ type: 28, data: { kind: 'AAAA' as const, address } })),
  fc
    .array(fc.uint8Array({ maxLength: 255 }), { maxLength: 3 })
    .map((strings) => ({ type: 16, data: { kind: 'TXT' as const, strings } })),
  nameArb.map((target) => ({ type: 5, data: { kind: 'CNAME' as const, target } })),
  fc.tuple(fc.nat(0xffff), nameArb).map(([preference, exchange]) => ({
    type: 15,
    data: { kind: 'MX' as const, preference, exchange },
  })),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ type: 99, data: { kind: 'raw' as const, bytes } })),
);
const recordArb = fc
  .tuple(nameArb, rdataArb, fc.nat(0xffff), fc.nat(0xffffffff))
  .map(([name, r, klass, ttl]): ResourceRecord => ({ name, type: r.type, class: klass, ttl, data: r.data }));
const messageArb = fc.record({
  id: fc.nat(0xffff),
  flags: fc.nat(0xffff),
  questions: fc.array(
    fc
      .tuple(nameArb, fc.nat(0xffff), fc.nat(0xffff))
      .map(([name, type, klass]) => ({ name, type, class: klass })),
    { maxLength: 2 },
  ),
  answers: fc.array(recordArb, { maxLength: 4 }),
  authorities: fc.array(recordArb, { maxLength: 2 }),
  additionals: fc.array(recordArb, { maxLength: 2 }),
});

describe(`message codec properties (${FUZZ_RUNS} runs)`, () => {
  it('round trips, compressed or not', () => {
    fc.assert(
      fc.property(messageArb, fc.boolean(), (msg, compress) => {
        expect(parseMessage(buildMessage(msg, { compress }))).toEqual(msg);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('random bytes only ever throw DnsError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => onlyTypedErrors(() => parseMessage(bytes))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('mutated valid messages only ever throw DnsError', () => {
    fc.assert(
      fc.property(
        messageArb.chain((m) => mutated(buildMessage(m))),
        (bytes) => onlyTypedErrors(() => parseMessage(bytes)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('base64url', () => {
  it('round trips and rejects junk', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const s = base64UrlEncode(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
        expect(base64UrlDecode(s)).toEqual(b);
      }),
    );
    expect(base64UrlDecode('a+b/')).toBeUndefined();
    expect(base64UrlDecode('abcde')).toBeUndefined();
  });
});
