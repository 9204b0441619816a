/**
 * The `[https]` section, with iroh-dns-server's keys (`port`, `bind_addr`, `domains`, `cert_mode`,
 * `letsencrypt_contact`, `letsencrypt_prod`) plus `cert_dir` and, ours, explicit PEM paths and a
 * custom ACME directory.
 */
import { join } from 'node:path';
import {
  type BindAddr,
  bool,
  fail,
  ip,
  noteUnknown,
  port,
  str,
  strings,
  type Table,
} from '@iroh-ts/server-common/config';

/** How the HTTPS certificate is obtained (iroh-dns-server's `cert_mode` values). */
export type CertMode = 'self_signed' | 'manual' | 'lets_encrypt';

/** The `[https]` section. */
export interface HttpsSettings {
  readonly bind: BindAddr;
  /** Names the certificate is for. */
  readonly domains: readonly string[];
  readonly certMode: CertMode;
  /** Certificate cache: manual PEM files and ACME state. Default `<data_dir>/cert_cache`. */
  readonly certDir: string;
  /** Manual mode: the certificate chain. Default `<cert_dir>/<domain>.crt`, as iroh. */
  readonly certPath: string;
  /** Manual mode: the private key. Default `<cert_dir>/<domain>.key`, as iroh. */
  readonly keyPath: string;
  /** Contact email for Let's Encrypt (required in `lets_encrypt` mode). */
  readonly letsencryptContact: string | undefined;
  /** Let's Encrypt production (true) or staging (false, the default as in iroh). */
  readonly letsencryptProd: boolean;
  /** Ours: an ACME directory other than Let's Encrypt's (a private CA, or pebble in tests). */
  readonly acmeDirectoryUrl: string | undefined;
  /** Ours: an extra CA certificate (PEM file) trusted for the ACME directory's own HTTPS. */
  readonly acmeCaCertPath: string | undefined;
}

const HTTPS_KEYS = [
  'port',
  'bind_addr',
  'listen_backlog',
  'domains',
  'cert_mode',
  'cert_dir',
  'cert_path',
  'key_path',
  'letsencrypt_contact',
  'letsencrypt_prod',
  'acme_directory_url',
  'acme_ca_cert_path',
];

/** iroh's file name for a domain's PEM files: the name without characters outside `[A-Za-z0-9.-]`. */
export function escapeHostname(name: string): string {
  return name.replace(/[^a-zA-Z0-9.-]/g, '');
}

/** Parses `[https]` (an empty table gives iroh's default: port 8443, self-signed for `localhost`). */
export function parseHttps(t: Table, dataDir: string, unknown: string[]): HttpsSettings {
  noteUnknown(t, HTTPS_KEYS, 'https.', unknown);
  const mode = str(t, 'cert_mode', 'https.') ?? 'self_signed';
  if (mode !== 'self_signed' && mode !== 'manual' && mode !== 'lets_encrypt')
    return fail(
      `https.cert_mode must be "self_signed", "manual" or "lets_encrypt", got ${JSON.stringify(mode)}`,
    );
  const domains = strings(t, 'domains', 'https.') ?? ['localhost'];
  if (domains.length === 0) fail('https.domains must name at least one domain');
  if (mode === 'manual' && domains.length !== 1 && (t.cert_path === undefined || t.key_path === undefined))
    fail(
      'https.domains must hold exactly one domain with cert_mode "manual" (or set cert_path and key_path)',
    );
  const contact = str(t, 'letsencrypt_contact', 'https.');
  if (mode === 'lets_encrypt' && contact === undefined)
    fail('https.letsencrypt_contact is required with cert_mode "lets_encrypt"');
  const certDir = str(t, 'cert_dir', 'https.') ?? join(dataDir, 'cert_cache');
  const base = join(certDir, escapeHostname(domains[0]!));
  return {
    bind: { host: ip(t, 'bind_addr', 'https.') ?? '::', port: port(t, 'port', 'https.') ?? 8443 },
    domains,
    certMode: mode,
    certDir,
    certPath: str(t, 'cert_path', 'https.') ?? `${base}.crt`,
    keyPath: str(t, 'key_path', 'https.') ?? `${base}.key`,
    letsencryptContact: contact,
    letsencryptProd: bool(t, 'letsencrypt_prod', 'https.', false),
    acmeDirectoryUrl: str(t, 'acme_directory_url', 'https.'),
    acmeCaCertPath: str(t, 'acme_ca_cert_path', 'https.'),
  };
}
