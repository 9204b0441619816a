// Runs inside a network namespace whose UDP output is dropped (see src/netns.ts): starts our relay
// from the command given as JSON in argv[2], then one @iroh-ts/endpoint endpoint and one real iroh
// endpoint (@number0/iroh), both using only that relay. Each dials the other knowing only its
// EndpointId and the relay URL, echoes SIZE bytes on a stream, echoes a datagram, and reports the
// paths both sides see. Prints one JSON line: { ok, relayUrl, online, ids, udpBlocked, directions } or
// { ok: false,
// error, relayLog }; a direction that fails carries its own { error }.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { Endpoint, EndpointAddr, PublicKey, presetMinimal, RelayMode } from '@iroh-ts/endpoint';
import * as iroh from '@number0/iroh';

const spec = JSON.parse(process.argv[2]);
const SIZE = spec.size ?? 10 << 20;
const ALPN = 'iroh-ts/endpoint-relay-interop/1';
const ALPN_BYTES = new TextEncoder().encode(ALPN);
const CHUNK = 1 << 20;
const relayLog = [];
const sha = (u8) => createHash('sha256').update(u8).digest('hex');
const dec = new TextDecoder();

function startRelay() {
  const child = spawn(spec.command[0], spec.command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => relayLog.push(String(d)));
  const lines = createInterface({ input: child.stdout });
  const url = new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      relayLog.push(line);
      const m = /^relay listening on (\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`relay exited with ${code}: ${relayLog.join('\n').slice(-2000)}`)),
    );
  });
  return { child, url };
}

