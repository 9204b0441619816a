/**
 * Acceptance (endpoint issue): an `@iroh-ts/endpoint` Endpoint (presetMinimal, relays disabled,
 * 127.0.0.1) and a real iroh endpoint (`@number0/iroh` 1.1.0, the same) connect directly, dialled by
 * an EndpointAddr that holds the loopback address, in both directions. Each way: both sides
 * authenticate, a 10 MiB echo is intact (SHA-256), datagrams cross both ways and both sides report a
 * selected direct path. Our side accepts through `acceptNext()` and through a `Router` that serves two
 * ALPNs at once; an `afterHandshake` hook that rejects one EndpointId with code 403 is seen by iroh.
 */
import {
  ConnectError,
  type Connection,
  type Endpoint,
  HookOutcome,
  type PathSnapshot,
  type ProtocolHandler,
  Router,
} from '@iroh-ts/endpoint';
import * as iroh from '@number0/iroh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OP_ECHO,
  requestIroh,
  requestOurs,
  serveIroh,
  serveOurs,
  sha256,
  testData,
} from '../src/echo-protocol.js';
import {
  acceptAllIroh,
  acceptAllOurs,
  bindIroh,
  bindOurs,
  datagramRoundTrip,
  Inbox,
  irohAddrOf,
  irohBytes,
  ourAddrOf,
  toOurId,
  withDeadline,
} from '../src/endpoint-peers.js';

const ALPN = 'iroh-ts/endpoint-interop/echo/1';
const ALPN_GREET = 'iroh-ts/endpoint-interop/greet/1';
const TEN_MIB = 10 << 20;
const REJECT_REASON = 'forbidden: this EndpointId is banned';
const dec = new TextDecoder();
const LOOPBACK = /^127\.0\.0\.1:\d+$/;

type AnyPath = Pick<PathSnapshot, 'isIp' | 'isRelay' | 'isSelected' | 'remoteAddr'>;
/** The selected direct path to `remote` is there, and no path is relayed. */
function expectDirect(paths: AnyPath[], remote: string): void {
  expect(paths.filter((p) => p.isSelected && p.isIp).map((p) => p.remoteAddr)).toEqual([remote]);
  expect(paths.some((p) => p.isRelay)).toBe(false);
}

describe('our endpoint dials real iroh (direct, loopback)', () => {
  let server: iroh.Endpoint;
  let ours: Endpoint;
  let conn: Connection;
  let theirs: iroh.Connection;

  beforeAll(async () => {
    server = await bindIroh({ alpns: [ALPN] });
    const accepted = acceptAllIroh(server, serveIroh);
    ours = await bindOurs();
    conn = await ours.connect(ourAddrOf(server), ALPN);
    theirs = await accepted.next(10_000, 'iroh accepting our connection');
  });

  afterAll(async () => {
    await ours?.close();
    await server?.close();
  });

  it('dials an EndpointAddr holding only the loopback address; both sides authenticate', () => {
    expect(ourAddrOf(server).directAddresses()).toEqual([expect.stringMatching(LOOPBACK)]);
    expect(ourAddrOf(server).relayUrl()).toBeNull();
    expect(conn.remoteId().equals(toOurId(server.id()))).toBe(true);
    expect(conn.side()).toBe('Client');
    expect(dec.decode(conn.alpn())).toBe(ALPN);
    expect(toOurId(theirs.remoteId()).equals(ours.id())).toBe(true);
    expect(dec.decode(Uint8Array.from(theirs.alpn()))).toBe(ALPN);
  });

  it('echoes 10 MiB intact (SHA-256)', async () => {
    const data = testData(TEN_MIB);
    const back = await requestOurs(conn, OP_ECHO, data);
    expect(back.length).toBe(TEN_MIB);
    expect(sha256(back)).toBe(sha256(data));
  });

  it('sends datagrams both ways (iroh echoes ours)', async () => {
    const payload = new TextEncoder().encode('datagram from iroh-ts');
    const back = await datagramRoundTrip(
      () => conn.sendDatagram(payload),
      () => conn.readDatagram(),
      'datagram echo from iroh',
    );
    expect(dec.decode(back)).toBe('datagram from iroh-ts');
  });

  it('both sides report a selected direct path', () => {
    expectDirect(conn.paths(), server.addr().directAddresses()[0]!);
    expectDirect(theirs.paths(), ours.boundSockets()[0]!);
  });
});

