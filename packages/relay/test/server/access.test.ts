import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PublicKey, SecretKey } from '@iroh-ts/base';
import { describe, expect, test } from 'vitest';
import type { RelayClientError } from '../../src/index.js';
import {
  type AccessConfig,
  accessControlFromConfig,
  authTokenFrom,
  RelayServerError,
} from '../../src/server/index.js';
import { fixedKey } from '../support/keys.js';
import { client, connected, nextDatagrams, onCleanup, startRelay, until } from '../support/relay.js';

/** Connects a and b, and checks a datagram goes each way. */
async function exchange(url: string, a: SecretKey, b: SecretKey, options = {}): Promise<void> {
  const ca = await connected(url, a, options);
  const cb = await connected(url, b, options);
  const atB = nextDatagrams(cb, a.public());
  ca.sendDatagram(b.public(), Uint8Array.of(1));
  await atB;
  const atA = nextDatagrams(ca, b.public());
  cb.sendDatagram(a.public(), Uint8Array.of(2));
  await atA;
}

async function denied(url: string, key: SecretKey, options = {}): Promise<RelayClientError> {
  const err = (await client(url, key, { reconnect: false, ...options })
    .connect()
    .then(
      () => undefined,
      (e: unknown) => e,
    )) as RelayClientError | undefined;
  if (err === undefined) throw new Error('expected the connection to be denied');
  return err;
}

const [A, B, C] = [fixedKey(1), fixedKey(2), fixedKey(3)];

describe('access modes', () => {
  test('everyone', async () => {
    const server = await startRelay({ access: 'everyone' });
    await exchange(server.url, A, B);
  });

  test('allowlist admits listed ids (hex or PublicKey) and denies others with "not authorized"', async () => {
    const server = await startRelay({ access: { allowlist: [A.public().toString(), B.public()] } });
    await exchange(server.url, A, B);
    const err = await denied(server.url, C);
    expect(err.code).toBe('ServerDeniedAuth');
    expect(err.reason).toBe('not authorized');
    expect(server.metrics.accessDenied.get()).toBe(1n);
  });

  test('denylist denies listed ids only (base32 accepted)', async () => {
    const server = await startRelay({ access: { denylist: [C.public().toBase32()] } });
    await exchange(server.url, A, B);
    expect((await denied(server.url, C)).reason).toBe('not authorized');
  });

  test('shared token via header, via query, and wrong or missing tokens', async () => {
    const server = await startRelay({ access: { sharedToken: ['t1', 't2'] } });
    await exchange(server.url, A, B, { authToken: 't2' });
    await exchange(server.url, fixedKey(4), fixedKey(5), { authToken: 't1', tokenInQuery: true });
    expect((await denied(server.url, C, { authToken: 'nope' })).reason).toBe('not authorized');
    expect((await denied(server.url, C)).reason).toBe('not authorized');
  });

  test('HTTP callout: POST with X-Iroh-NodeId and bearer; only 200 + "true" admits', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const methods: string[] = [];
    const callout = createServer((req, res) => {
      seen.push(req.headers);
      methods.push(req.method ?? '');
      const id = req.headers['x-iroh-nodeid'];
      if (id === A.public().toString() || id === B.public().toString()) res.end('true');
      else if (id === C.public().toString()) res.end('true\n');
      else {
        res.statusCode = 403;
        res.end('true');
      }
    });
    await new Promise<void>((r) => callout.listen(0, '127.0.0.1', () => r()));
    onCleanup(() => new Promise<void>((r) => callout.close(() => r())));
    const url = `http://127.0.0.1:${(callout.address() as AddressInfo).port}/check`;
    const server = await startRelay({ access: { http: { url, bearerToken: 'cb-secret' } } });
    await exchange(server.url, A, B);
    expect(methods.every((m) => m === 'POST')).toBe(true);
    expect(seen[0]!.authorization).toBe('Bearer cb-secret');
    expect(seen[0]!['x-iroh-nodeid']).toMatch(/^[0-9a-f]{64}$/);
    expect((await denied(server.url, C)).reason).toBe('not authorized');
    expect((await denied(server.url, fixedKey(6))).reason).toBe('not authorized');
  });

  test('HTTP callout that cannot be reached denies', async () => {
    const server = await startRelay({ access: { http: { url: 'http://127.0.0.1:1/x', timeoutMs: 2000 } } });
    expect((await denied(server.url, A)).code).toBe('ServerDeniedAuth');
  });

  test('a custom access control gives its own reason and sees disconnects', async () => {
    const gone: [PublicKey, number][] = [];
    const server = await startRelay({
      access: {
        onConnect: async (req) =>
          req.endpointId.equals(C.public()) ? { allow: false, reason: 'go away' } : { allow: true },
        onDisconnect: (id, conn) => gone.push([id, conn]),
      },
    });
    const ca = await connected(server.url, A, { reconnect: false });
    expect((await denied(server.url, C)).reason).toBe('go away');
    ca.close();
    await until(() => gone.length === 1, 5000, 'onDisconnect');
    expect(gone[0]![0].equals(A.public())).toBe(true);
  });

  test('an access control that throws denies instead of crashing', async () => {
    const server = await startRelay({
      access: {
        onConnect: () => {
          throw new Error('boom');
        },
      },
    });
    expect((await denied(server.url, A)).reason).toBe('not authorized');
    const res = await fetch(new URL('/healthz', server.url));
    expect(res.status).toBe(200);
  });
});

describe('access configuration', () => {
  test('invalid configurations are rejected up front', () => {
    const bad: AccessConfig[] = [
      { sharedToken: [] },
      { sharedToken: ['ok', ''] },
      { allowlist: ['not-a-key'] },
      { http: { url: 'ftp://x' } },
      { http: { url: 'no url' } },
    ];
    for (const config of bad) {
      expect(() => accessControlFromConfig(config)).toThrow(RelayServerError);
    }
  });

  test('token extraction: first Bearer header (any case), else ?token=', () => {
    const url = new URL('http://x/relay?token=q');
    expect(authTokenFrom(['Basic abc', 'bEaReR tok'], url)).toBe('tok');
    expect(authTokenFrom(['Basic abc'], url)).toBe('q');
    expect(authTokenFrom([], new URL('http://x/relay'))).toBeUndefined();
    expect(authTokenFrom(['Bearer'], url)).toBe('q');
  });
});
