/**
 * QUIC multipath and hole punching with real iroh (`@number0/iroh` 1.1.0) on loopback, through our
 * relay app, with our endpoint as client and as server:
 *
 * - hole punching (issue 7 acceptance): dialled with an EndpointAddr holding only the relay URL, the
 *   connection starts on the relay (path 0); the n0 NAT traversal round opens a direct path, selected
 *   on both sides (iroh's `paths()` shows `isIp && isSelected`) within 2 s of `connect()` resolving,
 *   while an 8 MiB echo runs across the switch and arrives intact;
 * - known addresses: with the relay URL and the direct address, the client opens the second path
 *   itself, the direct one is selected (AVAILABLE) and the relay is the backup.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type Connection,
  type Endpoint,
  EndpointAddr,
  Endpoint as OurEndpoint,
  presetMinimal,
  RelayMode,
} from '@iroh-ts/endpoint';
import * as iroh from '@number0/iroh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_APP } from '../src/dns-peers.js';
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
  type Inbox,
  irohBytes,
  toIrohId,
  toOurId,
  withDeadline,
} from '../src/endpoint-peers.js';

const ALPN = 'iroh-ts/endpoint-interop/multipath/1';
const SIZE = 4 << 20;
const PUNCH_SIZE = 8 << 20;
/** Time from connect() resolving to a direct path selected on both sides (acceptance: ≤ 2 s). */
const PUNCH_DEADLINE_MS = 2000;

interface IdPath extends AnyPath {
  id: string | number;
}
/** Whether the connection started on the relay: path 0 is a relay path. */
const startedOnRelay = (paths: IdPath[]) => paths.some((p) => String(p.id) === '0' && p.isRelay);
const directSelected = (paths: AnyPath[]) => paths.some((p) => p.isIp && p.isSelected);

interface AnyPath {
  isIp: boolean;
  isRelay: boolean;
  isSelected: boolean;
}
const kinds = (paths: AnyPath[]) =>
  paths.map((p) => `${p.isRelay ? 'relay' : p.isIp ? 'ip' : 'other'}${p.isSelected ? '*' : ''}`).sort();

