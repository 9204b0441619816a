/**
 * The relay app's TOML configuration, with iroh-relay's keys where they make sense, turned into
 * validated settings. Unknown keys are reported (not fatal, as in iroh-relay); wrong types and bad
 * values are {@link ServerConfigError}s that name the key.
 */
import { DEFAULT_QAD_PORT } from '@iroh-ts/relay';
import type { AccessConfig, BindAddr, RelayLimits } from '@iroh-ts/relay/server';
import {
  bool,
  fail,
  int,
  isTable,
  noteUnknown,
  parseBindAddr,
  str,
  strings,
  type Table,
} from '@iroh-ts/server-common/config';
import { parse as parseToml } from 'smol-toml';

/** How the HTTPS certificate is obtained. */
export type CertMode = 'Manual' | 'LetsEncrypt' | 'SelfSigned';

/** The `[tls]` section. */
export interface TlsSettings {
  readonly certMode: CertMode;
  readonly httpsBindAddr: BindAddr | undefined;
  /** `quic_bind_addr`: the QAD server's UDP socket, when enabled. Default: the HTTPS host, port 7842. */
  readonly quicBindAddr: BindAddr;
  readonly hostnames: readonly string[];
  readonly certDir: string;
  readonly manualCertPath: string;
  readonly manualKeyPath: string;
  readonly prodTls: boolean;
  readonly contact: string | undefined;
  /** Ours: an ACME directory other than Let's Encrypt's (a private CA, or pebble in tests). */
  readonly acmeDirectoryUrl: string | undefined;
  /** Ours: extra CA certificate (PEM file) trusted for the ACME directory's HTTPS. */
  readonly acmeCaCertPath: string | undefined;
}

/** QUIC address discovery (`enable_quic_addr_discovery = true`). */
export interface QadSettings {
  /** `tls.quic_bind_addr`; default: the HTTPS host, port 7842. */
  readonly bindAddr: BindAddr;
  /** Where its certificate comes from (the `[tls]` section, also under `--dev`). */
  readonly tls: TlsSettings;
}

/** The whole configuration. */
export interface RelayAppConfig {
  readonly httpBindAddr: BindAddr;
  /** HTTPS; `undefined` for plain HTTP (no `[tls]`, or `--dev`). */
  readonly tls: TlsSettings | undefined;
  /** The QAD server; `undefined` when disabled. */
  readonly qad: QadSettings | undefined;
  readonly access: AccessConfig;
  readonly limits: RelayLimits;
  /** Where `/metrics` is served; `undefined` when metrics are disabled. */
  readonly metricsBindAddr: BindAddr | undefined;
  /** Keys that were present but are not known (reported as warnings). */
  readonly unknownKeys: readonly string[];
}

/** Command-line overrides. */
export interface CliOverrides {
  readonly dev?: boolean;
  readonly httpBindAddr?: string | undefined;
  readonly metricsBindAddr?: string | undefined;
}

/** Parses `host:port` / `[v6]:port` into a bind address (a flag value, or a string key). */
function bindAddrAt(doc: Table, key: string, path: string): BindAddr | undefined {
  const text = str(doc, key, path);
  return text === undefined ? undefined : parseBindAddr(text, `${path}${key}`);
}

/** The list at a key that is known to be present. */
const list = (t: Table, key: string, path: string): string[] => strings(t, key, path) ?? [];

function parseAccess(v: unknown, env: NodeJS.ProcessEnv): AccessConfig {
  if (v === undefined || v === 'everyone') return 'everyone';
  if (!isTable(v) || Object.keys(v).length !== 1)
    return fail(
      'access must be "everyone" or one of access.allowlist, access.denylist, access.shared_token, access.http',
    );
  if ('allowlist' in v) return { allowlist: list(v, 'allowlist', 'access.') };
  if ('denylist' in v) return { denylist: list(v, 'denylist', 'access.') };
  if ('shared_token' in v) {
    // As iroh-relay: the environment variable replaces the whole list with one token.
    const tokens =
      env.IROH_RELAY_ACCESS_TOKEN !== undefined
        ? [env.IROH_RELAY_ACCESS_TOKEN]
        : list(v, 'shared_token', 'access.');
    if (tokens.length === 0 || tokens.some((t) => t.length === 0))
      return fail('access.shared_token must not be empty or contain empty strings');
    return { sharedToken: tokens };
  }
  if ('http' in v) {
    const h = v.http;
    if (!isTable(h)) return fail('access.http must be a table with url (and optionally bearer_token)');
    const url = str(h, 'url', 'access.http.') ?? fail('access.http.url is required');
    const bearerToken = env.IROH_RELAY_HTTP_BEARER_TOKEN ?? str(h, 'bearer_token', 'access.http.');
    return { http: { url, bearerToken } };
  }
  return fail(`unknown access mode: ${Object.keys(v)[0]}`);
}

