/**
 * The QAD server: a client learns its exact address, wrong ALPNs and streams are refused, limits and
 * bad input give typed errors, and closing the server closes its clients with iroh's code 1.
 */
import { createSocket } from 'node:dgram';
import { ConnectionError, QuicEndpoint } from '@iroh-ts/quic';
import { describe, expect, it } from 'vitest';
import { canonicalSocketAddr, QAD_CLOSE_CODE } from '../../src/protos/qad.js';
import {
  QadProbeError,
  QadServer,
  qadProbe,
  type RelayLogRecord,
  RelayServerError,
} from '../../src/server/index.js';
import {
  dialQad,
  QAD_IDENTITY,
  QAD_KEY_PEM,
  QAD_RENEWED,
  QAD_ROOT,
  startQad,
  until,
  within,
} from '../support/qad.js';
import { onCleanup } from '../support/relay.js';

const dec = new TextDecoder();

/** A small deterministic generator (xorshift32). */
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

async function clientEndpoint(bindAddr = '127.0.0.1:0'): Promise<QuicEndpoint> {
  const ep = await QuicEndpoint.bind({ bindAddr });
  onCleanup(() => ep.close());
  return ep;
}

describe('QadServer', () => {
  it('tells a client the exact address of the socket it came from', async () => {
    const server = await startQad();
    const [addr] = server.localAddresses;
    expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
    const ep = await clientEndpoint();
    const result = await qadProbe({
      server: addr!,
      roots: [QAD_ROOT],
      serverName: 'localhost',
      endpoint: ep,
    });
    expect(result.observedAddress).toBe(ep.localAddress());
    expect(result.localAddress).toBe(ep.localAddress());
    expect(result.rttMs).toBeGreaterThanOrEqual(0);
    // The probe closed the way iroh's client does (code 1): a clean close, not an error.
    const m = server.metrics;
    await until(() => m.qadConnectionsClosed.get() === 1n, 5000, 'server saw the close');
    expect(m.qadIncoming.get()).toBe(1n);
    expect(m.qadConnections.get()).toBe(1n);
    expect(m.qadConnectionsErrored.get()).toBe(0n);
    expect(server.connectionCount).toBe(0);
  });

  it('reports to a client without SNI on its IP name, and to a probe on a fresh socket', async () => {
    const server = await startQad();
    const result = await qadProbe({
      server: server.localAddresses[0]!,
      roots: [QAD_ROOT],
      bindAddr: '127.0.0.1:0',
    });
    expect(result.observedAddress).toBe(result.localAddress);
  });

  it('keeps a connection open until the client closes it, reporting on the connection itself', async () => {
    const server = await startQad();
    const ep = await clientEndpoint();
    const conn = await within(dialQad(ep, server.localAddresses[0]!), 5000, 'connect');
    await until(() => conn.observedAddress !== undefined, 5000, 'observed address');
    expect(conn.observedAddress).toBe(ep.localAddress());
    expect(dec.decode(conn.alpn())).toBe('/iroh-qad/0');
    await until(() => server.connectionCount === 1, 5000, 'server side established');
    conn.close(QAD_CLOSE_CODE, new TextEncoder().encode('finished'));
    await until(() => server.connectionCount === 0, 5000, 'server dropped the connection');
    expect(server.metrics.qadConnectionsErrored.get()).toBe(0n);
  });

  it('refuses a client that offers another ALPN', async () => {
    const server = await startQad();
    const ep = await clientEndpoint();
    const err = await within(
      dialQad(ep, server.localAddresses[0]!, { alpn: 'iroh-ts/other/1' }).then(
        () => null,
        (e: unknown) => e,
      ),
      10_000,
      'refusal',
    );
    expect(err).toBeInstanceOf(ConnectionError);
    // CRYPTO_ERROR with TLS alert no_application_protocol (120).
    expect((err as ConnectionError).reason).toMatchObject({
      kind: 'transport',
      errorCode: 0x178n,
      remote: true,
    });
    await until(() => server.metrics.qadIncomingError.get() === 1n, 5000, 'counted');
    expect(server.metrics.qadConnections.get()).toBe(0n);
  });

  it('allows no streams: a client that opens one anyway is closed with STREAM_LIMIT_ERROR', async () => {
    const server = await startQad();
    const ep = await clientEndpoint();
    const conn = await within(
      dialQad(ep, server.localAddresses[0]!, { fakeStreamLimit: 4 }),
      5000,
      'connect',
    );
    const { send } = await within(conn.openBi(), 5000, 'open (client side)');
    await send.write(Uint8Array.of(1, 2, 3)).catch(() => {});
    const reason = await within(conn.closed(), 10_000, 'closed by the server');
    expect(reason).toMatchObject({ kind: 'transport', errorCode: 0x04n, remote: true });
    await until(() => server.metrics.qadConnectionsErrored.get() === 1n, 5000, 'counted as an error');
  });

  it('close() ends every connection with code 1 "finished" and frees the port', async () => {
    const server = await QadServer.bind({ bindAddr: '127.0.0.1:0', ...QAD_IDENTITY });
    const addr = server.localAddresses[0]!;
    const ep = await clientEndpoint();
    const conns = await Promise.all([dialQad(ep, addr), dialQad(ep, addr)]);
    await until(() => server.connectionCount === 2, 5000, 'both established');
    await within(server.close(), 5000, 'server close');
    for (const conn of conns) {
      const reason = await within(conn.closed(), 5000, 'client told');
      expect(reason.kind).toBe('application');
      if (reason.kind !== 'application') continue;
      expect(reason).toMatchObject({ errorCode: 1n, remote: true });
      expect(dec.decode(reason.reason)).toBe('finished');
    }
    await server.close(); // idempotent
    const again = await startQad({ bindAddr: addr });
    expect(again.localAddresses).toEqual([addr]);
  });

  it('refuses clients beyond maxConnections, and asks for a Retry under handshake load', async () => {
    const logs: RelayLogRecord[] = [];
    const server = await startQad({
      maxConnections: 1,
      retryAboveHandshakes: 0,
      logger: (r) => logs.push(r),
    });
    const ep = await clientEndpoint();
    const first = await within(dialQad(ep, server.localAddresses[0]!), 5000, 'first');
    await until(() => first.observedAddress !== undefined, 5000, 'first report');
    const second = await within(
      dialQad(ep, server.localAddresses[0]!).then(
        () => null,
        (e: unknown) => e,
      ),
      10_000,
      'second refused',
    );
    expect(second).toBeInstanceOf(ConnectionError);
    expect((second as ConnectionError).reason).toMatchObject({ kind: 'transport', errorCode: 0x02n });
    expect(server.metrics.qadRejectedMaxConnections.get()).toBe(1n);
    // Every client went through a Retry first (retryAboveHandshakes: 0), and the first still works.
    expect(logs.filter((r) => r.msg === 'QAD Retry sent')).toHaveLength(2);
    expect(first.observedAddress).toBe(ep.localAddress());
  });

  it('serves an IPv6 socket next to the IPv4 one', async () => {
    const v4 = await clientEndpoint();
    const v6 = await clientEndpoint('[::1]:0').catch(() => null);
    if (v6 === null) return; // no IPv6 loopback here
    const server = await startQad({ bindAddrV6: '[::1]:0' });
    expect(server.localAddresses).toHaveLength(2);
    const [a4, a6] = server.localAddresses;
    expect(a6).toMatch(/^\[::1\]:\d+$/);
    const r4 = await qadProbe({ server: a4!, roots: [QAD_ROOT], endpoint: v4 });
    const r6 = await qadProbe({ server: a6!, roots: [QAD_ROOT], endpoint: v6 });
    expect(r4.observedAddress).toBe(v4.localAddress());
    expect(r6.observedAddress).toBe(v6.localAddress());
  });

  it('reports IPv4 clients of a dual-stack socket by their IPv4 address', async () => {
    const server = await startQad({ bindAddr: '[::]:0' }).catch(() => null);
    if (server === null) return; // no IPv6 here
    const port = server.localAddresses[0]!.split(':').pop();
    const ep = await clientEndpoint();
    const r = await qadProbe({ server: `127.0.0.1:${port}`, roots: [QAD_ROOT], endpoint: ep });
    expect(r.observedAddress).toBe(ep.localAddress());
  });

  it('setIdentity: new handshakes get the renewed certificate; a bad one is refused and the old stays', async () => {
    const server = await startQad();
    const addr = server.localAddresses[0]!;
    const probe = (serverName: string) =>
      qadProbe({ server: addr, roots: [QAD_ROOT], serverName, bindAddr: '127.0.0.1:0' });
    await expect(probe('renewed.test')).rejects.toMatchObject({ code: 'ConnectFailed' });
    expect(() =>
      server.setIdentity({ ...QAD_RENEWED, privateKeyPkcs8: QAD_IDENTITY.privateKeyPkcs8 }),
    ).toThrow(RelayServerError);
    expect((await probe('localhost')).observedAddress).toMatch(/^127\.0\.0\.1:/);
    server.setIdentity(QAD_RENEWED);
    expect((await probe('renewed.test')).observedAddress).toMatch(/^127\.0\.0\.1:/);
    await expect(probe('localhost')).rejects.toMatchObject({ code: 'ConnectFailed' });
  });

  it('survives garbage datagrams and keeps serving', async () => {
    const server = await startQad();
    const addr = server.localAddresses[0]!;
    const [host, port] = [
      addr.slice(0, addr.lastIndexOf(':')),
      Number(addr.slice(addr.lastIndexOf(':') + 1)),
    ];
    const junk = createSocket('udp4');
    onCleanup(() => new Promise<void>((r) => junk.close(() => r())));
    const rnd = seeded(7);
    for (let i = 0; i < 200; i++) {
      const d = Uint8Array.from({ length: 1 + (rnd() % 1300) }, () => rnd() & 0xff);
      if (i % 3 === 0) d[0] = 0xc0 | (d[0]! & 0x0f); // looks like a long-header Initial
      if (i % 3 === 0 && d.length >= 5) d.set([0, 0, 0, 1], 1); // … of QUIC v1
      junk.send(d, port, host);
    }
    await new Promise((r) => setTimeout(r, 50));
    const r = await qadProbe({ server: addr, roots: [QAD_ROOT], bindAddr: '127.0.0.1:0' });
    expect(r.observedAddress).toBe(r.localAddress);
  });

  it('bad options are typed errors, before anything is bound', async () => {
    const bad: [Parameters<typeof QadServer.bind>[0], string, RegExp][] = [
      [{ ...QAD_IDENTITY, bindAddr: 'nonsense' }, 'InvalidConfig', /bind address/],
      [{ ...QAD_IDENTITY, bindAddr: '127.0.0.1:0', chain: [] }, 'InvalidConfig', /certificate/],
      [
        { ...QAD_IDENTITY, bindAddr: '127.0.0.1:0', privateKeyPkcs8: QAD_ROOT },
        'InvalidConfig',
        /certificate or key/,
      ],
      [{ ...QAD_IDENTITY, bindAddr: '127.0.0.1:0', maxConnections: 0 }, 'InvalidConfig', /maxConnections/],
      [{ ...QAD_IDENTITY, bindAddr: '192.0.2.1:0' }, 'BindFailed', /cannot bind/],
    ];
    for (const [options, code, message] of bad) {
      const err = await QadServer.bind(options).then(
        (s) => s.close().then(() => null),
        (e: unknown) => e,
      );
      expect(err, String(message)).toBeInstanceOf(RelayServerError);
      expect(err).toMatchObject({ code });
      expect((err as Error).message).toMatch(message);
    }
    expect(QAD_KEY_PEM).toMatch(/PRIVATE KEY/);
  });
});

