/**
 * `cert_mode = "lets_encrypt"` against pebble on loopback: the app answers HTTP-01 on its plain-HTTP
 * listener, installs the issued certificate on the HTTPS listener, and keeps serving pkarr over both.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { freePort, type Pebble, pebbleSkipReason, startPebble } from '@iroh-ts/server-common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { endpointPacket, keyFrom, putPacket } from './support/packets.js';
import { startApp } from './support/process.js';

const skip = pebbleSkipReason();
if (skip) console.warn(`SKIP apps/dns-server ACME issuance against pebble: ${skip}`);

const DOMAIN = 'dns.iroh-ts.test';
let pebble: Pebble | undefined;
afterAll(() => pebble?.stop());

function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, servername: DOMAIN, rejectUnauthorized: false }, () => {
      const c = sock.getPeerX509Certificate();
      sock.end();
      if (c) resolve(c);
      else reject(new Error('no certificate'));
    });
    sock.once('error', reject);
  });
}

describe.skipIf(skip !== null)('ACME (pebble)', () => {
  it('obtains a certificate through HTTP-01 answered by the app and serves it over HTTPS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-acme-'));
    const [httpPort, httpsPort] = await Promise.all([freePort(), freePort()]);
    pebble = await startPebble(dir, httpPort, httpsPort);
    await writeFile(
      join(dir, 'dns.toml'),
      [
        '[http]',
        `port = ${httpPort}`,
        'bind_addr = "127.0.0.1"',
        '[https]',
        `port = ${httpsPort}`,
        'bind_addr = "127.0.0.1"',
        `domains = ["${DOMAIN}"]`,
        'cert_mode = "lets_encrypt"',
        'letsencrypt_contact = "ops@iroh-ts.test"',
        `cert_dir = "${join(dir, 'certs')}"`,
        `acme_directory_url = "${pebble.directoryUrl}"`,
        `acme_ca_cert_path = "${pebble.caCertPath}"`,
        '[dns]',
        'port = 0',
        'bind_addr = "127.0.0.1"',
        '[metrics]',
        'disabled = true',
        '[store]',
        'backend = "memory"',
      ].join('\n'),
    );
    const app = await startApp(['--config', join(dir, 'dns.toml')], {}, 90_000);
    try {
      const served = await servedCertificate(httpsPort);
      expect(served.checkHost(DOMAIN)).toBe(DOMAIN);
      expect(served.issuer).toMatch(/Pebble/i);
      const stored = new X509Certificate(await readFile(join(dir, 'certs', 'acme.crt'), 'utf8'));
      expect(stored.fingerprint256).toBe(served.fingerprint256);
      // The plain-HTTP listener, now behind the challenge responder, still serves the pkarr API.
      const packet = endpointPacket(keyFrom(11), 'https://relay.example.com./');
      expect(await putPacket(app.http, packet)).toBe(204);
      expect((await fetch(`${app.http}/pkarr/${packet.z32}`)).status).toBe(200);
      expect((await fetch(`${app.http}/.well-known/acme-challenge/unknown`)).status).toBe(404);
      expect(await app.stop()).toBe(0);
    } finally {
      app.child.kill('SIGKILL');
    }
  }, 120_000);
});
