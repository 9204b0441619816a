/** The HTTPS / ACME front: forwarding, X-Forwarded-For, the PUT rate limit, challenges, 502. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrontServer, listenerUrl, socketAddrString } from '../src/front.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

/** An upstream that records each request and answers 204 (PUT) or 200 with a body. */
async function upstream(): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.method === 'PUT') res.writeHead(204).end();
      else res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes' }).end('hello');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, seen };
}

async function front(options: Partial<Parameters<typeof FrontServer.listen>[0]> & { upstreamPort: number }) {
  const f = await FrontServer.listen({
    bind: { host: '127.0.0.1', port: 0 },
    upstream: { host: '127.0.0.1', port: options.upstreamPort },
    rateLimit: 'disabled',
    ...options,
  });
  cleanup.push(() => f.close());
  return f;
}

describe('FrontServer', () => {
  it('forwards method, path, body and headers, adding X-Forwarded-For; returns the upstream answer', async () => {
    const up = await upstream();
    const f = await front({ upstreamPort: up.port });
    const res = await fetch(`${f.url}/pkarr/abc?x=1`, {
      headers: { 'x-forwarded-for': '198.51.100.7', 'x-custom': 'kept' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(await res.text()).toBe('hello');
    const put = await fetch(`${f.url}/pkarr/abc`, { method: 'PUT', body: 'payload' });
    expect(put.status).toBe(204);
    expect(up.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['GET', '/pkarr/abc?x=1', ''],
      ['PUT', '/pkarr/abc', 'payload'],
    ]);
    expect(up.seen[0]!.headers['x-custom']).toBe('kept');
    expect(up.seen[0]!.headers['x-forwarded-for']).toBe('198.51.100.7, 127.0.0.1');
    expect(up.seen[1]!.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('rate limits PUT /pkarr per client (burst 2) and lets other requests through', async () => {
    const up = await upstream();
    const f = await front({ upstreamPort: up.port, rateLimit: 'simple' });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await fetch(`${f.url}/pkarr/k${i}`, { method: 'PUT', body: 'x' })).status);
    expect(statuses).toEqual([204, 204, 429]);
    const limited = await fetch(`${f.url}/pkarr/k9`, { method: 'PUT', body: 'x' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect((await fetch(`${f.url}/pkarr/k0`)).status).toBe(200);
    expect(up.seen.filter((s) => s.method === 'PUT')).toHaveLength(2);
  });

  it('"smart" tells clients apart by X-Forwarded-For', async () => {
    const up = await upstream();
    const f = await front({ upstreamPort: up.port, rateLimit: 'smart' });
    const put = (ip: string) =>
      fetch(`${f.url}/pkarr/k`, { method: 'PUT', body: 'x', headers: { 'x-forwarded-for': ip } }).then(
        (r) => r.status,
      );
    expect([await put('192.0.2.1'), await put('192.0.2.1'), await put('192.0.2.1')]).toEqual([204, 204, 429]);
    expect(await put('192.0.2.2')).toBe(204);
  });

  it('answers ACME challenges before forwarding', async () => {
    const up = await upstream();
    const f = await front({
      upstreamPort: up.port,
      handleChallenge: (req, res) => {
        if (!req.url?.startsWith('/.well-known/acme-challenge/')) return false;
        res.writeHead(200).end('token.key');
        return true;
      },
    });
    expect(await (await fetch(`${f.url}/.well-known/acme-challenge/token`)).text()).toBe('token.key');
    expect(await (await fetch(`${f.url}/`)).text()).toBe('hello');
    expect(up.seen.map((s) => s.url)).toEqual(['/']);
  });

  it('answers 502 when the upstream is down', async () => {
    const up = await upstream();
    const f = await front({ upstreamPort: up.port });
    await cleanup.shift()!();
    expect((await fetch(`${f.url}/`)).status).toBe(502);
  });

  it('formats listener addresses', () => {
    expect(listenerUrl('http', { host: '127.0.0.1', port: 80 })).toBe('http://127.0.0.1:80');
    expect(listenerUrl('https', { host: '::1', port: 443 })).toBe('https://[::1]:443');
    expect(listenerUrl('http', { host: '::', port: 8080 })).toBe('http://localhost:8080');
    expect(socketAddrString({ host: '::1', port: 53 })).toBe('[::1]:53');
    expect(socketAddrString({ host: '10.0.0.1', port: 53 })).toBe('10.0.0.1:53');
  });
});