/** Handler of ALPN_GREET: answers each bi stream with the ALPN it saw and the request. */
function greeter(seen: Connection[]): ProtocolHandler {
  return {
    async accept(conn) {
      seen.push(conn);
      for (;;) {
        const bi = await conn.acceptBi().catch(() => null);
        if (!bi) return;
        const body = dec.decode(await bi.recv.readToEnd(1 << 16));
        await bi.send.writeAll(new TextEncoder().encode(`greeter on ${dec.decode(conn.alpn())}: ${body}`));
        await bi.send.finish();
      }
    },
  };
}

for (const mode of ['acceptNext', 'Router'] as const) {
  describe(`real iroh dials our endpoint (direct, loopback), accepted via ${mode}`, () => {
    let ours: Endpoint;
    let router: Router | undefined;
    let client: iroh.Endpoint;
    let conn: iroh.Connection;
    let mine: Connection;
    let echoConns: Inbox<Connection>;
    const greeted: Connection[] = [];

    beforeAll(async () => {
      if (mode === 'acceptNext') {
        ours = await bindOurs({ alpns: [ALPN] });
        echoConns = acceptAllOurs(ours, serveOurs);
      } else {
        ours = await bindOurs();
        const inbox = new Inbox<Connection>();
        echoConns = inbox;
        router = Router.builder(ours)
          .accept(ALPN, {
            async accept(c) {
              inbox.push(c);
              await serveOurs(c);
            },
          })
          .accept(ALPN_GREET, greeter(greeted))
          .spawn();
      }
      client = await bindIroh();
      conn = await client.connect(irohAddrOf(ours), irohBytes(ALPN));
      mine = await echoConns.next(10_000, `our ${mode} handing over the connection`);
    });

    afterAll(async () => {
      await client?.close();
      try {
        if (router) await withDeadline(router.shutdown(), 10_000, 'router shutdown');
      } finally {
        await ours?.close();
      }
    });

    it('iroh dials an EndpointAddr holding only our loopback address; both sides authenticate', () => {
      expect(irohAddrOf(ours).directAddresses()).toEqual([expect.stringMatching(LOOPBACK)]);
      expect(toOurId(conn.remoteId()).equals(ours.id())).toBe(true);
      expect(dec.decode(Uint8Array.from(conn.alpn()))).toBe(ALPN);
      expect(mine.remoteId().equals(toOurId(client.id()))).toBe(true);
      expect(mine.side()).toBe('Server');
      expect(dec.decode(mine.alpn())).toBe(ALPN);
    });

    it('echoes 10 MiB intact (SHA-256)', async () => {
      const data = testData(TEN_MIB);
      const back = await requestIroh(conn, OP_ECHO, data);
      expect(back.length).toBe(TEN_MIB);
      expect(sha256(back)).toBe(sha256(data));
    });

    it('sends datagrams both ways (we echo iroh’s)', async () => {
      const back = await datagramRoundTrip(
        () => conn.sendDatagram(irohBytes('datagram from iroh')),
        () => conn.readDatagram(),
        'datagram echo from our endpoint',
      );
      expect(dec.decode(back)).toBe('datagram from iroh');
    });

    it('both sides report a selected direct path', () => {
      expectDirect(conn.paths(), ours.boundSockets()[0]!);
      expectDirect(mine.paths(), client.addr().directAddresses()[0]!);
    });

    // Only the Router serves the second ALPN.
    if (mode === 'Router')
      it('the Router serves two ALPNs, each by its own handler', async () => {
        const g = await client.connect(irohAddrOf(ours), irohBytes(ALPN_GREET));
        const bi = await g.openBi();
        await bi.send.writeAll(irohBytes('hello'));
        await bi.send.finish();
        expect(dec.decode(Uint8Array.from(await bi.recv.readToEnd(1 << 16)))).toBe(
          `greeter on ${ALPN_GREET}: hello`,
        );
        // The echo ALPN still reaches the echo handler on the same endpoint.
        expect(dec.decode(await requestIroh(conn, OP_ECHO, new TextEncoder().encode('hello')))).toBe('hello');
        expect(greeted.map((c) => dec.decode(c.alpn()))).toEqual([ALPN_GREET]);
        expect(greeted[0]!.remoteId().equals(toOurId(client.id()))).toBe(true);
        expect(echoConns.all.map((c) => dec.decode(c.alpn()))).toEqual([ALPN]);
        // An ALPN no handler serves is refused in the handshake.
        await expect(
          client.connect(irohAddrOf(ours), irohBytes('iroh-ts/endpoint-interop/none/1')),
        ).rejects.toThrow();
        g.close(0n, []);
      });
  });
}

