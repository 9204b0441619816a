/**
 * The DNS server app's configuration: iroh-dns-server's TOML keys where they make sense, plus a
 * `[store]` section for the storage backend, turned into validated settings. Unknown keys are
 * reported (not fatal); wrong types and bad values are {@link ServerConfigError}s naming the key.
 *
 * Like iroh-dns-server, a file without `[http]` or `[https]` starts no such listener, and running
 * without any file uses iroh's defaults (HTTP 8080, HTTPS 8443 self-signed for `localhost`, DNS
 * 5300, metrics 127.0.0.1:9117). `--dev` switches to loopback addresses, an in-memory store, no PUT
 * rate limit, no HTTPS and no metrics unless asked for.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RateLimitMode } from '@iroh-ts/dns-server/server';
import {
  type BindAddr,
  bool,
  fail,
  int,
  ip,
  noteUnknown,
  parseBindAddr,
  port,
  str,
  strings,
  type Table,
  table,
} from '@iroh-ts/server-common/config';
import { parse as parseToml } from 'smol-toml';
import { type HttpsSettings, parseHttps } from './config-https.js';
import { parseStore, parseZoneStore, type StoreSettings, type ZoneStoreSettings } from './config-store.js';

export type { BindAddr } from '@iroh-ts/server-common/config';
export type { CertMode, HttpsSettings } from './config-https.js';
export type { StoreSettings, ZoneStoreSettings } from './config-store.js';

/** The `[dns]` section. */
export interface DnsSettings {
  readonly bind: BindAddr;
  /** Origins served, in order (`--origin` replaces them). */
  readonly origins: readonly string[];
  /** SOA data, `mname rname serial refresh retry expire minimum`. */
  readonly defaultSoa: string;
  /** Accepted for compatibility; as in iroh-dns-server 1.4, answers keep the TTLs their publisher signed. */
  readonly defaultTtl: number;
  readonly rrA: string | undefined;
  readonly rrAaaa: string | undefined;
  readonly rrNs: string | undefined;
}

/** The `[mainline]` section (DHT fallback for keys not in the store). */
export interface MainlineSettings {
  readonly enabled: boolean;
  readonly bootstrap: readonly string[];
}

/** The whole configuration. */
export interface DnsAppConfig {
  /** Plain-HTTP listener (pkarr relay API, DoH); `undefined` for none. */
  readonly http: BindAddr | undefined;
  /** HTTPS listener; `undefined` for none. */
  readonly https: HttpsSettings | undefined;
  readonly dns: DnsSettings;
  /** Where `/metrics` is served; `undefined` when disabled. */
  readonly metrics: BindAddr | undefined;
  /** How PUTs to `/pkarr` are rate limited. */
  readonly rateLimit: RateLimitMode;
  /** The data directory (persistent store, certificate cache). */
  readonly dataDir: string;
  readonly store: StoreSettings;
  readonly zoneStore: ZoneStoreSettings;
  readonly mainline: MainlineSettings;
  /** Keys that were present but are not known (reported as warnings). */
  readonly unknownKeys: readonly string[];
  /** Settings of the file that `--dev` overrides (reported as warnings). */
  readonly devOverrides: readonly string[];
}

/** Command-line overrides. */
export interface CliOverrides {
  readonly dev?: boolean;
  /** True when a config file was given (otherwise iroh's built-in defaults apply). */
  readonly fromFile?: boolean;
  readonly httpBindAddr?: string | undefined;
  readonly dnsBindAddr?: string | undefined;
  readonly metricsBindAddr?: string | undefined;
  readonly origins?: readonly string[] | undefined;
}

/** iroh-dns-server's default DNS settings. */
export const DEFAULT_DNS = {
  port: 5300,
  origins: ['irohdns.example.', '.'],
  defaultSoa: 'irohdns.example hostmaster.irohdns.example 0 10800 3600 604800 3600',
  defaultTtl: 900,
} as const;
/** Default ports: HTTP, HTTPS, metrics. */
export const DEFAULT_PORTS = { http: 8080, https: 8443, metrics: 9117 } as const;

const TOP_KEYS = [
  'http',
  'https',
  'dns',
  'metrics',
  'mainline',
  'zone_store',
  'pkarr_put_rate_limit',
  'data_dir',
  'store',
];

/**
 * The data directory: `data_dir`, else `IROH_DNS_DATA_DIR`, else the platform's data directory plus
 * `iroh-dns` (as iroh-dns-server).
 */
export function resolveDataDir(configured: string | undefined, env: NodeJS.ProcessEnv): string {
  if (configured) return configured;
  if (env.IROH_DNS_DATA_DIR) return env.IROH_DNS_DATA_DIR;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'iroh-dns');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'iroh-dns');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'iroh-dns');
}

function parseRateLimit(doc: Table): RateLimitMode {
  const v = str(doc, 'pkarr_put_rate_limit', '') ?? 'simple';
  if (v !== 'disabled' && v !== 'simple' && v !== 'smart')
    return fail(`pkarr_put_rate_limit must be "disabled", "simple" or "smart", got ${JSON.stringify(v)}`);
  return v;
}

/** `[http]` / `[https]` hold `port` and `bind_addr` (an IP) separately, as in iroh. */
function listenerAddr(t: Table, path: string, defaultPort: number, defaultHost: string): BindAddr {
  return { host: ip(t, 'bind_addr', path) ?? defaultHost, port: port(t, 'port', path) ?? defaultPort };
}

