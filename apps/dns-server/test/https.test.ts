/**
 * HTTPS through the app: a certificate from PEM files (`manual`, verified against its own CA here) and
 * one made at start (`self_signed`). The pkarr API, DoH and the PUT rate limit work the same over
 * HTTPS as over HTTP.
 */
import type { X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { selfSignedCertificate } from '@iroh-ts/server-common';
import { describe, expect, it } from 'vitest';
import { endpointPacket, keyFrom, txtAnswers, txtQuery } from './support/packets.js';
import { type AppProcess, startApp } from './support/process.js';

const RELAY = 'https://relay.example.com./';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  peerCert: X509Certificate | undefined;
}

/** One HTTPS request; `ca` undefined means "do not verify" (self-signed). */
function httpsRequest(
  url: string,
  opts: { method?: string; body?: Uint8Array; ca?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        servername: 'localhost',
        ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        const raw = (res.socket as TLSSocket).getPeerX509Certificate?.();
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: new Uint8Array(Buffer.concat(chunks)),
            peerCert: raw,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function httpsUrl(app: AppProcess): string {
  const started = app.logs().find((l) => l.msg === 'dns-server started');
  const url = started?.https;
  if (typeof url !== 'string') throw new Error(`no https URL in the start log: ${app.stderr()}`);
  return url;
}

async function configFile(body: string): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-https-'));
  const path = join(dir, 'dns.toml');
  await writeFile(path, body);
  return { dir, path };
}

const LISTENERS =
  '[http]\nport = 0\nbind_addr = "127.0.0.1"\n[dns]\nport = 0\nbind_addr = "127.0.0.1"\n[metrics]\ndisabled = true\n[store]\nbackend = "memory"\n';

describe('HTTPS', () => {
  it('manual: serves the PEM files from cert_dir/<domain>.crt|key; pkarr, DoH and the rate limit over HTTPS', async () => {
    const pair = await selfSignedCertificate(['localhost', '127.0.0.1']);
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-certs-'));
    await writeFile(join(dir, 'localhost.crt'), pair.certPem);
    await writeFile(join(dir, 'localhost.key'), pair.keyPem);
    const { path } = await configFile(
      `pkarr_put_rate_limit = "simple"\n${LISTENERS}[https]\nport = 0\nbind_addr = "127.0.0.1"\ndomains = ["localhost"]\ncert_mode = "manual"\ncert_dir = ${JSON.stringify(dir)}\n`,
    );
    const app = await startApp(['--config', path]);
    try {
      const base = httpsUrl(app);
      expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = pair.certPem;
      expect(new TextDecoder().decode((await httpsRequest(`${base}/`, { ca })).body)).toBe('Hi!');

      const packets = [1, 2, 3].map((b) => endpointPacket(keyFrom(b), RELAY));
      const statuses = [];
      for (const p of packets)
        statuses.push(
          (await httpsRequest(`${base}/pkarr/${p.z32}`, { method: 'PUT', body: p.toRelayPayload(), ca }))
            .status,
        );
      // Burst of 2 per client, as iroh's governor: the HTTPS listener limits by the real peer address.
      expect(statuses).toEqual([204, 204, 429]);

      const got = await httpsRequest(`${base}/pkarr/${packets[0]!.z32}`, { ca });
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toBe('application/x-pkarr-signed-packet');
      expect(got.body).toEqual(packets[0]!.toRelayPayload());

      const doh = await httpsRequest(`${base}/dns-query`, {
        method: 'POST',
        body: txtQuery(`_iroh.${packets[1]!.z32}.${app.origin}`),
        headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message' },
        ca,
      });
      expect(doh.status).toBe(200);
      expect(txtAnswers(doh.body)).toEqual([`relay=${RELAY}`]);
      // The plain-HTTP listener serves the same store.
      expect((await fetch(`${app.http}/pkarr/${packets[1]!.z32}`)).status).toBe(200);
      expect(await app.stop()).toBe(0);
    } finally {
      app.child.kill('SIGKILL');
    }
  });

  it('self_signed: a certificate for the configured domains is made at start', async () => {
    const { path } = await configFile(
      `${LISTENERS}[https]\nport = 0\nbind_addr = "127.0.0.1"\ndomains = ["dns.example.test"]\ncert_mode = "self_signed"\n`,
    );
    const app = await startApp(['--config', path]);
    try {
      const reply = await httpsRequest(`${httpsUrl(app)}/healthcheck`);
      expect(reply.status).toBe(200);
      expect(new TextDecoder().decode(reply.body)).toBe('OK');
      expect(reply.peerCert?.subjectAltName).toContain('DNS:dns.example.test');
      expect(app.logs().some((l) => l.level === 'warn' && String(l.msg).includes('self-signed'))).toBe(true);
    } finally {
      await app.stop();
    }
  });

  it('manual with missing PEM files: exit 1 with CertificateUnreadable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-nocerts-'));
    const { path } = await configFile(
      `${LISTENERS}[https]\nport = 0\nbind_addr = "127.0.0.1"\ncert_mode = "manual"\ncert_dir = ${JSON.stringify(dir)}\n`,
    );
    await expect(startApp(['--config', path])).rejects.toThrow(
      /exited with 1[\s\S]*"code":"CertificateUnreadable"/,
    );
  });
});
