import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PublicKey } from '@iroh-ts/base';
import { EndpointTicket } from '@iroh-ts/tickets';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('demo', () => {
  it('A dials B by EndpointId only: DNS lookup, QUIC through the embedded relay, echo and transfer', () => {
    const out = execFileSync(process.execPath, [main, '--message', 'ping through the relay', '--mib', '2'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const relay = /^relay: +(http:\/\/127\.0\.0\.1:\d+\/) \(embedded\)$/m.exec(out)?.[1];
    const bId = /^B: +([0-9a-f]{64}) published its relay$/m.exec(out)?.[1];
    const ticket = /^B's ticket: +(endpoint[a-z2-7]+)$/m.exec(out)?.[1];
    expect(relay).toBeDefined();
    expect(bId).toBeDefined();
    // The ticket names B and its home relay.
    const addr = EndpointTicket.fromString(ticket!).endpointAddr();
    expect(addr.id().toString()).toBe(bId);
    expect(addr.relayUrl()).toBe(relay);
    const z32 = PublicKey.fromString(bId!).toZ32();
    expect(out).toContain(`by EndpointId over DNS (TXT _iroh.${z32}.demo.iroh.test.)`);
    // B published only its relay (iroh's default), so the connection starts on the relay …
    expect(out).toContain(`path: relay ${relay}`);
    // … and the endpoints punch a direct path (NAT traversal on loopback).
    expect(out).toMatch(/^hole punch: +direct path 127\.0\.0\.1:\d+ selected \d+ ms after connect/m);
    expect(out).toMatch(/^echo: +"ping through the relay", round trip median [0-9.]+ ms over 20$/m);
    expect(out).toMatch(/^transfer: +2 MiB in [0-9.]+ s = [0-9.]+ MB\/s$/m);
    expect(out).toMatch(/: ok$/m);
  });

  it('with --direct, B publishes its IP address too and the path is direct', () => {
    const out = execFileSync(process.execPath, [main, '--direct', '--mib', '1'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out).toMatch(/^B: +[0-9a-f]{64} published its relay and IP addresses$/m);
    expect(out).toMatch(/path: direct 127\.0\.0\.1:\d+$/m);
    expect(out).toMatch(/: ok$/m);
  });

  it('fails with a clear message on an unknown flag', () => {
    expect(() =>
      execFileSync(process.execPath, [main, '--frobnicate'], { encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow(/Unknown option '--frobnicate'/);
  });
});