function deadline(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

/** A one-shot slot filled by the accept loops. */
function slot() {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const pathsOf = (conn) =>
  conn
    .paths()
    .map((p) => ({ isRelay: p.isRelay, isSelected: p.isSelected, isIp: p.isIp, remoteAddr: p.remoteAddr }));

/** Echoes every bi stream chunk by chunk, and every datagram; `bytes` converts to the API's bytes. */
async function serveEcho(conn, bytes) {
  void (async () => {
    for (;;) conn.sendDatagram(bytes(await conn.readDatagram()));
  })().catch(() => {});
  for (;;) {
    const bi = await conn.acceptBi().catch(() => null);
    if (!bi) return;
    void (async () => {
      for (;;) {
        const chunk = await bi.recv.read(CHUNK);
        if (chunk === null || chunk.length === 0) break;
        await bi.send.writeAll(bytes(chunk));
      }
      await bi.send.finish();
    })().catch(() => {});
  }
}

/** Streams SIZE bytes out and reads the echo back; `bytes` converts to the API's bytes. */
async function echo(conn, bytes) {
  const data = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) data[i] = (i * 2654435761) >>> 24;
  const bi = await conn.openBi();
  const writer = (async () => {
    for (let at = 0; at < SIZE; at += CHUNK) await bi.send.writeAll(bytes(data.subarray(at, at + CHUNK)));
    await bi.send.finish();
  })();
  const hash = createHash('sha256');
  let got = 0;
  for (;;) {
    const c = await bi.recv.read(CHUNK);
    if (c === null || c.length === 0) break;
    hash.update(Uint8Array.from(c));
    got += c.length;
  }
  await writer;
  return { echoed: got, hashOk: hash.digest('hex') === sha(data) };
}

/** Sends a datagram until its echo comes back; returns the echo as text. */
async function datagram(conn, text, bytes) {
  const got = conn.readDatagram();
  got.catch(() => {});
  for (let i = 0; i < 20; i++) {
    conn.sendDatagram(bytes(new TextEncoder().encode(text)));
    const r = await deadline(got, 500, 'datagram').catch(() => undefined);
    if (r) return dec.decode(Uint8Array.from(r));
  }
  return null;
}

/** Whether a UDP datagram between two loopback sockets is lost (the namespace drops UDP). */
async function udpBlocked() {
  const a = createSocket('udp4');
  const b = createSocket('udp4');
  try {
    await Promise.all([
      new Promise((r) => a.bind(0, '127.0.0.1', r)),
      new Promise((r) => b.bind(0, '127.0.0.1', r)),
    ]);
    const arrived = new Promise((r) => b.once('message', () => r(true)));
    a.send(Uint8Array.of(1), b.address().port, '127.0.0.1');
    return !(await deadline(arrived, 500, 'udp probe').catch(() => false));
  } finally {
    a.close();
    b.close();
  }
}

const toIroh = (u8) => Array.from(u8);
const toOurs = (a) => Uint8Array.from(a);

const relay = startRelay();
let ours;
let theirs;
try {
  const relayUrl = await deadline(relay.url, 20_000, 'relay start');
  const b = Endpoint.builder();
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
  ib.alpns([toIroh(ALPN_BYTES)]);
  theirs = await ib.bind();
  // Both must be connected to their home relay before the other dials by id + relay URL.
  await deadline(Promise.all([ours.online(), theirs.online()]), 20_000, 'getting online through the relay');
  const online = { ours: ours.addr().relayUrl(), iroh: theirs.addr().relayUrl() };

  const ourServed = [];
  void (async () => {
    for (;;) {
      const inc = await ours.acceptNext();
      if (!inc) return;
      const s = ourServed.shift();
      void (async () => {
        const incoming = await inc.remoteAddr();
        const conn = await (await inc.accept()).connect();
        s?.resolve({ conn, incoming });
        await serveEcho(conn, toOurs);
      })().catch(() => {});
    }
  })().catch(() => {});
  const irohServed = [];
  void (async () => {
    for (;;) {
      const inc = await theirs.acceptNext();
      if (!inc) return;
      const s = irohServed.shift();
      void (async () => {
        const incoming = await inc.remoteAddr();
        const conn = await (await inc.accept()).connect();
        s?.resolve({ conn, incoming });
        await serveEcho(conn, toIroh);
      })().catch(() => {});
    }
  })().catch(() => {});

  const ourId = ours.id();
  const irohId = PublicKey.fromBytes(Uint8Array.from(theirs.id().toBytes()));
  const directions = {};

  // Our endpoint dials iroh by EndpointId + relay URL.
  directions.oursToIroh = await (async () => {
    const served = slot();
    irohServed.push(served);
    const addr = new EndpointAddr(irohId, relayUrl, []);
    const conn = await deadline(ours.connect(addr, ALPN), 20_000, 'our endpoint dialling iroh');
    const server = await deadline(served.promise, 20_000, 'iroh accepting');
    const result = {
      dialledDirect: addr.directAddresses(),
      remoteIdOk: conn.remoteId().equals(irohId),
      serverSawUs: PublicKey.fromBytes(Uint8Array.from(server.conn.remoteId().toBytes())).equals(ourId),
      incoming: server.incoming,
      ...(await deadline(echo(conn, toOurs), 90_000, 'echo')),
      datagram: await datagram(conn, 'datagram from iroh-ts', toOurs),
      clientPaths: pathsOf(conn),
      serverPaths: pathsOf(server.conn),
    };
    conn.close(0n);
    return result;
  })().catch((e) => ({ error: String(e?.stack ?? e) }));

  // iroh dials our endpoint by EndpointId + relay URL.
  directions.irohToOurs = await (async () => {
    const served = slot();
    ourServed.push(served);
    const addr = new iroh.EndpointAddr(iroh.EndpointId.fromBytes(toIroh(ourId.toBytes())), relayUrl, []);
    const conn = await deadline(
      theirs.connect(addr, toIroh(ALPN_BYTES)),
      20_000,
      'iroh dialling our endpoint',
    );
    const server = await deadline(served.promise, 20_000, 'our endpoint accepting');
    const result = {
      dialledDirect: addr.directAddresses(),
      remoteIdOk: PublicKey.fromBytes(Uint8Array.from(conn.remoteId().toBytes())).equals(ourId),
      serverSawUs: server.conn.remoteId().equals(irohId),
      incoming: server.incoming,
      ...(await deadline(echo(conn, toIroh), 90_000, 'echo')),
      datagram: await datagram(conn, 'datagram from iroh', toIroh),
      clientPaths: pathsOf(conn),
      serverPaths: pathsOf(server.conn),
    };
    conn.close(0n, []);
    return result;
  })().catch((e) => ({ error: String(e?.stack ?? e) }));

  const ids = { ours: ourId.toString(), iroh: irohId.toString() };
  console.log(
    JSON.stringify({ ok: true, relayUrl, online, ids, udpBlocked: await udpBlocked(), directions }),
  );
} catch (e) {
  console.log(
    JSON.stringify({ ok: false, error: String(e?.stack ?? e), relayLog: relayLog.join('\n').slice(-4000) }),
  );
} finally {
  await deadline(Promise.allSettled([ours?.close(), theirs?.close()]), 5_000, 'closing').catch(() => {});
  relay.child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 500).unref();
}
