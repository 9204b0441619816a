import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddrParseError,
  CustomAddr,
  EndpointAddr,
  RelayUrl,
  SecretKey,
  SocketAddr,
  TransportAddr,
} from '../src/index.js';
import { FUZZ_RUNS, hexString, onlyTypedErrors } from './helpers.js';

const id = SecretKey.fromBytes(new Uint8Array(32)).public();

describe('SocketAddr', () => {
  it('prints addresses exactly as Rust std::net does', () => {
    const cases: [string, string][] = [
      ['127.0.0.1:7', '127.0.0.1:7'],
      ['[::1]:4433', '[::1]:4433'],
      ['[2001:DB8:0:0:0:0:0:1]:443', '[2001:db8::1]:443'],
      ['[::]:0', '[::]:0'],
      ['[1:0:0:2:0:0:0:3]:1', '[1:0:0:2::3]:1'],
      ['[1:0:0:2:0:0:3:4]:1', '[1::2:0:0:3:4]:1'],
      ['[1:0:2:3:4:5:6:7]:1', '[1:0:2:3:4:5:6:7]:1'],
      ['[::ffff:1.2.3.4]:80', '[::ffff:1.2.3.4]:80'],
      ['[::ffff:0102:0304]:80', '[::ffff:1.2.3.4]:80'],
      ['[::1.2.3.4]:80', '[::102:304]:80'],
      ['[fe80::1:2]:65535', '[fe80::1:2]:65535'],
    ];
    for (const [input, out] of cases) expect(SocketAddr.parse(input).toString(), input).toBe(out);
  });

  it('rejects what Rust rejects', () => {
    for (const bad of [
      '1.2.3.4',
      '1.2.3:4',
      '01.2.3.4:5',
      '1.2.3.256:5',
      '1.2.3.4:65536',
      '1.2.3.4:-1',
      '[::1]',
      '::1:80',
      '[1::2::3]:4',
      '[12345::]:1',
      '[::1]:x',
      'localhost:80',
      '[1:2:3:4:5:6:7:8:9]:1',
      '',
    ]) {
      expect(() => SocketAddr.parse(bad), bad).toThrow(AddrParseError);
    }
  });

  it('orders like Rust: v4 before v6, then address bytes, then port', () => {
    const sorted = ['[::1]:1', '10.0.0.1:5', '9.0.0.1:7', '10.0.0.1:4']
      .map(SocketAddr.parse)
      .sort(SocketAddr.compare);
    expect(sorted.map(String)).toEqual(['9.0.0.1:7', '10.0.0.1:4', '10.0.0.1:5', '[::1]:1']);
  });

  it('round-trips random addresses through text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.ipV4(),
          fc.ipV6().map((a) => `[${a}]`),
        ),
        fc.integer({ min: 0, max: 65535 }),
        (ip, port) => {
          const a = SocketAddr.parse(`${ip}:${port}`);
          expect(SocketAddr.parse(a.toString()).equals(a)).toBe(true);
          expect(SocketAddr.fromParts(a.ipBytes(), port).toString()).toBe(a.toString());
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('RelayUrl', () => {
  it('normalises like the url crate (WHATWG)', () => {
    expect(RelayUrl.parse('https://relay.example.com').toString()).toBe('https://relay.example.com/');
    expect(RelayUrl.parse('HTTPS://Relay.Example.COM:443').toString()).toBe('https://relay.example.com/');
    expect(RelayUrl.parse('http://derp.me.').toString()).toBe('http://derp.me./');
    expect(RelayUrl.parse('http://127.0.0.1:3340').toString()).toBe('http://127.0.0.1:3340/');
    expect(RelayUrl.parse('https://[::1]:8443/x/').toString()).toBe('https://[::1]:8443/x/');
    expect(RelayUrl.parse('https://r.example/a/../b').toString()).toBe('https://r.example/b');
  });

  it('rejects relative and malformed URLs', () => {
    for (const bad of [
      '',
      'relay.example.com',
      '/relay',
      'https://',
      'http://[::1',
      'https://exa mple.com',
    ]) {
      expect(() => RelayUrl.parse(bad), bad).toThrow(expect.objectContaining({ code: 'InvalidRelayUrl' }));
    }
  });
});

describe('CustomAddr', () => {
  it('parses and prints `<id hex>_<data hex>`', () => {
    const a = CustomAddr.parse('2a_0102ff');
    expect(a.id).toBe(42n);
    expect(a.toString()).toBe('2a_0102ff');
    expect(CustomAddr.parse('ffffffffffffffff_').id).toBe((1n << 64n) - 1n);
    for (const bad of ['2a0102', '_00', 'g_00', '2a_0', '2a_ZZ', '1ffffffffffffffff_00']) {
      expect(() => CustomAddr.parse(bad), bad).toThrow(
        expect.objectContaining({ code: 'InvalidCustomAddr' }),
      );
    }
  });
});

describe('EndpointAddr', () => {
  it('mirrors @number0/iroh: id(), relayUrl(), directAddresses(), toString()', () => {
    const a = new EndpointAddr(id, 'https://relay.example.com', ['[::1]:4433', '10.0.0.1:50000']);
    expect(a.id().equals(id)).toBe(true);
    expect(a.relayUrl()).toBe('https://relay.example.com/');
    expect(a.directAddresses()).toEqual(['10.0.0.1:50000', '[::1]:4433']);
    expect(a.toString()).toBe(`${id} relay=https://relay.example.com/ addrs=[10.0.0.1:50000, [::1]:4433]`);
    expect(new EndpointAddr(id).toString()).toBe(id.toString());
    expect(new EndpointAddr(id.toString()).equals(new EndpointAddr(id))).toBe(true);
  });

  it('keeps addresses as an ordered set: relays, then IPs, then custom; no duplicates', () => {
    const a = EndpointAddr.fromParts(id, [
      TransportAddr.custom(CustomAddr.fromParts(1, Uint8Array.of(1))),
      TransportAddr.ip('10.0.0.1:1'),
      TransportAddr.relay('https://b.example'),
      TransportAddr.relay('https://a.example'),
      TransportAddr.ip('10.0.0.1:1'),
    ]);
    expect(a.addrs.map(TransportAddr.toString)).toEqual([
      'relay:https://a.example/',
      'relay:https://b.example/',
      'ip:10.0.0.1:1',
      'custom:1_01',
    ]);
    const b = a.withIpAddr('[::1]:2').withRelayUrl('https://a.example/');
    expect(b.addrs).toHaveLength(5);
    expect(a.addrs).toHaveLength(4);
    expect(a.equals(b)).toBe(false);
    expect(a.isEmpty()).toBe(false);
  });
});

describe('address parsers only throw typed errors', () => {
  const parsers: [string, (s: string) => unknown][] = [
    ['SocketAddr.parse', SocketAddr.parse],
    ['RelayUrl.parse', RelayUrl.parse],
    ['CustomAddr.parse', CustomAddr.parse],
    ['EndpointAddr(id, relay)', (s) => new EndpointAddr(id, s)],
  ];
  const text = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.webUrl(),
    fc.tuple(fc.ipV6(), fc.nat(70000)).map(([ip, p]) => `[${ip}]:${p}`),
    fc.tuple(fc.ipV4Extended(), fc.integer({ min: -5, max: 70000 })).map(([ip, p]) => `${ip}:${p}`),
    fc.tuple(hexString(), hexString()).map(([a, b]) => `${a}_${b}`),
  );
  for (const [name, parse] of parsers) {
    it(`${name} (${FUZZ_RUNS} cases)`, () => {
      fc.assert(
        fc.property(text, (s) => onlyTypedErrors(() => parse(s))),
        { numRuns: FUZZ_RUNS },
      );
    });
  }
});
