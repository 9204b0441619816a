import { describe, expect, test } from 'vitest';
import { httpRequest } from '../support/http.js';
import { RawClient, type UpgradeRefused } from '../support/raw-client.js';
import { startRelay } from '../support/relay.js';

const HSTS = 'max-age=63072000; includeSubDomains';

const upgradeHeaders = (extra: Record<string, string> = {}) => ({
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Protocol': 'iroh-relay-v2, iroh-relay-v1',
  ...extra,
});

describe('HTTP routes', () => {
  test('/ping answers 200 with an empty body and CORS', async () => {
    const server = await startRelay();
    const res = await httpRequest(server.url, { path: '/ping' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['strict-transport-security']).toBe(HSTS);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  test('/generate_204 echoes a valid challenge only', async () => {
    const server = await startRelay();
    const ok = await httpRequest(server.url, {
      path: '/generate_204',
      headers: { 'X-Iroh-Challenge': 'ts_relay.example-1' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers['x-iroh-response']).toBe('response ts_relay.example-1');
    const none = await httpRequest(server.url, { path: '/generate_204' });
    expect(none.status).toBe(204);
    expect(none.headers['x-iroh-response']).toBeUndefined();
    for (const bad of ['has space', 'x'.repeat(64), 'semi;colon']) {
      const res = await httpRequest(server.url, {
        path: '/generate_204',
        headers: { 'X-Iroh-Challenge': bad },
      });
      expect(res.status).toBe(204);
      expect(res.headers['x-iroh-response']).toBeUndefined();
    }
  });

  test('/healthz, /, /index.html, /robots.txt and 404', async () => {
    const server = await startRelay();
    const health = await httpRequest(server.url, { path: '/healthz' });
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).toBe('application/json');
    const json = JSON.parse(health.body) as Record<string, string>;
    expect(json.status).toBe('ok');
    expect(json.git_hash).toBe('unknown');
    expect(typeof json.version).toBe('string');
    for (const path of ['/', '/index.html']) {
      const res = await httpRequest(server.url, { path });
      expect(res.status).toBe(200);
      expect(res.body).toContain('Iroh Relay');
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    const robots = await httpRequest(server.url, { path: '/robots.txt' });
    expect(robots.body).toBe('User-agent: *\nDisallow: /\n');
    const missing = await httpRequest(server.url, { path: '/nope' });
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('Not Found');
    expect(missing.headers['strict-transport-security']).toBe(HSTS);
    expect((await httpRequest(server.url, { path: '/ping', method: 'POST' })).status).toBe(404);
  });
});

describe('/relay upgrade validation', () => {
  test('a GET without upgrade headers is 400', async () => {
    const server = await startRelay();
    const res = await httpRequest(server.url, { path: '/relay' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('upgrade');
  });

  test('unsupported subprotocols are 400 and name what we support', async () => {
    const server = await startRelay();
    const res = await httpRequest(server.url, {
      path: '/relay',
      headers: upgradeHeaders({ 'Sec-WebSocket-Protocol': 'iroh-relay-v9' }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('iroh-relay-v2, iroh-relay-v1');
    const err = (await RawClient.open(server.url, { protocols: ['chat'] }).catch(
      (e: unknown) => e,
    )) as UpgradeRefused;
    expect(err.status).toBe(400);
  });

  test('a missing subprotocol header is 400', async () => {
    const server = await startRelay();
    const headers: Record<string, string> = upgradeHeaders();
    delete headers['Sec-WebSocket-Protocol'];
    const res = await httpRequest(server.url, { path: '/relay', headers });
    expect(res.status).toBe(400);
    expect(res.body).toContain('sec-websocket-protocol');
  });

  test('a wrong WebSocket version is 400 with Sec-WebSocket-Version: 13', async () => {
    const server = await startRelay();
    const res = await httpRequest(server.url, {
      path: '/relay',
      headers: upgradeHeaders({ 'Sec-WebSocket-Version': '8' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers['sec-websocket-version']).toBe('13');
  });

  test('upgrades on other paths are 404', async () => {
    const server = await startRelay();
    const res = await httpRequest(server.url, { path: '/derp', headers: upgradeHeaders() });
    expect(res.status).toBe(404);
  });

  test('the highest offered version is chosen', async () => {
    const server = await startRelay();
    const both = await httpRequest(server.url, {
      path: '/relay',
      headers: upgradeHeaders({ 'Sec-WebSocket-Protocol': 'iroh-relay-v1, iroh-relay-v2' }),
    });
    expect(both.status).toBe(101);
    expect(both.headers['sec-websocket-protocol']).toBe('iroh-relay-v2');
    const v1 = await RawClient.open(server.url, { protocols: ['foo', 'iroh-relay-v1'] });
    expect(v1.ws.protocol).toBe('iroh-relay-v1');
    v1.ws.terminate();
  });
});