function parseTls(v: unknown, httpBind: BindAddr, unknown: string[]): TlsSettings {
  if (!isTable(v)) return fail('tls must be a table');
  noteUnknown(
    v,
    [
      'https_bind_addr',
      'quic_bind_addr',
      'hostname',
      'cert_mode',
      'cert_dir',
      'manual_cert_path',
      'manual_key_path',
      'prod_tls',
      'contact',
      'dangerous_http_only',
      'acme_directory_url',
      'acme_ca_cert_path',
    ],
    'tls.',
    unknown,
  );
  const mode =
    str(v, 'cert_mode', 'tls.') ?? fail('tls.cert_mode is required (Manual, LetsEncrypt or SelfSigned)');
  if (mode !== 'Manual' && mode !== 'LetsEncrypt' && mode !== 'SelfSigned')
    return fail(`tls.cert_mode must be Manual, LetsEncrypt or SelfSigned, got ${JSON.stringify(mode)}`);
  const certDir = str(v, 'cert_dir', 'tls.') ?? '.';
  const hostnames = list(v, 'hostname', 'tls.');
  if (mode === 'LetsEncrypt' && hostnames.length === 0)
    fail('tls.hostname is required with cert_mode LetsEncrypt');
  const httpsBindAddr =
    v.https_bind_addr === undefined
      ? { host: httpBind.host, port: 443 }
      : bindAddrAt(v, 'https_bind_addr', 'tls.')!;
  return {
    certMode: mode,
    httpsBindAddr,
    quicBindAddr:
      v.quic_bind_addr === undefined
        ? { host: httpsBindAddr.host, port: DEFAULT_QAD_PORT }
        : bindAddrAt(v, 'quic_bind_addr', 'tls.')!,
    hostnames,
    certDir,
    manualCertPath: str(v, 'manual_cert_path', 'tls.') ?? `${certDir}/default.crt`,
    manualKeyPath: str(v, 'manual_key_path', 'tls.') ?? `${certDir}/default.key`,
    prodTls: bool(v, 'prod_tls', 'tls.', true),
    contact: str(v, 'contact', 'tls.'),
    acmeDirectoryUrl: str(v, 'acme_directory_url', 'tls.'),
    acmeCaCertPath: str(v, 'acme_ca_cert_path', 'tls.'),
  };
}

function parseLimits(v: unknown, unknown: string[]): RelayLimits {
  if (v === undefined) return {};
  if (!isTable(v)) return fail('limits must be a table');
  noteUnknown(
    v,
    ['accept_conn_limit', 'accept_conn_burst', 'client', 'max_clients', 'send_queue_depth'],
    'limits.',
    unknown,
  );
  let rx: { bytesPerSecond: number; maxBurstBytes: number | undefined } | undefined;
  if (v.client !== undefined) {
    if (!isTable(v.client)) return fail('limits.client must be a table');
    const r = v.client.rx;
    if (r !== undefined) {
      if (!isTable(r)) return fail('limits.client.rx must be a table');
      const bytesPerSecond =
        int(r, 'bytes_per_second', 'limits.client.rx.', 1, Number.MAX_SAFE_INTEGER) ??
        fail('limits.client.rx.bytes_per_second is required');
      rx = {
        bytesPerSecond,
        maxBurstBytes: int(r, 'max_burst_bytes', 'limits.client.rx.', 1, Number.MAX_SAFE_INTEGER),
      };
    }
  }
  return {
    client: rx ? { rx } : undefined,
    maxClients: int(v, 'max_clients', 'limits.', 1, Number.MAX_SAFE_INTEGER),
    sendQueueDepth: int(v, 'send_queue_depth', 'limits.', 1, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * Parses the TOML text (empty for no file) and applies the command line. `--dev` defaults the HTTP
 * listener to `0.0.0.0:3340` and serves plain HTTP even when `[tls]` is present, as iroh-relay; QUIC
 * address discovery still uses the `[tls]` certificate then (Manual or SelfSigned, not LetsEncrypt).
 *
 * @throws {@link ServerConfigError} `InvalidConfig`.
 */
export function parseConfig(
  text: string,
  cli: CliOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): RelayAppConfig {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (e) {
    return fail(`the config is not valid TOML: ${(e as Error).message}`);
  }
  const unknown: string[] = [];
  noteUnknown(
    doc,
    [
      'enable_relay',
      'http_bind_addr',
      'tls',
      'enable_quic_addr_discovery',
      'limits',
      'enable_metrics',
      'metrics_bind_addr',
      'key_cache_capacity',
      'access',
    ],
    '',
    unknown,
  );
  if (!bool(doc, 'enable_relay', '', true))
    fail('enable_relay = false is not supported: this app is the relay');
  const qadEnabled = bool(doc, 'enable_quic_addr_discovery', '', false);
  // As iroh-relay: QAD serves the relay's certificate, so it needs [tls], even with --dev.
  if (qadEnabled && doc.tls === undefined)
    fail(
      'enable_quic_addr_discovery = true needs a [tls] section: QUIC address discovery serves its certificate',
    );
  const httpBindAddr = cli.httpBindAddr
    ? parseBindAddr(cli.httpBindAddr, '--http-bind-addr')
    : doc.http_bind_addr !== undefined
      ? bindAddrAt(doc, 'http_bind_addr', '')!
      : { host: '0.0.0.0', port: cli.dev ? 3340 : 80 };
  const tlsSection = doc.tls === undefined ? undefined : parseTls(doc.tls, httpBindAddr, unknown);
  // --dev serves plain HTTP even with [tls]; QAD keeps its certificate, which must then be at hand.
  if (cli.dev && qadEnabled && tlsSection?.certMode === 'LetsEncrypt')
    fail('--dev with enable_quic_addr_discovery is incompatible with cert_mode LetsEncrypt');
  const tls = cli.dev ? undefined : tlsSection;
  const metricsEnabled = bool(doc, 'enable_metrics', '', true);
  const metricsBindAddr = cli.metricsBindAddr
    ? parseBindAddr(cli.metricsBindAddr, '--metrics-bind-addr')
    : !metricsEnabled
      ? undefined
      : doc.metrics_bind_addr !== undefined
        ? bindAddrAt(doc, 'metrics_bind_addr', '')!
        : { host: httpBindAddr.host, port: 9090 };
  return {
    httpBindAddr,
    tls,
    qad: qadEnabled && tlsSection ? { bindAddr: tlsSection.quicBindAddr, tls: tlsSection } : undefined,
    access: parseAccess(doc.access, env),
    limits: parseLimits(doc.limits, unknown),
    metricsBindAddr,
    unknownKeys: unknown,
  };
}
