/**
 * Acceptance (QUIC issue): iroh-ts QUIC + TLS against real iroh 1.x (`@number0/iroh`, presetMinimal,
 * relays disabled, loopback), in both directions: 1-byte echo, a 10 MiB transfer each way checked by
 * hash, 100 concurrent bidirectional streams, datagrams both ways, application close codes seen by the
 * peer, and a typed error when the server is not the EndpointId we dialled.
 */

import { PublicKey, SecretKey } from '@iroh-ts/base';
import {
  ConnectionError,
  irohClientCrypto,
  irohServerCrypto,
  type QuicConnection,
  QuicEndpoint,
} from '@iroh-ts/quic';
import * as iroh from '@number0/iroh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OP_DOWNLOAD,
  OP_ECHO,
  OP_HASH,
  requestIroh,
  requestOurs,
  serveIroh,
  serveOurs,
  sha256,
  testData,
  u32,
} from '../src/echo-protocol.js';

const ALPN = 'iroh-ts/interop/1';
const alpnArr = () => Array.from(new TextEncoder().encode(ALPN));
const TEN_MIB = 10 << 20;

async function irohEndpoint(withAlpn: boolean): Promise<iroh.Endpoint> {
  const b = iroh.Endpoint.builder();
  iroh.presetMinimal(b);
  b.relayMode(iroh.RelayMode.disabled());
  b.bindAddr('127.0.0.1:0');
  if (withAlpn) b.alpns([alpnArr()]);
  return b.bind();
}

const ourId = (id: iroh.EndpointId) => PublicKey.fromBytes(Uint8Array.from(id.toBytes()));

describe('our client → real iroh server', () => {
  let server: iroh.Endpoint;
  let ours: QuicEndpoint;
  let conn: QuicConnection;
  const secret = SecretKey.generate();
  const irohConns: iroh.Connection[] = [];

  beforeAll(async () => {
    server = await irohEndpoint(true);
    void (async () => {
      for (;;) {
        const inc = await server.acceptNext();
        if (!inc) return;
        void (async () => {
          const c = await (await inc.accept()).connect();
          irohConns.push(c);
          await serveIroh(c);
        })().catch(() => {});
      }
    })();
    ours = await QuicEndpoint.bind();
    conn = await ours.connect(
      server.addr().directAddresses()[0]!,
      irohClientCrypto({ secretKey: secret, remoteId: ourId(server.id()), alpns: [ALPN] }),
      { allowServerMigration: true },
    );
  });

  afterAll(async () => {
    await ours.close();
    await server.close();
  });

  it('negotiates the ALPN and iroh sees our EndpointId', async () => {
    expect(new TextDecoder().decode(conn.alpn())).toBe(ALPN);
    const peer = conn.peerIdentity();
    expect(peer?.kind === 'raw-public-key' && peer.key.toString()).toBe(server.id().toString());
    await requestOurs(conn, OP_ECHO, new Uint8Array(0));
    expect(irohConns[0]!.remoteId().toString()).toBe(secret.public().toString());
  });

  it('echoes one byte', async () => {
    expect([...(await requestOurs(conn, OP_ECHO, Uint8Array.of(0x5a)))]).toEqual([0x5a]);
  });

  it('uploads 10 MiB (iroh hashes it) and downloads 10 MiB (we hash it)', async () => {
    const data = testData(TEN_MIB);
    expect(Buffer.from(await requestOurs(conn, OP_HASH, data)).toString('hex')).toBe(sha256(data));
    const down = await requestOurs(conn, OP_DOWNLOAD, u32(TEN_MIB), TEN_MIB);
    expect(down.length).toBe(TEN_MIB);
    expect(sha256(down)).toBe(sha256(data));
  });

  it('runs 100 concurrent bidirectional streams', async () => {
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        requestOurs(conn, OP_ECHO, new TextEncoder().encode(`stream ${i}`)),
      ),
    );
    expect(replies.map((r) => new TextDecoder().decode(r))).toEqual(
      Array.from({ length: 100 }, (_, i) => `stream ${i}`),
    );
  });

  it('sends datagrams both ways', async () => {
    conn.sendDatagram(Uint8Array.of(1, 2, 3));
    expect([...(await conn.readDatagram())]).toEqual([1, 2, 3]);
  });

  it('fails with a typed error when the server is not the EndpointId we dialled', async () => {
    const wrong = SecretKey.generate().public();
    const attempt = ours.connect(
      server.addr().directAddresses()[0]!,
      irohClientCrypto({ secretKey: secret, remoteId: wrong, alpns: [ALPN] }),
    );
    await expect(attempt).rejects.toBeInstanceOf(ConnectionError);
    await expect(attempt).rejects.toThrow(/transport error 0x130/); // CRYPTO_ERROR + unknown_ca
  });

  it('closes with an application code and reason that iroh sees', async () => {
    const c = await ours.connect(
      server.addr().directAddresses()[0]!,
      irohClientCrypto({ secretKey: secret, remoteId: ourId(server.id()), alpns: [ALPN] }),
    );
    await requestOurs(c, OP_ECHO, Uint8Array.of(1));
    const theirs = irohConns[irohConns.length - 1]!;
    c.close(7n, new TextEncoder().encode('bye from iroh-ts'));
    expect(await theirs.closed()).toBe('closed by peer: bye from iroh-ts (code 7)');
  });
});

