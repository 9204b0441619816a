import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { describe, expect, test } from 'vitest';
import {
  CLIENT_AUTH_HEADER,
  createKeyMaterialClientAuth,
  encodeClientAuthHeader,
  type KeyingMaterialExporter,
  type RelayClientState,
} from '../../src/index.js';
import { type RelayLogRecord, RelayServer } from '../../src/server/index.js';
import { fixedKey } from '../support/keys.js';
import { KillableProxy } from '../support/proxy.js';
import { RawClient } from '../support/raw-client.js';
import {
  client,
  connected,
  nextDatagrams,
  nextEvent,
  onCleanup,
  startRelay,
  until,
} from '../support/relay.js';

const [A, B] = [fixedKey(1), fixedKey(2)];
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const CERT = fixture('relay-cert.pem');
const KEY = fixture('relay-key.pem');

describe('stop and restart', () => {
  test('stop sends Restarting; clients reconnect to the restarted relay and traffic resumes', async () => {
    const first = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 } });
    const port = first.address!.port;
    const url = first.url;
    const options = { backoff: { maxMs: 100 } };
    const ca = await connected(url, A, options);
    const cb = await connected(url, B, options);
    const restarting = nextEvent<{ reconnectInMs: number; tryForMs: number }>((fn) =>
      ca.on('restarting', fn),
    );
    const states: RelayClientState[] = [];
    ca.on('state', ({ state }) => states.push(state));
    await first.stop({ reconnectInMs: 20, tryForMs: 3000, graceMs: 200 });
    expect(await restarting).toEqual({ reconnectInMs: 20, tryForMs: 3000 });
    await until(() => states.includes('reconnecting'), 5000, 'reconnecting');
    expect(ca.state).not.toBe('connected');

    const second = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port } });
    onCleanup(() => second.stop({ graceMs: 100 }));
    await until(() => ca.state === 'connected' && cb.state === 'connected', 10_000, 'reconnected');
    await until(() => second.clientCount === 2, 5000, 'both registered');
    const atB = nextDatagrams(cb, A.public());
    ca.sendDatagram(B.public(), Uint8Array.of(42));
    expect([...(await atB).datagrams.contents]).toEqual([42]);
    expect(states).toEqual(expect.arrayContaining(['disconnected', 'reconnecting', 'connected']));
  });

  test('after an abrupt connection loss (no Restarting) clients back off, reconnect and traffic resumes', async () => {
    const server = await startRelay();
    const proxy = new KillableProxy(server.address!.port);
    await proxy.start();
    onCleanup(() => proxy.kill());
    const url = `http://127.0.0.1:${proxy.port}/`;
    const options = { backoff: { maxMs: 50 } };
    const ca = await connected(url, A, options);
    const cb = await connected(url, B, options);
    const errors: string[] = [];
    ca.on('error', (e) => errors.push(e.code));
    await proxy.kill();
    await until(() => ca.state !== 'connected' && cb.state !== 'connected', 5000, 'loss noticed');
    // Attempts fail while the "host" is down.
    await until(() => errors.length >= 2, 5000, 'failed attempts');
    await proxy.start();
    await until(() => ca.state === 'connected' && cb.state === 'connected', 10_000, 'reconnected');
    await until(() => server.clientCount === 2, 5000, 'old connections gone');
    const atA = nextDatagrams(ca, B.public());
    cb.sendDatagram(A.public(), Uint8Array.of(7));
    expect([...(await atA).datagrams.contents]).toEqual([7]);
  });

  test('stop is idempotent and refuses new upgrades afterwards', async () => {
    const server = await startRelay();
    const url = server.url;
    await server.stop({ graceMs: 50 });
    await server.stop();
    await expect(RawClient.open(url)).rejects.toBeDefined();
  });
});

describe('metrics and logging', () => {
  test('metrics are served on metricsAddr with iroh names; the logger sees connections', async () => {
    const records: RelayLogRecord[] = [];
    const server = await startRelay({
      metricsAddr: { host: '127.0.0.1', port: 0 },
      logger: (r) => records.push(r),
    });
    await connected(server.url, A);
    const text = await (await fetch(server.metricsUrl!)).text();
    expect(text).toContain('relayserver_accepts_total 1');
    expect(text).toContain('relayserver_clients 1');
    expect(text).toContain('# EOF');
    expect(records.some((r) => r.msg === 'client connected')).toBe(true);
  });
});

