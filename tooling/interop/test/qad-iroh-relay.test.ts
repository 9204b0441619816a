/**
 * QUIC address discovery against the real Rust `iroh-relay` (crates.io, the version in
 * tooling/interop-rs/Cargo.lock) with `enable_quic_addr_discovery` and a certificate from a test CA:
 * our endpoint probes the relay's QAD port from its own UDP socket and learns the address the relay
 * sees it at; with a CA it does not trust, it learns nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Endpoint, presetMinimal, RelayMap, RelayMode } from '@iroh-ts/endpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, rustServerBinary, spawnServer, waitForHttp } from '../src/rust-servers.js';

const bin = rustServerBinary('iroh-relay');
const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = !('path' in bin) ? bin.reason : !openssl ? 'openssl is not installed' : undefined;
if (skip) console.warn(`SKIP QAD against the real iroh-relay: ${skip}`);

/** A CA and a leaf for 127.0.0.1 signed by it (ECDSA P-256), as PEM files in `dir`. */
function makeCerts(dir: string, name: string): { ca: string; cert: string; key: string } {
  const p = (f: string) => join(dir, `${name}-${f}`);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=qad test ca',
  ]);
  run(['req', ...ec, '-keyout', p('key.pem'), '-out', p('leaf.csr'), '-subj', '/CN=relay.test']);
  execFileSync('sh', [
    '-c',
    `printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=critical,CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ${p('ext.cnf')}`,
  ]);
  run([
    'x509',
    '-req',
    '-in',
    p('leaf.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('cert.pem'),
    '-days',
    '2',
    '-extfile',
    p('ext.cnf'),
  ]);
  return { ca: p('ca.pem'), cert: p('cert.pem'), key: p('key.pem') };
}

describe.skipIf(skip !== undefined)('QUIC address discovery with the real iroh-relay', () => {
  let server: ReturnType<typeof spawnServer>;
  let httpsUrl: string;
  let quicPort: number;
  let caPem: string;
  let otherCaPem: string;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qad-relay-'));
    const certs = makeCerts(dir, 'relay');
    caPem = await readFile(certs.ca, 'utf8');
    otherCaPem = await readFile(makeCerts(dir, 'other').ca, 'utf8');
    const [http, https] = [await freePort(), await freePort()];
    quicPort = await freePort();
    const cfg = join(dir, 'relay.toml');
    await writeFile(
      cfg,
      [
        `http_bind_addr = "127.0.0.1:${http}"`,
        'enable_quic_addr_discovery = true',
        'enable_metrics = false',
        '[tls]',
        `https_bind_addr = "127.0.0.1:${https}"`,
        `quic_bind_addr = "127.0.0.1:${quicPort}"`,
        'cert_mode = "Manual"',
        `manual_cert_path = ${JSON.stringify(certs.cert)}`,
        `manual_key_path = ${JSON.stringify(certs.key)}`,
        '',
      ].join('\n'),
    );
    server = spawnServer((bin as { path: string }).path, ['--config-path', cfg]);
    httpsUrl = `https://127.0.0.1:${https}/`;
    await waitForHttp(`http://127.0.0.1:${http}/generate_204`, server.child, server.output);
  }, 60_000);

  afterAll(() => {
    server?.child.kill('SIGKILL');
  });

  async function endpoint(roots: string): Promise<Endpoint> {
    const b = Endpoint.builder();
    presetMinimal(b);
    const map = RelayMap.empty();
    map.insert({ url: httpsUrl, quicPort });
    return b
      .bindAddr('127.0.0.1:0')
      .relayMode(RelayMode.custom(map))
      .caRoots({ extraRoots: [roots] })
      .bind();
  }

  it('learns the address the relay sees it at, from its own socket, and publishes it', async () => {
    const ep = await endpoint(caPem);
    try {
      await ep.updateNetReport();
      const bound = ep.boundSockets();
      expect(ep.netReport().reflexiveAddrs).toEqual(bound);
      expect(ep.addr().directAddresses()).toContain(bound[0]);
    } finally {
      await ep.close();
    }
  });

  it("learns nothing when the relay's certificate is not trusted", async () => {
    const ep = await endpoint(otherCaPem);
    try {
      await ep.updateNetReport();
      expect(ep.netReport().reflexiveAddrs).toEqual([]);
    } finally {
      await ep.close();
    }
  });
});
