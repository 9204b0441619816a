/**
 * QUIC multipath with real iroh (`@number0/iroh` 1.1.0) on loopback, through our relay app: both
 * endpoints know each other's relay URL and direct address. The client opens a second path (the relay
 * when the handshake went direct), both sides validate it, the direct path is selected and marked
 * AVAILABLE and the relay path BACKUP, and a 4 MiB echo stays intact. Once with our endpoint as the
 * client, once with iroh's.
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
  irohBytes,
  toIrohId,
  toOurId,
  withDeadline,
} from '../src/endpoint-peers.js';

const ALPN = 'iroh-ts/endpoint-interop/multipath/1';
const SIZE = 4 << 20;

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

describe.skipIf(!haveRelay)('QUIC multipath with real iroh (relay + direct, loopback)', () => {
  let relay: ReturnType<typeof spawn>;
  let relayUrl: string;
  let ours: Endpoint;
  let theirs: iroh.Endpoint;

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
    const b = OurEndpoint.builder();
    presetMinimal(b);
    ours = await b
      .bindAddr('127.0.0.1:0')
      .relayMode(RelayMode.customFromUrls([relayUrl]))
      .alpns([ALPN])
      .bind();
    const ib = iroh.Endpoint.builder();
    iroh.presetMinimal(ib);
    ib.relayMode(iroh.RelayMode.customFromUrls([relayUrl]));
    ib.bindAddr('127.0.0.1:0');
    ib.alpns([irohBytes(ALPN)]);
    theirs = await ib.bind();
    await withDeadline(Promise.all([ours.online(), theirs.online()]), 20_000, 'getting online');
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([ours?.close(), theirs?.close()]);
    relay?.kill('SIGTERM');
  });

  it('our endpoint as client: opens the relay path, selects the direct one, echoes intact', async () => {
    const accepted = acceptAllIroh(theirs, serveIroh);
    const addr = new EndpointAddr(toOurId(theirs.id()), relayUrl, theirs.addr().directAddresses());
    const conn: Connection = await withDeadline(ours.connect(addr, ALPN), 15_000, 'connect');
    const server = await accepted.next(10_000, 'iroh accepting');
    expect(conn.quic.multipath).toBe(true);
    await eventually(
      () => kinds(conn.paths()).join() === 'ip*,relay' && kinds(server.paths()).join() === 'ip*,relay',
      5_000,
      `two paths, direct selected (ours: ${kinds(conn.paths())}, iroh: ${kinds(server.paths())})`,
    );
    // iroh learnt our statuses: the relay path is a backup on both sides.
    const info = conn.quic.pathInfo();
    expect(info.find((p) => p.remote.startsWith('iroh-relay:'))?.status).toBe('backup');
    expect(info.find((p) => p.remote.startsWith('iroh-relay:'))?.remoteStatus).toBe('backup');
    const data = testData(SIZE);
    const back = await withDeadline(requestOurs(conn, OP_ECHO, data), 60_000, 'echo');
    expect(sha256(back)).toBe(sha256(data));
    conn.close(0n);
  }, 90_000);

  it("iroh as client: our server accepts iroh's second path; both select the direct one", async () => {
    const accepted = acceptAllOurs(ours, serveOurs);
    const addr = new iroh.EndpointAddr(toIrohId(ours.id()), relayUrl, ours.addr().directAddresses());
    const conn = await withDeadline(theirs.connect(addr, irohBytes(ALPN)), 15_000, 'connect');
    const server = await accepted.next(10_000, 'our endpoint accepting');
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
  }, 90_000);
});
