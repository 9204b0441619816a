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

  it('QUIC address discovery: off by default, needs [tls], binds the HTTPS host on port 7842', () => {
    expect(parseConfig('').qad).toBeUndefined();
    expect(parseConfig('[tls]\ncert_mode = "SelfSigned"').qad).toBeUndefined();
    const on = parseConfig('enable_quic_addr_discovery = true\n[tls]\ncert_mode = "Manual"');
    expect(on.qad).toMatchObject({ bindAddr: { host: '0.0.0.0', port: 7842 }, tls: { certMode: 'Manual' } });
    expect(on.qad?.tls).toBe(on.tls);
    const v6 = parseConfig(
      'enable_quic_addr_discovery = true\n[tls]\ncert_mode = "Manual"\nhttps_bind_addr = "[::]:8443"',
    );
    expect(v6.qad?.bindAddr).toEqual({ host: '::', port: 7842 });
    const explicit = parseConfig(
      'enable_quic_addr_discovery = true\n[tls]\ncert_mode = "Manual"\nquic_bind_addr = "127.0.0.1:17842"',
    );
    expect(explicit.qad?.bindAddr).toEqual({ host: '127.0.0.1', port: 17842 });
    expect(explicit.unknownKeys).toEqual([]);
    expect(() => parseConfig('enable_quic_addr_discovery = true')).toThrow(/needs a \[tls\] section/);
    expect(() => parseConfig('enable_quic_addr_discovery = true', { dev: true })).toThrow(/\[tls\]/);
    expect(() =>
      parseConfig('enable_quic_addr_discovery = true\n[tls]\ncert_mode = "Manual"\nquic_bind_addr = "x"'),
    ).toThrow(/tls.quic_bind_addr/);
  });

  it('--dev keeps QAD with its certificate while HTTP stays plain; not with LetsEncrypt', () => {
    const dev = parseConfig('enable_quic_addr_discovery = true\n[tls]\ncert_mode = "SelfSigned"', {
      dev: true,
    });
    expect(dev.tls).toBeUndefined();
    expect(dev.qad).toMatchObject({ tls: { certMode: 'SelfSigned' } });
    expect(() =>
      parseConfig(
        'enable_quic_addr_discovery = true\n[tls]\ncert_mode = "LetsEncrypt"\nhostname = "relay.example"',
        { dev: true },
      ),
    ).toThrow(/LetsEncrypt/);
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
