import { request } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { METRICS_CONTENT_TYPE, type MetricsServer, serveMetrics } from '../src/http.js';
import { MetricsGroup, Registry } from '../src/index.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<{ server: MetricsServer; registry: Registry; bump: () => void }> {
  const group = new MetricsGroup('relayserver');
  const accepts = group.counter('accepts', 'Accepted connections');
  const registry = new Registry();
  registry.register(group);
  server = await serveMetrics(registry, { host: '127.0.0.1', port: 0 });
  return { server, registry, bump: () => accepts.inc() };
}

/** Sends a raw request, to use methods and paths fetch would not send as is. */
function send(
  url: string,
  method: string,
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveMetrics', () => {
  test('GET /metrics returns the registry text at request time', async () => {
    const { server, registry, bump } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    expect(server.port).toBeGreaterThan(0);

    const first = await fetch(server.url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
    const body = await first.text();
    expect(body).toBe(registry.encodeOpenMetrics());
    expect(body).toContain('relayserver_accepts_total 0\n');

    bump();
    bump();
    const second = await (await fetch(`${server.url}?debug=1`)).text();
    expect(second).toContain('relayserver_accepts_total 2\n');
    expect(second.endsWith('# EOF\n')).toBe(true);
  });

  test('other paths are 404', async () => {
    const { server } = await start();
    for (const path of ['/', '/metrics/', '/metric', '/favicon.ico']) {
      const res = await send(server.url, 'GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('relayserver');
    }
  });

  test('other methods on /metrics are 405 with an Allow header; HEAD has no body', async () => {
    const { server } = await start();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await send(server.url, method, '/metrics');
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
    const head = await send(server.url, 'HEAD', '/metrics');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });

  test('a failing source answers 500', async () => {
    server = await serveMetrics(
      {
        encodeOpenMetrics: () => {
          throw new Error('boom');
        },
      },
      { port: 0 },
    );
    const res = await fetch(server.url);
    expect(res.status).toBe(500);
  });

  test('close() stops the server', async () => {
    const { server: s } = await start();
    await s.close();
    server = undefined;
    await expect(fetch(s.url)).rejects.toThrow();
  });

  test('listening on a taken port rejects', async () => {
    const { server: s } = await start();
    await expect(serveMetrics(new Registry(), { host: '127.0.0.1', port: s.port })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