describe('TLS', () => {
  async function tlsRelay(): Promise<RelayServer> {
    return startRelay({ tls: { certPem: CERT, keyPem: KEY, httpsBindAddr: { host: '127.0.0.1', port: 0 } } });
  }

  test('clients connect over wss; /generate_204 moves to the plain listener', async () => {
    const server = await tlsRelay();
    expect(server.url.startsWith('https://127.0.0.1:')).toBe(true);
    const ca = await connected(server.url, A, { tls: { ca: CERT } });
    const cb = await connected(server.url, B, { tls: { ca: CERT } });
    const atB = nextDatagrams(cb);
    ca.sendDatagram(B.public(), Uint8Array.of(1));
    await atB;
    const portal = await fetch(new URL('/generate_204', server.httpUrl!), {
      headers: { 'X-Iroh-Challenge': 'abc' },
    });
    expect(portal.status).toBe(204);
    expect(portal.headers.get('x-iroh-response')).toBe('response abc');
    expect((await fetch(new URL('/ping', server.httpUrl!))).status).toBe(404);
  });

  test('the Node client authenticates with TLS keying material unless told not to', async () => {
    const records: RelayLogRecord[] = [];
    const server = await startRelay({
      tls: { certPem: CERT, keyPem: KEY, httpsBindAddr: { host: '127.0.0.1', port: 0 } },
      logger: (r) => records.push(r),
    });
    const ca = await connected(server.url, A, { tls: { ca: CERT } });
    const cb = await connected(server.url, B, { tls: { ca: CERT }, keyingMaterialAuth: false });
    const mechanisms = records.filter((r) => r.msg === 'client connected').map((r) => r.fields?.mechanism);
    expect(mechanisms).toEqual(['signedKeyMaterial', 'signedChallenge']);
    const atA = nextDatagrams(ca);
    cb.sendDatagram(A.public(), Uint8Array.of(1));
    await atA;
  });

  test('an untrusted certificate fails the connection', async () => {
    const server = await tlsRelay();
    const c = client(server.url, A, { reconnect: false });
    await expect(c.connect()).rejects.toMatchObject({ code: 'ConnectFailed' });
  });

  test('onHttpRequest runs first on the plain-HTTP listener and can leave requests to the relay', async () => {
    const seen: string[] = [];
    const hook = (req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.url ?? '');
      if (!req.url?.startsWith('/.well-known/acme-challenge/')) return false;
      res.end('token-response');
      return true;
    };
    const tlsServer = await startRelay({
      tls: { certPem: CERT, keyPem: KEY, httpsBindAddr: { host: '127.0.0.1', port: 0 } },
      onHttpRequest: hook,
    });
    const acme = await fetch(new URL('/.well-known/acme-challenge/abc', tlsServer.httpUrl!));
    expect(await acme.text()).toBe('token-response');
    expect((await fetch(new URL('/generate_204', tlsServer.httpUrl!))).status).toBe(204);
    expect(seen).toEqual(['/.well-known/acme-challenge/abc', '/generate_204']);

    const plain = await startRelay({ onHttpRequest: hook });
    expect(await (await fetch(new URL('/.well-known/acme-challenge/x', plain.url))).text()).toBe(
      'token-response',
    );
    expect((await fetch(new URL('/healthz', plain.url))).status).toBe(200);
  });

  function exporterOf(socket: TLSSocket): KeyingMaterialExporter {
    return (length, label, context) =>
      new Uint8Array(socket.exportKeyingMaterial(length, label, Buffer.from(context)));
  }

  async function tlsSocket(server: RelayServer): Promise<TLSSocket> {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: server.address!.port,
      ca: CERT,
      servername: 'localhost',
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    return socket;
  }

  test('TLS keying-material auth skips the challenge; a header from another session falls back to it', async () => {
    const server = await tlsRelay();
    const socket = await tlsSocket(server);
    const header = encodeClientAuthHeader(createKeyMaterialClientAuth(A, exporterOf(socket))!);
    const fast = await RawClient.open(server.url, {
      headers: { [CLIENT_AUTH_HEADER]: header },
      createConnection: () => socket,
    });
    expect([...(await fast.next())]).toEqual([2]);
    await until(() => server.clientCount === 1);

    const other = await tlsSocket(server);
    const stale = encodeClientAuthHeader(createKeyMaterialClientAuth(B, exporterOf(other))!);
    other.destroy();
    const socket2 = await tlsSocket(server);
    const slow = await RawClient.open(server.url, {
      headers: { [CLIENT_AUTH_HEADER]: stale },
      createConnection: () => socket2,
    });
    expect((await slow.handshake(B)).type).toBe('serverConfirmsAuth');
  });

  test('a malformed auth header closes the connection', async () => {
    const server = await tlsRelay();
    const socket = await tlsSocket(server);
    const raw = await RawClient.open(server.url, {
      headers: { [CLIENT_AUTH_HEADER]: '!!' },
      createConnection: () => socket,
    });
    expect((await raw.closed).code).toBe(1002);
  });
});

describe('keep-alive', () => {
  test('a client that answers pings stays connected across many server pings', async () => {
    const server = await startRelay({
      timing: { pingIntervalMs: 20, pingJitterMs: [0, 5], pongTimeoutMs: 2000, tickMs: 5 },
    });
    const c = await connected(server.url, A);
    await until(() => server.metrics.otherPacketsSent.get() >= 5n, 5000, 'server pings');
    expect(server.metrics.pingTimeouts.get()).toBe(0n);
    expect(c.state).toBe('connected');
  });
});