function parseHttp(doc: Table, cli: CliOverrides, unknown: string[]): BindAddr | undefined {
  if (cli.httpBindAddr) return parseBindAddr(cli.httpBindAddr, '--http-bind-addr');
  const http = table(doc, 'http', '');
  const host = cli.dev ? '127.0.0.1' : '::';
  if (http === undefined) return cli.fromFile && !cli.dev ? undefined : { host, port: DEFAULT_PORTS.http };
  noteUnknown(http, ['port', 'bind_addr', 'listen_backlog'], 'http.', unknown);
  int(http, 'listen_backlog', 'http.', 1, 1 << 20);
  return listenerAddr(http, 'http.', DEFAULT_PORTS.http, host);
}

function parseDns(doc: Table, cli: CliOverrides, unknown: string[]): DnsSettings {
  const dns = table(doc, 'dns', '') ?? {};
  noteUnknown(
    dns,
    ['port', 'bind_addr', 'origins', 'default_soa', 'default_ttl', 'rr_a', 'rr_aaaa', 'rr_ns'],
    'dns.',
    unknown,
  );
  const bind = cli.dnsBindAddr
    ? parseBindAddr(cli.dnsBindAddr, '--dns-bind-addr')
    : listenerAddr(dns, 'dns.', DEFAULT_DNS.port, cli.dev ? '127.0.0.1' : '::');
  const origins = cli.origins?.length
    ? [...cli.origins]
    : (strings(dns, 'origins', 'dns.') ?? DEFAULT_DNS.origins);
  if (origins.length === 0) fail('dns.origins must name at least one origin');
  // Without a config file iroh also serves an A record (127.0.0.1) and an NS record at each apex.
  const builtin = !cli.fromFile;
  return {
    bind,
    origins,
    defaultSoa: str(dns, 'default_soa', 'dns.') ?? DEFAULT_DNS.defaultSoa,
    defaultTtl: int(dns, 'default_ttl', 'dns.', 0, 0x7fffffff) ?? DEFAULT_DNS.defaultTtl,
    rrA: ip(dns, 'rr_a', 'dns.') ?? (builtin ? '127.0.0.1' : undefined),
    rrAaaa: ip(dns, 'rr_aaaa', 'dns.'),
    rrNs: str(dns, 'rr_ns', 'dns.') ?? (builtin ? 'ns1.irohdns.example.' : undefined),
  };
}

function parseMetrics(doc: Table, cli: CliOverrides, unknown: string[]): BindAddr | undefined {
  if (cli.metricsBindAddr) return parseBindAddr(cli.metricsBindAddr, '--metrics-bind-addr');
  const m = table(doc, 'metrics', '');
  if (m === undefined) return cli.dev ? undefined : { host: '127.0.0.1', port: DEFAULT_PORTS.metrics };
  noteUnknown(m, ['disabled', 'bind_addr'], 'metrics.', unknown);
  if (bool(m, 'disabled', 'metrics.', false)) return undefined;
  const addr = str(m, 'bind_addr', 'metrics.');
  if (addr !== undefined) return parseBindAddr(addr, 'metrics.bind_addr');
  return cli.dev ? undefined : { host: '127.0.0.1', port: DEFAULT_PORTS.metrics };
}

function parseMainline(doc: Table, unknown: string[]): MainlineSettings {
  const m = table(doc, 'mainline', '') ?? {};
  noteUnknown(m, ['enabled', 'bootstrap'], 'mainline.', unknown);
  const bootstrap = strings(m, 'bootstrap', 'mainline.') ?? [];
  for (const b of bootstrap)
    if (!/^[^\s:]+:\d{1,5}$/.test(b))
      fail(`mainline.bootstrap entries must be host:port, got ${JSON.stringify(b)}`);
  return { enabled: bool(m, 'enabled', 'mainline.', false), bootstrap };
}

/**
 * Parses the TOML text (empty when there is no file) and applies the command line.
 *
 * @throws {@link ServerConfigError} `InvalidConfig`.
 */
export function parseConfig(
  text: string,
  cli: CliOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): DnsAppConfig {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (e) {
    return fail(`the config is not valid TOML: ${(e as Error).message}`);
  }
  const unknown: string[] = [];
  noteUnknown(doc, TOP_KEYS, '', unknown);
  const dataDir = resolveDataDir(str(doc, 'data_dir', ''), env);
  const httpsTable = table(doc, 'https', '');
  const https =
    cli.dev || (httpsTable === undefined && cli.fromFile)
      ? undefined
      : parseHttps(httpsTable ?? {}, dataDir, unknown);
  const rateLimit = parseRateLimit(doc);
  const devOverrides = cli.dev
    ? [
        ...(httpsTable !== undefined ? ['https'] : []),
        ...(doc.store !== undefined ? ['store'] : []),
        ...(rateLimit !== 'disabled' && doc.pkarr_put_rate_limit !== undefined
          ? ['pkarr_put_rate_limit']
          : []),
      ]
    : [];
  return {
    http: parseHttp(doc, cli, unknown),
    https,
    dns: parseDns(doc, cli, unknown),
    metrics: parseMetrics(doc, cli, unknown),
    rateLimit: cli.dev ? 'disabled' : rateLimit,
    dataDir,
    store: cli.dev ? { kind: 'memory' } : parseStore(table(doc, 'store', ''), dataDir, env, unknown),
    zoneStore: parseZoneStore(table(doc, 'zone_store', ''), unknown),
    mainline: parseMainline(doc, unknown),
    unknownKeys: unknown,
    devOverrides,
  };
}