/**
 * What iroh reports about a connection our side rejected: its `closed()` reason, or the error of a
 * handshake that the close overtook.
 */
async function irohRejection(conn: Promise<iroh.Connection>): Promise<string> {
  let c: iroh.Connection;
  try {
    c = await conn;
  } catch (e) {
    return String((e as Error).message);
  }
  return withDeadline(c.closed(), 10_000, 'iroh seeing the close');
}

describe('an afterHandshake hook on our endpoint rejects one EndpointId with 403', () => {
  const banned = iroh.SecretKey.generate();
  let ours: Endpoint;
  let bannedEp: iroh.Endpoint;
  let friend: iroh.Endpoint;
  let ourConns: Inbox<Connection>;
  const ourFailures = new Inbox<Error>();
  let bannedConns: Inbox<iroh.Connection>;
  const bannedFailures = new Inbox<Error>();

  beforeAll(async () => {
    ours = await bindOurs({
      alpns: [ALPN],
      hooks: {
        afterHandshake: (c) =>
          c.remoteId().equals(toOurId(banned.public()))
            ? HookOutcome.reject(403n, REJECT_REASON)
            : HookOutcome.accept(),
      },
    });
    ourConns = acceptAllOurs(ours, serveOurs, ourFailures);
    bannedEp = await bindIroh({ alpns: [ALPN], secretKey: banned });
    bannedConns = acceptAllIroh(bannedEp, serveIroh, bannedFailures);
    friend = await bindIroh();
  });

  afterAll(async () => {
    await friend?.close();
    await bannedEp?.close();
    await ours?.close();
  });

  it('iroh dialling from the banned id sees its connection closed with 403 and the reason', async () => {
    const attempt = bannedEp.connect(irohAddrOf(ours), irohBytes(ALPN));
    const seen = await irohRejection(attempt);
    expect(seen).toMatch(/\b403\b/);
    expect(seen).toContain(REJECT_REASON);
    // Stream operations on the rejected connection fail with the same close.
    const c = await attempt.catch(() => null);
    if (c) await expect(c.openBi()).rejects.toThrow(/403/);
    // Our side: the accept failed with LocallyRejected and no connection was handed out.
    const err = await ourFailures.next(10_000, 'our accept failing');
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe('LocallyRejected');
    expect(err.message).toContain(REJECT_REASON);
    expect(ourConns.all).toHaveLength(0);
    expect(ours.stats().num_hook_rejections?.value).toBe(1);
  });

  it('the same endpoint accepts other EndpointIds', async () => {
    const conn = await friend.connect(irohAddrOf(ours), irohBytes(ALPN));
    expect(dec.decode(await requestIroh(conn, OP_ECHO, new TextEncoder().encode('friend')))).toBe('friend');
    const mine = await ourConns.next(10_000, 'our accept');
    expect(mine.remoteId().equals(toOurId(friend.id()))).toBe(true);
    expect(conn.closeReason()).toBeNull();
    conn.close(0n, []);
  });

  it('dialling the banned id fails locally, and iroh’s accepted side is closed with 403', async () => {
    const err = await ours.connect(ourAddrOf(bannedEp), ALPN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe('LocallyRejected');
    expect((err as ConnectError).message).toContain(REJECT_REASON);
    // iroh either completes the accept and then sees the close, or the close overtakes the accept.
    const closed = bannedConns
      .next(10_000, 'iroh accepting')
      .then((c) => withDeadline(c.closed(), 10_000, 'iroh seeing the close'));
    const failed = bannedFailures.next(10_000, 'iroh accept failing').then((e) => e.message);
    closed.catch(() => {});
    failed.catch(() => {});
    const seen = await Promise.race([closed, failed]);
    expect(seen).toMatch(/\b403\b/);
    expect(seen).toContain(REJECT_REASON);
  });
});