describe('qadProbe', () => {
  it('fails with typed errors: untrusted certificate, wrong name, bad address, silence', async () => {
    const server = await startQad();
    const addr = server.localAddresses[0]!;
    const untrusted = await qadProbe({ server: addr, roots: [], bindAddr: '127.0.0.1:0' }).catch((e) => e);
    expect(untrusted).toBeInstanceOf(QadProbeError);
    expect(untrusted).toMatchObject({ code: 'ConnectFailed' });
    const wrongName = await qadProbe({ server: addr, roots: [QAD_ROOT], serverName: 'relay.example' }).catch(
      (e) => e,
    );
    expect(wrongName).toMatchObject({ code: 'ConnectFailed' });
    await expect(qadProbe({ server: 'localhost:7842', roots: [] })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    // A UDP port where nobody answers: the deadline.
    const silent = await clientEndpoint();
    await expect(
      qadProbe({ server: silent.localAddress(), roots: [QAD_ROOT], timeoutMs: 300, bindAddr: '127.0.0.1:0' }),
    ).rejects.toMatchObject({ code: 'Timeout' });
  });

  it('canonicalises IPv4-mapped addresses', () => {
    expect(canonicalSocketAddr('[::ffff:192.0.2.7]:7842')).toBe('192.0.2.7:7842');
    expect(canonicalSocketAddr('[::1]:1')).toBe('[::1]:1');
    expect(canonicalSocketAddr('[::fffe:c000:207]:1')).toBe('[::fffe:c000:207]:1');
    expect(canonicalSocketAddr('10.0.0.1:2')).toBe('10.0.0.1:2');
  });
});
