/**
 * ACME issuance against Debian's pebble on loopback (never the internet), through the shared pebble
 * helper: pebble validates HTTP-01 by connecting to our relay's plain-HTTP listener (its httpPort),
 * and PEBBLE_VA_ALWAYS_VALID is removed, so our challenge responder is really used. QUIC address
 * discovery is on and serves the issued certificate.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { qadProbe } from '@iroh-ts/relay/server';
import { freePort, type Pebble, pebbleSkipReason, startPebble } from '@iroh-ts/server-common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startRelayApp } from './support/process.js';

const skip = pebbleSkipReason();
if (skip) console.warn(`SKIP ACME issuance against pebble: ${skip}`);

let pebble: Pebble | undefined;
afterAll(() => pebble?.stop());

describe.skipIf(skip !== null)('ACME (pebble)', () => {
  it('obtains a certificate through HTTP-01 answered by the relay and serves it over HTTPS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-acme-'));
    const [httpPort, httpsPort, quicPort] = await Promise.all([freePort(), freePort(), freePort()]);
    pebble = await startPebble(dir, httpPort, httpsPort);
    await writeFile(
      join(dir, 'relay.toml'),
      [
        `http_bind_addr = "127.0.0.1:${httpPort}"`,
        'enable_metrics = false',
        'enable_quic_addr_discovery = true',
        '[tls]',
        `quic_bind_addr = "127.0.0.1:${quicPort}"`,
        'cert_mode = "LetsEncrypt"',
        'hostname = "relay.iroh-ts.test"',
        `cert_dir = "${join(dir, 'certs')}"`,
        'contact = "ops@iroh-ts.test"',
        `https_bind_addr = "127.0.0.1:${httpsPort}"`,
        `acme_directory_url = "${pebble.directoryUrl}"`,
        `acme_ca_cert_path = "${pebble.caCertPath}"`,
      ].join('\n'),
    );
    const relay = await startRelayApp(['--config', join(dir, 'relay.toml')], {}, 90_000);
    try {
      expect(relay.url).toMatch(/^https:\/\//);
      // The certificate served over HTTPS is the one pebble issued for our hostname.
      const served = await new Promise<X509Certificate>((resolve, reject) => {
        const sock = connect(
          { host: '127.0.0.1', port: httpsPort, servername: 'relay.iroh-ts.test', rejectUnauthorized: false },
          () => {
            const c = sock.getPeerX509Certificate();
            sock.end();
            if (c) resolve(c);
            else reject(new Error('no certificate'));
          },
        );
        sock.once('error', reject);
      });
      expect(served.checkHost('relay.iroh-ts.test')).toBe('relay.iroh-ts.test');
      expect(served.issuer).toMatch(/Pebble/i);
      // Issued through the ACME flow: the stored copy matches what is served.
      const stored = new X509Certificate(await readFile(join(dir, 'certs', 'acme.crt'), 'utf8'));
      expect(stored.fingerprint256).toBe(served.fingerprint256);
      // QUIC address discovery serves the issued certificate too (pebble's intermediate as the root).
      const pems = (await readFile(join(dir, 'certs', 'acme.crt'), 'utf8')).match(
        /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
      );
      const issuer = new Uint8Array(new X509Certificate(pems![1]!).raw);
      const probe = await qadProbe({
        server: `127.0.0.1:${quicPort}`,
        roots: [issuer],
        serverName: 'relay.iroh-ts.test',
        bindAddr: '127.0.0.1:0',
      });
      expect(probe.observedAddress).toBe(probe.localAddress);
      expect(await relay.stop()).toBe(0);
    } finally {
      relay.child.kill('SIGKILL');
    }
  }, 120_000);
});