describe('real iroh client → our server', () => {
  let client: iroh.Endpoint;
  let ours: QuicEndpoint;
  let conn: iroh.Connection;
  const secret = SecretKey.generate();
  const ourConns: QuicConnection[] = [];
  // iroh's connect() returns once the client side is done; our accept completes when the client's
  // Finished arrives, which can be a moment later.
  let firstAccepted!: () => void;
  const accepted = new Promise<void>((resolve) => {
    firstAccepted = resolve;
  });

  const addr = () =>
    new iroh.EndpointAddr(iroh.EndpointId.fromBytes(Array.from(secret.public().toBytes())), null, [
      ours.localAddress(),
    ]);

  beforeAll(async () => {
    ours = await QuicEndpoint.bind();
    void (async () => {
      for (;;) {
        const inc = await ours.acceptNext();
        if (!inc) return;
        void (async () => {
          const c = await inc.accept(irohServerCrypto({ secretKey: secret, alpns: [ALPN] }));
          ourConns.push(c);
          firstAccepted();
          await serveOurs(c);
        })().catch(() => {});
      }
    })();
    client = await irohEndpoint(false);
    conn = await client.connect(addr(), alpnArr());
    await accepted;
  });

  afterAll(async () => {
    await client.close();
    await ours.close();
  });

  it('authenticates both keys and negotiates the ALPN', () => {
    expect(conn.remoteId().toString()).toBe(secret.public().toString());
    expect(new TextDecoder().decode(Uint8Array.from(conn.alpn()))).toBe(ALPN);
    const peer = ourConns[0]!.peerIdentity();
    expect(peer?.kind === 'raw-public-key' && peer.key.toString()).toBe(client.id().toString());
  });

  it('echoes one byte', async () => {
    expect([...(await requestIroh(conn, OP_ECHO, Uint8Array.of(0xa5)))]).toEqual([0xa5]);
  });

  it('uploads 10 MiB (we hash it) and downloads 10 MiB (iroh hashes it)', async () => {
    const data = testData(TEN_MIB);
    expect(Buffer.from(await requestIroh(conn, OP_HASH, data)).toString('hex')).toBe(sha256(data));
    const down = await requestIroh(conn, OP_DOWNLOAD, u32(TEN_MIB), TEN_MIB);
    expect(sha256(down)).toBe(sha256(data));
  });

  it('runs 100 concurrent bidirectional streams', async () => {
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        requestIroh(conn, OP_ECHO, new TextEncoder().encode(`stream ${i}`)),
      ),
    );
    expect(replies.map((r) => new TextDecoder().decode(r))).toEqual(
      Array.from({ length: 100 }, (_, i) => `stream ${i}`),
    );
  });

  it('sends datagrams both ways', async () => {
    conn.sendDatagram([4, 5, 6]);
    expect(await conn.readDatagram()).toEqual([4, 5, 6]);
  });

  it('closes with an application code and reason that we see', async () => {
    const c = await client.connect(addr(), alpnArr());
    await requestIroh(c, OP_ECHO, Uint8Array.of(1));
    const ourSide = ourConns[ourConns.length - 1]!;
    c.close(9n, Array.from(new TextEncoder().encode('bye from iroh')));
    expect(await ourSide.closed()).toEqual({
      kind: 'application',
      errorCode: 9n,
      reason: new TextEncoder().encode('bye from iroh'),
      remote: true,
    });
  });

  it('refuses a client without a common ALPN (no_application_protocol)', async () => {
    await expect(client.connect(addr(), Array.from(new TextEncoder().encode('other/1')))).rejects.toThrow();
  });
});
