// Runs inside a network namespace whose UDP output is dropped (see src/netns.ts): starts a relay from
// the command given as JSON in argv[2], then two real iroh endpoints (@number0/iroh) that know each
// other only by EndpointId + relay URL, echoes SIZE bytes over the relay and prints one JSON line:
// { ok, echoed, hashOk, paths, relayUrl, relayLog } (or { ok: false, error }).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import * as iroh from '@number0/iroh';

const spec = JSON.parse(process.argv[2]);
const SIZE = spec.size ?? 10 << 20;
const ALPN = Array.from(new TextEncoder().encode('iroh-ts/relay-interop/1'));
const relayLog = [];

function startRelay() {
  const child = spawn(spec.command[0], spec.command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env },
  });
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
    if (spec.url) resolve(spec.url); // relays that do not print the line (iroh-relay) get a fixed URL
  });
  return { child, url };
}

async function endpoint(relayUrl, withAlpn) {
  const b = iroh.Endpoint.builder();
  iroh.presetMinimal(b);
  if (spec.token) {
    const map = iroh.RelayMap.empty();
    map.insert({ url: relayUrl, authToken: spec.token });
    b.relayMode(iroh.RelayMode.custom(map));
  } else {
    b.relayMode(iroh.RelayMode.customFromUrls([relayUrl]));
  }
  b.bindAddr('127.0.0.1:0');
  if (withAlpn) b.alpns([ALPN]);
  return b.bind();
}

const sha = (u8) => createHash('sha256').update(u8).digest('hex');

const relay = startRelay();
try {
  const relayUrl = await relay.url;
  if (spec.waitMs) await new Promise((r) => setTimeout(r, spec.waitMs));
  const b = await endpoint(relayUrl, true);
  const a = await endpoint(relayUrl, false);
  // B must be connected to its home relay before A dials by id + relay URL only.
  const onlineTimeout = new Promise((_, reject) =>
    setTimeout(
      () => reject(new Error('endpoint B did not get online through the relay')),
      spec.onlineTimeoutMs ?? 20_000,
    ).unref(),
  );
  await Promise.race([b.online(), onlineTimeout]);
  void (async () => {
    for (;;) {
      const inc = await b.acceptNext();
      if (!inc) return;
      const conn = await (await inc.accept()).connect();
      const bi = await conn.acceptBi();
      for (;;) {
        const chunk = await bi.recv.read(1 << 20);
        if (chunk === null || chunk.length === 0) break;
        await bi.send.writeAll(chunk);
      }
      await bi.send.finish();
      await conn.closed();
    }
  })().catch(() => {});
  const addr = new iroh.EndpointAddr(b.id(), relayUrl, []);
  const conn = await a.connect(addr, ALPN);
  const data = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) data[i] = (i * 2654435761) >>> 24;
  const bi = await conn.openBi();
  const chunk = 1 << 20;
  const writer = (async () => {
    for (let at = 0; at < SIZE; at += chunk)
      await bi.send.writeAll(Array.from(data.subarray(at, at + chunk)));
    await bi.send.finish();
  })();
  const parts = [];
  let got = 0;
  for (;;) {
    const c = await bi.recv.read(1 << 20);
    if (c === null || c.length === 0) break;
    parts.push(Uint8Array.from(c));
    got += c.length;
  }
  await writer;
  const echoed = new Uint8Array(got);
  let at = 0;
  for (const p of parts) {
    echoed.set(p, at);
    at += p.length;
  }
  const paths = conn
    .paths()
    .map((p) => ({ isRelay: p.isRelay, isSelected: p.isSelected, isIp: p.isIp, remoteAddr: p.remoteAddr }));
  conn.close(0n, []);
  let metrics;
  if (spec.metricsUrl) metrics = await (await fetch(spec.metricsUrl)).text();
  console.log(
    JSON.stringify({ ok: true, echoed: got, hashOk: sha(echoed) === sha(data), paths, relayUrl, metrics }),
  );
  await a.close();
  await b.close();
} catch (e) {
  console.log(
    JSON.stringify({ ok: false, error: String(e?.stack ?? e), relayLog: relayLog.join('\n').slice(-4000) }),
  );
} finally {
  relay.child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 500).unref();
}
