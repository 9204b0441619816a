/**
 * ACME issuance against Debian's pebble on loopback (never the internet): pebble serves its API over
 * a certificate this test makes, resolves names through pebble-challtestsrv (every name → 127.0.0.1),
 * and validates HTTP-01 by connecting to our relay's plain-HTTP listener (pebble's httpPort).
 * PEBBLE_VA_ALWAYS_VALID is removed from the environment, so our challenge responder is really used.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { selfSignedCertificate } from '@iroh-ts/server-common';
import { afterAll, describe, expect, it } from 'vitest';
import { startRelayApp } from './support/process.js';

function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const available = have('pebble') && have('pebble-challtestsrv');
if (!available)
  console.warn('SKIP ACME issuance against pebble: `pebble` is not installed (Debian package pebble)');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitForOutput(child: ChildProcess, re: RegExp, what: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), timeoutMs);
    const on = (d: Buffer) => {
      out += d;
      if (re.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${out}`)));
  });
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

describe.skipIf(!available)('ACME (pebble)', () => {
  it('obtains a certificate through HTTP-01 answered by the relay and serves it over HTTPS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-acme-'));
    const [acmePort, mgmtPort, dnsPort, httpPort, httpsPort, challMgmtPort] = await Promise.all(
      Array.from({ length: 6 }, freePort),
    );
    const pebbleTls = await selfSignedCertificate(['localhost', '127.0.0.1']);
    await writeFile(join(dir, 'pebble.crt'), pebbleTls.certPem);
    await writeFile(join(dir, 'pebble.key'), pebbleTls.keyPem);
    await writeFile(
      join(dir, 'pebble.json'),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${mgmtPort}`,
          certificate: join(dir, 'pebble.crt'),
          privateKey: join(dir, 'pebble.key'),
          httpPort,
          tlsPort: httpsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' };
    delete env.PEBBLE_VA_ALWAYS_VALID;
    const chall = spawn(
      'pebble-challtestsrv',
      [
        '-defaultIPv4',
        '127.0.0.1',
        '-defaultIPv6',
        '',
        '-dns01',
        `127.0.0.1:${dnsPort}`,
        '-http01',
        '',
        '-https01',
        '',
        '-tlsalpn01',
        '',
        '-management',
        `127.0.0.1:${challMgmtPort}`,
      ],
      { env },
    );
    children.push(chall);
    await waitForOutput(chall, /Starting challenge servers|DNS server|dns/i, 'pebble-challtestsrv');
    const pebble = spawn(
      'pebble',
      ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`],
      { env },
    );
    children.push(pebble);
    await waitForOutput(pebble, /Listening on/, 'pebble');

    await writeFile(
      join(dir, 'relay.toml'),
      [
        `http_bind_addr = "127.0.0.1:${httpPort}"`,
        'enable_metrics = false',
        '[tls]',
        'cert_mode = "LetsEncrypt"',
        'hostname = "relay.iroh-ts.test"',
        `cert_dir = "${join(dir, 'certs')}"`,
        'contact = "ops@iroh-ts.test"',
        `https_bind_addr = "127.0.0.1:${httpsPort}"`,
        `acme_directory_url = "https://127.0.0.1:${acmePort}/dir"`,
        `acme_ca_cert_path = "${join(dir, 'pebble.crt')}"`,
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
      expect(await relay.stop()).toBe(0);
    } finally {
      relay.child.kill('SIGKILL');
    }
  }, 120_000);
});
