import { SecretKey } from '@iroh-ts/base';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const id = SecretKey.generate().public().toString();

describe('relay.toml', () => {
  it('defaults like iroh-relay: port 80, metrics on 9090, everyone allowed; --dev uses 3340', () => {
    const c = parseConfig('');
    expect(c.httpBindAddr).toEqual({ host: '0.0.0.0', port: 80 });
    expect(c.metricsBindAddr).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(c.access).toBe('everyone');
    expect(c.tls).toBeUndefined();
    expect(parseConfig('', { dev: true }).httpBindAddr.port).toBe(3340);
  });

  it('reads bind addresses, TLS, access modes and limits with iroh-relay key names', () => {
    const c = parseConfig(`
http_bind_addr = "[::1]:8080"
metrics_bind_addr = "127.0.0.1:9999"
access.allowlist = ["${id}"]
[tls]
cert_mode = "Manual"
cert_dir = "/etc/relay"
https_bind_addr = "0.0.0.0:8443"
[limits.client.rx]
bytes_per_second = 1000000
`);
    expect(c.httpBindAddr).toEqual({ host: '::1', port: 8080 });
    expect(c.metricsBindAddr).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(c.access).toEqual({ allowlist: [id] });
    expect(c.tls).toMatchObject({
      certMode: 'Manual',
      manualCertPath: '/etc/relay/default.crt',
      manualKeyPath: '/etc/relay/default.key',
      httpsBindAddr: { host: '0.0.0.0', port: 8443 },
    });
    expect(c.limits.client?.rx).toEqual({ bytesPerSecond: 1_000_000, maxBurstBytes: undefined });
    expect(parseConfig('access.denylist = ["x"]').access).toEqual({ denylist: ['x'] });
    expect(parseConfig('access = "everyone"').access).toBe('everyone');
    expect(parseConfig('access.http = { url = "http://a/b", bearer_token = "t" }').access).toEqual({
      http: { url: 'http://a/b', bearerToken: 't' },
    });
  });

  it('the command line wins over the file, and --dev ignores [tls]', () => {
    const c = parseConfig('http_bind_addr = "0.0.0.0:1"\n[tls]\ncert_mode = "SelfSigned"', {
      dev: true,
      httpBindAddr: '127.0.0.1:0',
      metricsBindAddr: '127.0.0.1:0',
    });
    expect(c.httpBindAddr).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.metricsBindAddr).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.tls).toBeUndefined();
  });

  it('shared tokens: the environment replaces the list; empty lists and tokens are refused', () => {
    expect(parseConfig('access.shared_token = ["a", "b"]').access).toEqual({ sharedToken: ['a', 'b'] });
    expect(parseConfig('access.shared_token = ["a"]', {}, { IROH_RELAY_ACCESS_TOKEN: 'env' }).access).toEqual(
      {
        sharedToken: ['env'],
      },
    );
    expect(() => parseConfig('access.shared_token = []')).toThrow(/must not be empty/);
    expect(() => parseConfig('access.shared_token = [""]')).toThrow(/must not be empty/);
  });

  it('bad input is a typed error naming the key; unknown keys are reported', () => {
    const bad: [string, RegExp][] = [
      ['http_bind_addr = "nonsense"', /http_bind_addr/],
      ['http_bind_addr = 80', /http_bind_addr/],
      ['[tls]\ncert_mode = "Magic"', /cert_mode/],
      ['[tls]\ncert_mode = "LetsEncrypt"', /hostname/],
      ['[limits.client.rx]\nbytes_per_second = -5', /bytes_per_second/],
      ['access = "nobody"', /access/],
      ['access.http = { bearer_token = "x" }', /access.http.url/],
      ['enable_relay = false', /enable_relay/],
      ['enable_quic_addr_discovery = true', /quic/],
      ['this is = not toml [', /TOML/],
    ];
    for (const [text, re] of bad) {
      let err: unknown;
      try {
        parseConfig(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toMatchObject({ name: 'ServerConfigError', code: 'InvalidConfig' });
      expect((err as Error).message, text).toMatch(re);
    }
    expect(
      parseConfig('frobnicate = 1\n[tls]\ncert_mode = "SelfSigned"\ncolour = "red"').unknownKeys,
    ).toEqual(['frobnicate', 'tls.colour']);
  });
});
