import { parseArgs } from 'node:util';
import { EndpointAddr, EndpointTicket, SecretKey } from '@iroh-ts/endpoint';
import { describe, expect, it } from 'vitest';
import { NETWORK_OPTIONS, networkOptions, parseTicket, UsageError } from '../src/options.js';

/** `networkOptions` of a command line parsed with the shared options alone. */
const parse = (...args: string[]) =>
  networkOptions(parseArgs({ args, options: NETWORK_OPTIONS, strict: true, allowPositionals: true }).values);

/** Expects `f` to throw a {@link UsageError} with this message. */
function expectUsageError(f: () => unknown, message: string | RegExp): void {
  expect(f).toThrow(UsageError);
  expect(f).toThrow(typeof message === 'string' ? new UsageError(message) : message);
}

describe('networkOptions', () => {
  it('defaults: no relays, no n0, 0.0.0.0:0, no key file', () => {
    expect(parse()).toEqual({ relays: [], n0: false, bind: '0.0.0.0:0', secretKeyFile: undefined });
    expect(networkOptions({})).toEqual(parse());
  });

  it('takes repeated --relay, --n0, an IPv4 or IPv6 --bind and --secret-key-file', () => {
    expect(
      parse(
        '--relay',
        'https://relay.example',
        '--relay',
        'http://127.0.0.1:3340/',
        '--n0',
        '--bind',
        '[::]:4433',
        '--secret-key-file',
        'id.key',
      ),
    ).toEqual({
      relays: ['https://relay.example', 'http://127.0.0.1:3340/'],
      n0: true,
      bind: '[::]:4433',
      secretKeyFile: 'id.key',
    });
    expect(parse('--bind', '127.0.0.1:0').bind).toBe('127.0.0.1:0');
  });

  it('refuses relays that are not http(s) URLs and binds that are not ip:port', () => {
    expectUsageError(() => parse('--relay', 'relay.example'), '--relay: not a URL: relay.example');
    expectUsageError(
      () => parse('--relay', 'ftp://relay.example'),
      '--relay: expected an http(s) URL, got ftp://relay.example',
    );
    for (const bind of ['localhost', 'localhost:80', '127.0.0.1', '::1:80', '127.0.0.1:123456'])
      expectUsageError(() => parse('--bind', bind), `--bind: expected ip:port or [ipv6]:port, got ${bind}`);
  });

  it('-h and -V are the shared short flags', () => {
    const { values } = parseArgs({ args: ['-h', '-V'], options: NETWORK_OPTIONS, strict: true });
    expect(values).toMatchObject({ help: true, version: true });
  });
});

describe('parseTicket', () => {
  it("reads a ticket's address", () => {
    const id = SecretKey.generate().public();
    const ticket = EndpointTicket.fromAddr(new EndpointAddr(id, null, ['127.0.0.1:4433'])).toString();
    const addr = parseTicket(ticket);
    expect(addr.id().equals(id)).toBe(true);
    expect(addr.directAddresses()).toEqual(['127.0.0.1:4433']);
  });

  it('refuses what is not a ticket with a UsageError', () => {
    expectUsageError(() => parseTicket('not-a-ticket'), /^not an endpoint ticket: /);
  });
});