/** Polls `fn` until it returns true or `ms` pass. */
async function eventually(fn: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const haveRelay = existsSync(RELAY_APP);
if (!haveRelay) console.warn(`SKIP multipath with real iroh: ${RELAY_APP} is not built`);

describe.skipIf(!haveRelay)('QUIC multipath and hole punching with real iroh (loopback, our relay)', () => {
  let relay: ReturnType<typeof spawn>;
  let relayUrl: string;

  beforeAll(async () => {
    relay = spawn(process.execPath, [RELAY_APP, '--dev', '--http-bind-addr', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    relayUrl = await withDeadline(
      new Promise<string>((resolve) =>
        createInterface({ input: relay.stdout! }).on('line', (l) => {
          const m = /^relay listening on (\S+)/.exec(l);
          if (m) resolve(m[1]!);
        }),
      ),
      20_000,
      'relay start',
    );
  }, 30_000);

  afterAll(() => {
    relay?.kill('SIGTERM');
  });

  /** Fresh endpoints (no memory of earlier connections), both online at our relay, serving echo. */
  async function endpoints(): Promise<{
    ours: Endpoint;
    theirs: iroh.Endpoint;
    oursAccepted: Inbox<Connection>;
    irohAccepted: Inbox<iroh.Connection>;
    close: () => Promise<void>;
  }> {
    const b = OurEndpoint.builder();
    presetMinimal(b);
    const ours = await b
      .bindAddr('127.0.0.1:0')
      .relayMode(RelayMode.customFromUrls([relayUrl]))
      .alpns([ALPN])
      .bind();
    const ib = iroh.Endpoint.builder();
    iroh.presetMinimal(ib);
    ib.relayMode(iroh.RelayMode.customFromUrls([relayUrl]));
    ib.bindAddr('127.0.0.1:0');
    ib.alpns([irohBytes(ALPN)]);
    const theirs = await ib.bind();
    await withDeadline(Promise.all([ours.online(), theirs.online()]), 20_000, 'getting online');
    return {
      ours,
      theirs,
      oursAccepted: acceptAllOurs(ours, serveOurs),
      irohAccepted: acceptAllIroh(theirs, serveIroh),
      close: async () => {
        await Promise.allSettled([ours.close(), theirs.close()]);
      },
    };
  }

  it('hole punching, our endpoint as client: relay first, direct within 2 s, echo intact across the switch', async () => {
    const { ours, theirs, irohAccepted, close } = await endpoints();
    try {
      const addr = new EndpointAddr(toOurId(theirs.id()), relayUrl, []);
      const conn: Connection = await withDeadline(ours.connect(addr, ALPN), 15_000, 'connect');
      const t0 = Date.now();
      const data = testData(PUNCH_SIZE);
      const echo = withDeadline(requestOurs(conn, OP_ECHO, data), 60_000, 'echo');
      const server = await irohAccepted.next(10_000, 'iroh accepting');
      await eventually(
        () => directSelected(conn.paths()) && directSelected(server.paths()),
        PUNCH_DEADLINE_MS,
        `direct path selected on both sides (ours: ${kinds(conn.paths())}, iroh: ${kinds(server.paths())})`,
      );
      const punchMs = Date.now() - t0;
      expect(startedOnRelay(conn.paths())).toBe(true);
      expect(startedOnRelay(server.paths())).toBe(true);
      expect(sha256(await echo)).toBe(sha256(data));
      console.log(`hole punch (ours → iroh): direct on both sides ${punchMs} ms after connect()`);
      conn.close(0n);
    } finally {
      await close();
    }
  }, 90_000);

  it('hole punching, iroh as client: relay first, direct within 2 s, echo intact across the switch', async () => {
    const { ours, theirs, oursAccepted, close } = await endpoints();
    try {
      const addr = new iroh.EndpointAddr(toIrohId(ours.id()), relayUrl, []);
      const conn = await withDeadline(theirs.connect(addr, irohBytes(ALPN)), 15_000, 'connect');
      const t0 = Date.now();
      const data = testData(PUNCH_SIZE);
      const echo = withDeadline(requestIroh(conn, OP_ECHO, data), 60_000, 'echo');
      const server = await oursAccepted.next(10_000, 'our endpoint accepting');
      await eventually(
        () => directSelected(conn.paths()) && directSelected(server.paths()),
        PUNCH_DEADLINE_MS,
        `direct path selected on both sides (iroh: ${kinds(conn.paths())}, ours: ${kinds(server.paths())})`,
      );
      const punchMs = Date.now() - t0;
      expect(startedOnRelay(conn.paths())).toBe(true);
      expect(startedOnRelay(server.paths())).toBe(true);
      expect(sha256(await echo)).toBe(sha256(data));
      console.log(`hole punch (iroh → ours): direct on both sides ${punchMs} ms after connect()`);
      conn.close(0n, []);
    } finally {
      await close();
    }
  }, 90_000);

  it('known addresses, our endpoint as client: opens the relay path, selects the direct one, echoes intact', async () => {
    const { ours, theirs, irohAccepted, close } = await endpoints();
    try {
      const addr = new EndpointAddr(toOurId(theirs.id()), relayUrl, theirs.addr().directAddresses());
      const conn: Connection = await withDeadline(ours.connect(addr, ALPN), 15_000, 'connect');
      const server = await irohAccepted.next(10_000, 'iroh accepting');
      expect(conn.quic.multipath).toBe(true);
      await eventually(
        () => kinds(conn.paths()).join() === 'ip*,relay' && kinds(server.paths()).join() === 'ip*,relay',
        5_000,
        `two paths, direct selected (ours: ${kinds(conn.paths())}, iroh: ${kinds(server.paths())})`,
      );
      // The relay path is a backup on both sides: ours, and iroh's PATH_STATUS_BACKUP for it (which
      // may come a moment after the paths settle).
      const relayPath = () => conn.quic.pathInfo().find((p) => p.remote.startsWith('iroh-relay:'));
      await eventually(
        () => relayPath()?.status === 'backup' && relayPath()?.remoteStatus === 'backup',
        5_000,
        `relay path BACKUP on both sides (${JSON.stringify(relayPath())})`,
      );
      const data = testData(SIZE);
      const back = await withDeadline(requestOurs(conn, OP_ECHO, data), 60_000, 'echo');
      expect(sha256(back)).toBe(sha256(data));
      conn.close(0n);
    } finally {
      await close();
    }
  }, 90_000);

  it("known addresses, iroh as client: our server accepts iroh's second path; both select the direct one", async () => {
    const { ours, theirs, oursAccepted, close } = await endpoints();
    try {
      const addr = new iroh.EndpointAddr(toIrohId(ours.id()), relayUrl, ours.addr().directAddresses());
      const conn = await withDeadline(theirs.connect(addr, irohBytes(ALPN)), 15_000, 'connect');
      const server = await oursAccepted.next(10_000, 'our endpoint accepting');
      expect(server.quic.multipath).toBe(true);
      await eventually(
        () => kinds(conn.paths()).join() === 'ip*,relay' && kinds(server.paths()).join() === 'ip*,relay',
        5_000,
        `two paths, direct selected (iroh: ${kinds(conn.paths())}, ours: ${kinds(server.paths())})`,
      );
      const data = testData(SIZE);
      const back = await withDeadline(requestIroh(conn, OP_ECHO, data), 60_000, 'echo');
      expect(sha256(back)).toBe(sha256(data));
      conn.close(0n, []);
    } finally {
      await close();
    }
  }, 90_000);
});
