import { CustomAddr, EndpointAddr, PublicKey, TransportAddr } from '@iroh-ts/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddrFilter,
  EndpointInfo,
  EndpointInfoError,
  endpointIdFromTxtName,
  parseTxtAttrs,
  SignedPacket,
  UserData,
} from '../src/index.js';
import { FUZZ_RUNS, keyFrom, onlyTypedErrors } from './helpers.js';

const secret = keyFrom(7);
const id = secret.public();
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EndpointInfoError);
    return (e as EndpointInfoError).code;
  }
  return 'ok';
};

describe('TXT attributes', () => {
  it('splits on = and keeps only the first two parts', () => {
    const attrs = parseTxtAttrs(['relay=https://a.example/?x=1', 'addr=1.2.3.4:5', 'user-data=a=b']);
    expect(attrs.get('relay')).toEqual(['https://a.example/?x']);
    expect(attrs.get('user-data')).toEqual(['a']);
  });

  it('fails on an unknown key or a string without =', () => {
    expect(codeOf(() => parseTxtAttrs(['relay=x', 'foo=bar']))).toBe('UnknownAttr');
    expect(codeOf(() => parseTxtAttrs(['Relay=x']))).toBe('UnknownAttr');
    expect(codeOf(() => parseTxtAttrs(['relay']))).toBe('UnexpectedFormat');
  });

  it('parses endpoint ids from DNS names', () => {
    expect(endpointIdFromTxtName(`_iroh.${id.toZ32()}.dns.iroh.link.`).equals(id)).toBe(true);
    expect(codeOf(() => endpointIdFromTxtName('_iroh'))).toBe('NumLabels');
    expect(codeOf(() => endpointIdFromTxtName(`_other.${id.toZ32()}`))).toBe('NotAnIrohRecord');
    expect(codeOf(() => endpointIdFromTxtName('_iroh.notakey'))).toBe('InvalidEndpointId');
  });
});

describe('EndpointInfo', () => {
  const relay = TransportAddr.relay('https://relay.example./');
  const ip4 = TransportAddr.ip('1.2.3.4:5678');
  const ip6 = TransportAddr.ip('[2001:db8::1]:443');
  const custom = TransportAddr.custom(CustomAddr.fromParts(42, new Uint8Array([0xab, 0xcd])));

  it('writes relay, then addr, then user-data, one string per value', () => {
    const info = new EndpointInfo(id, [ip4, custom, relay, ip6, ip4], UserData.parse('hi'));
    expect(info.toTxtStrings()).toEqual([
      'relay=https://relay.example./',
      'addr=1.2.3.4:5678',
      'addr=2a_abcd',
      'addr=[2001:db8::1]:443',
      'user-data=hi',
    ]);
  });

  it('round trips through a signed packet, including custom addresses and user data', () => {
    const info = new EndpointInfo(id, [relay, ip4, ip6, custom], UserData.parse('foobar'));
    const packet = info.toSignedPacket(secret, 30);
    const back = EndpointInfo.fromSignedPacket(SignedPacket.fromBytes(packet.toBytes()));
    expect(back.equals(info)).toBe(true);
    expect(back.toEndpointAddr().equals(EndpointAddr.fromParts(id, [relay, ip4, ip6, custom]))).toBe(true);
  });

  it('skips values that do not parse and keeps the first valid user data', () => {
    const info = EndpointInfo.fromTxtStrings(id, [
      'relay=not a url',
      'addr=1.2.3.4',
      'addr=5.6.7.8:9',
      `user-data=${'x'.repeat(246)}`,
      'user-data=second',
    ]);
    expect(info.addrs.map((a) => TransportAddr.toString(a))).toEqual(['ip:5.6.7.8:9']);
    expect(info.userData).toBeUndefined();
    expect(EndpointInfo.fromTxtStrings(id, ['user-data=ok', 'user-data=no']).userData?.toString()).toBe('ok');
  });

  it('enforces the 245-byte user data limit in UTF-8 bytes', () => {
    expect(UserData.parse('é'.repeat(122)).toString()).toHaveLength(122);
    expect(codeOf(() => UserData.parse('é'.repeat(123)))).toBe('UserDataTooLong');
  });

  it('filters addresses like iroh AddrFilter', () => {
    const info = new EndpointInfo(id, [relay, ip4, custom]);
    expect(info.filtered(AddrFilter.relayOnly()).addrs).toEqual([relay]);
    expect(info.filtered(AddrFilter.ipOnly()).addrs).toEqual([ip4, custom]);
    expect(info.filtered(AddrFilter.unfiltered()).addrs).toEqual([relay, ip4, custom]);
  });

  it('refuses to sign with a key of another endpoint, and oversize packets', () => {
    expect(codeOf(() => new EndpointInfo(id).toSignedPacket(keyFrom(8)))).toBe('EncodingFailed');
    const many = Array.from({ length: 60 }, (_, i) => TransportAddr.ip(`10.0.${i}.1:1000`));
    expect(codeOf(() => new EndpointInfo(id, many).toSignedPacket(secret))).toBe('EncodingFailed');
  });

  it(`parses any TXT strings without crashing (${FUZZ_RUNS} runs)`, () => {
    const str = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .tuple(fc.constantFrom('relay', 'addr', 'user-data', 'x'), fc.string({ maxLength: 40 }))
        .map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(str, { maxLength: 6 }), (strings) =>
        onlyTypedErrors(() => EndpointInfo.fromTxtStrings(PublicKey.fromBytes(id.toBytes()), strings)),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
