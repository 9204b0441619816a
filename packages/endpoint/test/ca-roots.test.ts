import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PkarrServer } from '@iroh-ts/dns-server/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caRootsFetch } from '../src/https-fetch.js';
import {
  AddrFilter,
  Endpoint,
  PkarrPublisherLookup,
  PkarrResolverLookup,
  presetMinimal,
  resolveFirst,
} from '../src/index.js';

/** A self-signed certificate for `localhost`, made by the openssl CLI (installed by .ci/run). */
function selfSigned(): { key: string; cert: string } | string {
  const dir = mkdtempSync(join(tmpdir(), 'iroh-ts-ca-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
  } catch (e) {
    return `openssl could not make a certificate (${(e as Error).message})`;
  }
  return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
}

const tls = selfSigned();
if (typeof tls === 'string') console.warn(`SKIP ca-roots: ${tls}`);

describe.skipIf(typeof tls === 'string')('caRoots: HTTPS lookups trust the configured roots', () => {
  const { key, cert } = tls as { key: string; cert: string };
  let pkarr: PkarrServer;
  let https: Server;
  let httpsUrl: string;

  beforeAll(async () => {
    pkarr = await PkarrServer.start({
      http: { host: '127.0.0.1', port: 0, rateLimit: 'disabled' },
      eviction: false,
    });
    // An HTTPS front for the real pkarr server, with a certificate no platform trusts.
    https = createServer({ key, cert }, async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const upstream = await fetch(new URL(req.url ?? '/', pkarr.httpUrl), {
        method: req.method,
        body: req.method === 'GET' ? undefined : body,
        headers: req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {},
      });
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers.entries()));
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    httpsUrl = `https://localhost:${(https.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => https.close(r));
    await pkarr.stop();
  });

  it('the platform fetch refuses the certificate; caRootsFetch with the extra root accepts it', async () => {
    await expect(fetch(`${httpsUrl}/`)).rejects.toThrow();
    const res = await caRootsFetch({ extraRoots: [cert] })(`${httpsUrl}/`);
    expect(res.status).toBeLessThan(500);
    const anyCert = await caRootsFetch({ insecureSkipVerify: true })(`${httpsUrl}/`);
    expect(anyCert.status).toBe(res.status);
    await expect(caRootsFetch({ extraRoots: [] })(`${httpsUrl}/`)).rejects.toThrow();
  });

  it("an endpoint's pkarr publisher reaches an HTTPS relay through the endpoint's caRoots", async () => {
    const b = Endpoint.builder();
    presetMinimal(b);
    const ep = await b
      .bindAddr('127.0.0.1:0')
      .caRoots({ extraRoots: [cert] })
      .addressLookup(
        PkarrPublisherLookup.builder({ relayUrl: `${httpsUrl}/pkarr`, addrFilter: AddrFilter.unfiltered() }),
      )
      .bind();
    try {
      const resolver = new PkarrResolverLookup(`${pkarr.httpUrl}pkarr`);
      const deadline = Date.now() + 10_000;
      let found: string[] = [];
      while (Date.now() < deadline && found.length === 0) {
        found = await resolveFirst(resolver, ep.id(), { timeoutMs: 2_000 })
          .then((item) => item.addr.directAddresses())
          .catch(() => []);
        if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(found).toEqual(ep.boundSockets());
    } finally {
      await ep.close();
    }
  });
});
