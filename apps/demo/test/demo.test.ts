import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PublicKey } from '@iroh-ts/base';
import { EndpointTicket } from '@iroh-ts/tickets';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('demo', () => {
  it('A dials B by EndpointId only: DNS lookup, QUIC through the embedded relay, stream echo', () => {
    const out = execFileSync(process.execPath, [main, '--message', 'ping through the relay'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const relay = /^relay: +(http:\/\/127\.0\.0\.1:\d+\/) \(embedded\)$/m.exec(out)?.[1];
    const bId = /^B: +([0-9a-f]{64}) published/m.exec(out)?.[1];
    const ticket = /^B's ticket: +(endpoint[a-z2-7]+)$/m.exec(out)?.[1];
    expect(relay).toBeDefined();
    expect(bId).toBeDefined();
    // The ticket names B and its relay; the lookup found the same relay under B's z32 name.
    const addr = EndpointTicket.fromString(ticket!).endpointAddr();
    expect(addr.id().toString()).toBe(bId);
    expect(addr.relayUrl()).toBe(relay);
    const z32 = PublicKey.fromString(bId!).toZ32();
    expect(out).toContain(`over DNS (TXT _iroh.${z32}.demo.iroh.test.) → relay=${relay}`);
    expect(out).toMatch(/^A → B: +QUIC \+ TLS 1\.3 handshake through the relay/m);
    expect(out).toMatch(/^echo: +"ping through the relay"/m);
    expect(out).toMatch(/: ok$/m);
  });

  it('fails with a clear message on an unknown flag', () => {
    expect(() =>
      execFileSync(process.execPath, [main, '--frobnicate'], { encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow(/Unknown option '--frobnicate'/);
  });
});
