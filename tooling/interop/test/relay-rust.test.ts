/**
 * Acceptance (relay issue): our relay client against the real Rust `iroh-relay` server (crates.io,
 * the version in tooling/interop-rs/Cargo.lock): two of our clients authenticate and exchange
 * datagrams and batches through it, and ping it. This proves our client side the way real iroh
 * endpoints prove our server side.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PublicKey, SecretKey } from '@iroh-ts/base';
import { RelayClient } from '@iroh-ts/relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, rustServerBinary, spawnServer, waitForHttp } from '../src/rust-servers.js';

const bin = rustServerBinary('iroh-relay');
if (!('path' in bin)) console.warn(`SKIP our relay client against the real iroh-relay: ${bin.reason}`);

function nextDatagrams(client: RelayClient): Promise<{ src: PublicKey; contents: Uint8Array[] }> {
  return new Promise((resolve) => {
    const off = client.on('datagrams', ({ src, datagrams }) => {
      off();
      resolve({ src, contents: datagramsOf(datagrams) });
    });
  });
}

/** The individual datagrams of a received (possibly batched) message. */
function datagramsOf(d: { contents: Uint8Array; segmentSize?: number | undefined }): Uint8Array[] {
  if (!d.segmentSize) return [d.contents];
  const out: Uint8Array[] = [];
  for (let at = 0; at < d.contents.length; at += d.segmentSize)
    out.push(d.contents.subarray(at, at + d.segmentSize));
  return out;
}

describe.skipIf(!('path' in bin))('our relay client ↔ real iroh-relay', () => {
  let server: ReturnType<typeof spawnServer>;
  let url: string;
  const a = SecretKey.generate();
  const b = SecretKey.generate();
  let ca: RelayClient;
  let cb: RelayClient;

  beforeAll(async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'iroh-relay-'));
    const cfg = join(dir, 'relay.toml');
    await writeFile(
      cfg,
      `http_bind_addr = "127.0.0.1:${port}"\nenable_quic_addr_discovery = false\nenable_metrics = false\n`,
    );
    server = spawnServer((bin as { path: string }).path, ['--dev', '--config-path', cfg]);
    url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, server.child, server.output);
    ca = new RelayClient({ url, secretKey: a, reconnect: false });
    cb = new RelayClient({ url, secretKey: b, reconnect: false });
    await Promise.all([ca.connect(), cb.connect()]);
  });

  afterAll(() => {
    ca?.close();
    cb?.close();
    server?.child.kill('SIGKILL');
  });

  it('authenticates with the real server and speaks iroh-relay-v2', () => {
    expect(ca.protocolVersion).toBe('iroh-relay-v2');
    expect(cb.protocolVersion).toBe('iroh-relay-v2');
  });

  it('exchanges single datagrams both ways, with the sender authenticated as its EndpointId', async () => {
    const toB = nextDatagrams(cb);
    ca.sendDatagram(b.public(), Uint8Array.of(1, 2, 3), 0);
    const gotB = await toB;
    expect(gotB.src.equals(a.public())).toBe(true);
    expect(Array.from(gotB.contents[0]!)).toEqual([1, 2, 3]);
    const toA = nextDatagrams(ca);
    cb.sendDatagram(a.public(), new Uint8Array(1200).fill(9), 0);
    const gotA = await toA;
    expect(gotA.src.equals(b.public())).toBe(true);
    expect(gotA.contents[0]!.length).toBe(1200);
  });

  it('relays a batch of datagrams intact', async () => {
    const segs = [new Uint8Array(100).fill(1), new Uint8Array(100).fill(2), new Uint8Array(40).fill(3)];
    const got = nextDatagrams(cb);
    ca.sendBatch(b.public(), segs);
    const all = (await got).contents;
    expect(all.map((s) => s.length)).toEqual([100, 100, 40]);
    expect(all.map((s) => s[0])).toEqual([1, 2, 3]);
  });

  it('pings the real relay and gets a pong', async () => {
    expect(await ca.ping()).toBeGreaterThanOrEqual(0);
  });
});
