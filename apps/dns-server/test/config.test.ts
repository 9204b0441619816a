/** The TOML configuration: iroh-dns-server's defaults and keys, `--dev`, overrides and typed errors. */

import { parseDuration } from '@iroh-ts/server-common/config';
import { describe, expect, it } from 'vitest';
import { type CliOverrides, parseConfig } from '../src/config.js';

const ENV = { IROH_DNS_DATA_DIR: '/var/lib/iroh-dns' };
const file = (text: string, cli: CliOverrides = {}, env: NodeJS.ProcessEnv = ENV) =>
  parseConfig(text, { fromFile: true, ...cli }, env);

function errorOf(fn: () => unknown): { name: string; code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { name: string; code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('parseConfig', () => {
  it('without a file uses iroh-dns-server defaults', () => {
    const c = parseConfig('', {}, ENV);
    expect(c.http).toEqual({ host: '::', port: 8080 });
    expect(c.https).toMatchObject({
      bind: { host: '::', port: 8443 },
      domains: ['localhost'],
      certMode: 'self_signed',
      certDir: '/var/lib/iroh-dns/cert_cache',
      letsencryptProd: false,
    });
    expect(c.dns).toEqual({
      bind: { host: '::', port: 5300 },
      origins: ['irohdns.example.', '.'],
      defaultSoa: 'irohdns.example hostmaster.irohdns.example 0 10800 3600 604800 3600',
      defaultTtl: 900,
      rrA: '127.0.0.1',
      rrAaaa: undefined,
      rrNs: 'ns1.irohdns.example.',
    });
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 9117 });
    expect(c.rateLimit).toBe('simple');
    expect(c.store).toEqual({ kind: 'lmdb', path: '/var/lib/iroh-dns' });
    expect(c.zoneStore).toMatchObject({ evictionMs: 7 * 86_400_000, evictionIntervalMs: 10_000 });
    expect(c.mainline).toEqual({ enabled: false, bootstrap: [] });
    expect(c.unknownKeys).toEqual([]);
  });

  it('--dev: loopback listeners, memory store, no rate limit, no HTTPS, no metrics', () => {
    const c = parseConfig('', { dev: true }, ENV);
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.dns.bind).toEqual({ host: '127.0.0.1', port: 5300 });
    expect(c.https).toBeUndefined();
    expect(c.metrics).toBeUndefined();
    expect(c.store).toEqual({ kind: 'memory' });
    expect(c.rateLimit).toBe('disabled');
    // A file's rate limit and HTTPS section are overridden too.
    const f = file('pkarr_put_rate_limit = "smart"\n[https]\ncert_mode = "self_signed"\n', { dev: true });
    expect(f.rateLimit).toBe('disabled');
    expect(f.https).toBeUndefined();
    expect(f.devOverrides).toEqual(['https', 'pkarr_put_rate_limit']);
    expect(c.devOverrides).toEqual([]);
  });

  it('a file like iroh config.prod.toml', () => {
    const c = file(`
pkarr_put_rate_limit = "smart"
[https]
port = 443
listen_backlog = 4096
domains = ["irohdns.example.org"]
cert_mode = "lets_encrypt"
letsencrypt_contact = "ops@example.org"
letsencrypt_prod = true
[dns]
port = 53
default_soa = "dns1.irohdns.example.org hostmaster.irohdns.example.org 0 10800 3600 604800 3600"
default_ttl = 30
origins = ["irohdns.example.org", "."]
rr_a = "203.0.10.10"
rr_ns = "ns1.irohdns.example.org."
[mainline]
enabled = false
`);
    expect(c.http).toBeUndefined(); // no [http] section: no plain-HTTP listener, as iroh
    expect(c.https).toMatchObject({
      bind: { host: '::', port: 443 },
      certMode: 'lets_encrypt',
      letsencryptContact: 'ops@example.org',
      letsencryptProd: true,
      domains: ['irohdns.example.org'],
    });
    expect(c.dns).toMatchObject({
      bind: { host: '::', port: 53 },
      defaultTtl: 30,
      rrA: '203.0.10.10',
      rrAaaa: undefined,
    });
    expect(c.rateLimit).toBe('smart');
    expect(c.unknownKeys).toEqual([]);
  });

  it('command-line addresses and origins override the file; port 0 is allowed', () => {
    const c = file('[http]\nport = 80\n[dns]\nport = 53\norigins = ["a.example."]\n', {
      httpBindAddr: '127.0.0.1:0',
      dnsBindAddr: '[::1]:0',
      metricsBindAddr: '127.0.0.1:0',
      origins: ['b.example'],
    });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.dns.bind).toEqual({ host: '::1', port: 0 });
    expect(c.dns.origins).toEqual(['b.example']);
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('manual certificates default to <cert_dir>/<domain>.crt and .key, as iroh', () => {
    const c = file('data_dir = "/srv/dns"\n[https]\ncert_mode = "manual"\ndomains = ["dns.example.org"]\n');
    expect(c.dataDir).toBe('/srv/dns');
    expect(c.https).toMatchObject({
      certPath: '/srv/dns/cert_cache/dns.example.org.crt',
      keyPath: '/srv/dns/cert_cache/dns.example.org.key',
    });
    const explicit = file(
      '[https]\ncert_mode = "manual"\ncert_path = "/etc/ssl/a.pem"\nkey_path = "/etc/ssl/a.key"\n',
    );
    expect(explicit.https).toMatchObject({ certPath: '/etc/ssl/a.pem', keyPath: '/etc/ssl/a.key' });
  });

  it('[store]: memory, lmdb path, redis URL (from the file or IROH_DNS_REDIS_URL)', () => {
    expect(file('[store]\nbackend = "memory"\n').store).toEqual({ kind: 'memory' });
    expect(file('[store]\npath = "/data/packets"\n').store).toEqual({
      kind: 'lmdb',
      path: '/data/packets',
    });
    expect(file('[store]\nredis_url = "redis://cache:6379"\nredis_key_prefix = "dns:"\n').store).toEqual({
      kind: 'redis',
      url: 'redis://cache:6379',
      keyPrefix: 'dns:',
    });
    expect(file('', {}, { ...ENV, IROH_DNS_REDIS_URL: 'rediss://u:p@cache:6380' }).store).toMatchObject({
      kind: 'redis',
      url: 'rediss://u:p@cache:6380',
    });
  });

  it('[zone_store] durations in humantime form', () => {
    const c = file(
      '[zone_store]\neviction = "1day 12h"\neviction_interval = "500ms"\nmax_batch_size = 100\nmax_batch_time = "2s"\n',
    );
    expect(c.zoneStore).toEqual({
      evictionMs: 36 * 3_600_000,
      evictionIntervalMs: 500,
      maxBatchSize: 100,
      maxBatchTimeMs: 2000,
      cacheCapacity: undefined,
    });
  });

  it('the data directory: data_dir, then IROH_DNS_DATA_DIR, then the platform default', () => {
    expect(file('data_dir = "/a"\n').dataDir).toBe('/a');
    expect(file('', {}, { IROH_DNS_DATA_DIR: '/b' }).dataDir).toBe('/b');
    if (process.platform === 'linux')
      expect(file('', {}, { XDG_DATA_HOME: '/x' }).dataDir).toBe('/x/iroh-dns');
  });

  it('reports unknown keys without failing', () => {
    const c = file('colour = "blue"\n[dns]\nportt = 1\n[https]\nwhatever = 1\n');
    expect([...c.unknownKeys].sort()).toEqual(['colour', 'dns.portt', 'https.whatever']);
  });

  it('rejects bad values with InvalidConfig naming the key', () => {
    const cases: [string, RegExp][] = [
      ['[dns]\nport = 70000\n', /dns\.port/],
      ['[dns]\nport = "53"\n', /dns\.port/],
      ['[dns]\nbind_addr = "localhost"\n', /dns\.bind_addr/],
      ['[dns]\norigins = []\n', /dns\.origins/],
      ['[dns]\nrr_a = "1.2.3"\n', /dns\.rr_a/],
      ['[http]\nbind_addr = "0.0.0.0:80"\n', /http\.bind_addr/],
      ['http = 1\n', /http must be a table/],
      ['[https]\ncert_mode = "lets_encrypt"\n', /letsencrypt_contact/],
      ['[https]\ncert_mode = "manual"\ndomains = ["a.example", "b.example"]\n', /exactly one domain/],
      ['[https]\ndomains = []\n', /https\.domains/],
      ['[metrics]\nbind_addr = "9117"\n', /metrics\.bind_addr/],
      ['[zone_store]\neviction = "soon"\n', /zone_store\.eviction/],
      ['[zone_store]\neviction_interval = "0s"\n', /eviction_interval/],
      ['[store]\nbackend = "postgres"\n', /store\.backend/],
      ['[store]\nbackend = "redis"\n', /redis_url/],
      ['[store]\nredis_url = "http://cache"\n', /redis:\/\//],
      ['[mainline]\nbootstrap = ["no-port"]\n', /mainline\.bootstrap/],
      ['pkarr_put_rate_limit = "off"\n', /pkarr_put_rate_limit/],
      ['[dns\n', /not valid TOML/],
    ];
    for (const [text, message] of cases) {
      const e = errorOf(() => file(text));
      expect({ text, name: e.name, code: e.code }).toEqual({
        text,
        name: 'ServerConfigError',
        code: 'InvalidConfig',
      });
      expect(e.message).toMatch(message);
    }
  });
});

describe('parseDuration', () => {
  it('reads humantime forms and bare seconds', () => {
    expect(parseDuration('10s', 'x')).toBe(10_000);
    expect(parseDuration('7days', 'x')).toBe(7 * 86_400_000);
    expect(parseDuration('1h 30m', 'x')).toBe(5_400_000);
    expect(parseDuration('250ms', 'x')).toBe(250);
    expect(parseDuration('2w', 'x')).toBe(14 * 86_400_000);
    expect(parseDuration(5, 'x')).toBe(5000);
  });

  it('rejects what it cannot read', () => {
    for (const bad of ['', '10', '10 parsecs', 's', '-1s', -1, true])
      expect(() => parseDuration(bad, 'k')).toThrow(/k/);
  });
});
