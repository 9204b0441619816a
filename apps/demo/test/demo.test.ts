import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EndpointTicket } from '@iroh-ts/tickets';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('demo', () => {
  it('prints a fresh id and a ticket that parses to it', () => {
    const out = execFileSync(
      process.execPath,
      [main, '--relay', 'https://relay.example.com', '--addr', '127.0.0.1:4433'],
      {
        encoding: 'utf8',
      },
    );
    const id = /^endpoint id: ([0-9a-f]{64})$/m.exec(out)?.[1];
    const ticket = /^ticket: +(endpoint[a-z2-7]+)$/m.exec(out)?.[1];
    expect(id).toBeDefined();
    expect(ticket).toBeDefined();
    const addr = EndpointTicket.fromString(ticket!).endpointAddr();
    expect(addr.id().toString()).toBe(id);
    expect(addr.relayUrl()).toBe('https://relay.example.com/');
    expect(addr.directAddresses()).toEqual(['127.0.0.1:4433']);
  });

  it('fails with a clear message on a bad flag value', () => {
    expect(() =>
      execFileSync(process.execPath, [main, '--addr', 'not-an-address'], { encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow(/iroh-ts-demo: socket address "not-an-address" has no port/);
  });
});
