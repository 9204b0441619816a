import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Endpoint,
  EndpointError,
  N0_RELAYS_PROD,
  N0_RELAYS_STAGING,
  presetMinimal,
  presetN0,
  presetN0DisableRelay,
  RelayMap,
  RelayMode,
} from '../src/index.js';

// Presets are checked as configuration only: binding presetN0 would reach for number 0's servers,
// and tests never leave the machine.
describe('presets', () => {
  it('presetMinimal leaves relays disabled and no address lookup', () => {
    const b = Endpoint.builder();
    presetMinimal(b);
    const c = b.config();
    expect(c.relayMode.kind).toBe('disabled');
    expect(c.relayMode.relayMap().isEmpty()).toBe(true);
    expect(c.addressLookups).toHaveLength(0);
  });

  it("presetN0 uses number 0's relays, a pkarr publisher and resolver, and DNS lookup", () => {
    const b = Endpoint.builder();
    presetN0(b);
    const c = b.config();
    expect(c.relayMode.kind).toBe('default');
    expect(c.relayMode.relayMap().urls()).toEqual(N0_RELAYS_PROD);
    expect(c.addressLookups).toHaveLength(3);
    // The lookups are builders (they need the key) or services; the publisher's default relay is n0's.
    const services = c.addressLookups.map((l) =>
      typeof l === 'function' ? l({ secretKey: c.secretKey }) : l,
    );
    const names = services.map(
      (s) => (s.constructor as { PROVENANCE?: string }).PROVENANCE ?? s.constructor.name,
    );
    expect(names).toEqual(['pkarr', 'pkarr', 'dns']);
    for (const s of services) void s.close?.();
  });

  it('presetN0DisableRelay is presetN0 without relays; applyN0() equals presetN0', () => {
    const b = Endpoint.builder();
    presetN0DisableRelay(b);
    expect(b.config().relayMode.kind).toBe('disabled');
    expect(b.config().addressLookups).toHaveLength(3);
    expect(Endpoint.builder().applyN0().config().relayMode.relayMap().urls()).toEqual(N0_RELAYS_PROD);
  });

  it('IROH_FORCE_STAGING_RELAYS switches the default relays to staging', () => {
    process.env.IROH_FORCE_STAGING_RELAYS = '1';
    try {
      expect(RelayMode.defaultMode().relayMap().urls()).toEqual(N0_RELAYS_STAGING);
    } finally {
      delete process.env.IROH_FORCE_STAGING_RELAYS;
    }
  });

  it('bindAddr replaces the default sockets of its family only', () => {
    const b = Endpoint.builder();
    expect(b.config().bindAddrs).toEqual(['0.0.0.0:0', '[::]:0']);
    expect(b.config().optionalBindAddrs).toEqual(['[::]:0']);
    b.bindAddr('127.0.0.1:0');
    expect(b.config().bindAddrs).toEqual(['127.0.0.1:0']);
    b.bindAddr('[::1]:0');
    expect(b.config().bindAddrs).toEqual(['127.0.0.1:0', '[::1]:0']);
    expect(b.config().optionalBindAddrs).toEqual([]);
    expect(Endpoint.builder().clearIpTransports().config().bindAddrs).toEqual([]);
  });
});

describe('RelayMap and RelayMode', () => {
  it('normalises URLs and keeps tokens', () => {
    const m = RelayMap.fromUrls(['https://relay.example.com']);
    expect(m.urls()).toEqual(['https://relay.example.com/']);
    m.insert({ url: 'https://relay.example.com', authToken: 't' });
    expect(m.len()).toBe(1);
    expect(m.get('HTTPS://Relay.Example.com:443')?.authToken).toBe('t');
    expect(m.remove('https://relay.example.com')).toBe(true);
    expect(m.isEmpty()).toBe(true);
    expect(RelayMode.customFromUrls(['http://127.0.0.1:3340']).toString()).toMatch(/^Custom\(/);
  });

  it('rejects anything that is not a relay URL with a typed error, never a crash', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          RelayMap.fromUrls([s]);
        } catch (e) {
          expect(e).toBeInstanceOf(EndpointError);
          expect((e as EndpointError).code).toBe('InvalidConfig');
        }
      }),
      { numRuns: 2_000 },
    );
    expect(() => RelayMap.fromUrls(['not a url'])).toThrow(EndpointError);
  });
});
