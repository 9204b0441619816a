/**
 * QUIC address discovery (QAD) against real iroh, both ways:
 * - iroh-relay's own QAD client (`iroh_relay::quic::QuicClient`, iroh 1.x from crates.io, through
 *   `iroh-ts-peer qad-probe`) asks our relay app, trusting only the test CA: it learns the exact
 *   address of its socket, and closes the way our server counts as clean (code 1 "finished").
 * - our `qadProbe` asks the real `iroh-relay` (QAD on, the same Manual certificate).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { qadProbe } from '@iroh-ts/relay/server';
import { afterAll, describe, expect, it } from 'vitest';
import { findPeer, findRelayApp, findRustServer, freeDnsPort, runPeer } from '../src/dns-peers.js';
import { spawnServer, waitForHttp } from '../src/rust-servers.js';

/** @iroh-ts/relay's QAD test certificates: a CA, and a server certificate for localhost/127.0.0.1. */
const FIXTURES = fileURLToPath(new URL('../../../packages/relay/test/fixtures/qad/', import.meta.url));
const CA = join(FIXTURES, 'ca.pem');
const ROOT = new Uint8Array(new X509Certificate(readFileSync(CA)).raw);

const peer = findPeer();
const relayApp = findRelayApp();
const irohRelay = findRustServer('iroh-relay');
const skipPeer = 'skip' in peer ? peer.skip : 'skip' in relayApp ? relayApp.skip : null;
const skipRelay = 'skip' in irohRelay ? irohRelay.skip : null;
if (skipPeer) console.warn(`SKIP qad-rust (iroh's QAD client against our relay app): ${skipPeer}`);
if (skipRelay) console.warn(`SKIP qad-rust (our QAD probe against the real iroh-relay): ${skipRelay}`);

const stops: (() => void)[] = [];
afterAll(() => {
  for (const stop of stops) stop();
});

async function tomlFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'qad-rust-')), 'relay.toml');
  await writeFile(path, text);
  return path;
}

/** Waits for `re` in a process's output (a deadline, not a timing assertion). */
async function waitOutput(
  output: () => string,
  re: RegExp,
  what: string,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(output());
    if (m) return m;
    if (Date.now() > end) throw new Error(`${what}: not seen within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const manualTls = `manual_cert_path = ${JSON.stringify(join(FIXTURES, 'server.pem'))}
manual_key_path = ${JSON.stringify(join(FIXTURES, 'server.key'))}`;

describe.skipIf(skipPeer !== null)("iroh-relay's QAD client against our relay app", () => {
  it('learns the exact address of its socket, and closes cleanly (code 1)', async () => {
    const config = await tomlFile(`http_bind_addr = "127.0.0.1:0"
enable_quic_addr_discovery = true
metrics_bind_addr = "127.0.0.1:0"
[tls]
cert_mode = "Manual"
https_bind_addr = "127.0.0.1:0"
quic_bind_addr = "127.0.0.1:0"
${manualTls}
`);
    const app = spawnServer(process.execPath, [(relayApp as { path: string }).path, '--config', config]);
    stops.push(() => app.child.kill('SIGKILL'));
    const qadAddr = (
      await waitOutput(app.output, /"QUIC address discovery listening","addr":"([^"]+)"/, 'QAD')
    )[1]!;
    const metrics = (
      await waitOutput(app.output, /"msg":"relay started".*?"metrics":"([^"]+)"/, 'start')
    )[1]!;

    const run = await runPeer(
      (peer as { path: string }).path,
      ['qad-probe', '--server', qadAddr, '--ca-root', CA, '--host', 'localhost', '--bind', '127.0.0.1:0'],
      40_000,
    );
    expect(run.code, run.output).toBe(0);
    const result = run.events.find((e) => e.event === 'result');
    expect(result, run.output).toBeDefined();
    expect(String(result?.local)).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(result?.observed).toBe(result?.local);

    // Our server saw iroh's client close with QAD's code 1: closed, not errored.
    const deadline = Date.now() + 10_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(metrics)).text();
      if (/relayserver_qad_connections_closed_total 1\b/.test(text)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toMatch(/relayserver_qad_connections_total 1\b/);
    expect(text).toMatch(/relayserver_qad_connections_closed_total 1\b/);
    expect(text).toMatch(/relayserver_qad_connections_errored_total 0\b/);
    app.child.kill('SIGTERM');
  }, 90_000);

  it('is refused by our relay when it does not trust the certificate', async () => {
    const config = await tomlFile(`http_bind_addr = "127.0.0.1:0"
enable_quic_addr_discovery = true
enable_metrics = false
[tls]
cert_mode = "SelfSigned"
hostname = "localhost"
https_bind_addr = "127.0.0.1:0"
quic_bind_addr = "127.0.0.1:0"
`);
    const app = spawnServer(process.execPath, [(relayApp as { path: string }).path, '--config', config]);
    stops.push(() => app.child.kill('SIGKILL'));
    const qadAddr = (
      await waitOutput(app.output, /"QUIC address discovery listening","addr":"([^"]+)"/, 'QAD')
    )[1]!;
    const run = await runPeer(
      (peer as { path: string }).path,
      ['qad-probe', '--server', qadAddr, '--ca-root', CA, '--timeout-ms', '5000'],
      40_000,
    );
    expect(run.code, run.output).toBe(1);
    expect(
      run.events.find((e) => e.event === 'error'),
      run.output,
    ).toMatchObject({ stage: 'qad' });
    expect(run.output).toMatch(/certificate|UnknownIssuer/i);
    app.child.kill('SIGTERM');
  }, 60_000);
});

describe.skipIf(skipRelay !== null)('our QAD probe against the real iroh-relay', () => {
  it('gets the exact address of the socket it probes from', async () => {
    const [httpPort, quicPort] = [await freeDnsPort(), await freeDnsPort()];
    const config = await tomlFile(`http_bind_addr = "127.0.0.1:${httpPort}"
enable_quic_addr_discovery = true
enable_metrics = false
[tls]
cert_mode = "Manual"
quic_bind_addr = "127.0.0.1:${quicPort}"
${manualTls}
`);
    // --dev: plain HTTP, while QUIC address discovery keeps the Manual certificate.
    const relay = spawnServer((irohRelay as { path: string }).path, ['--dev', '--config-path', config]);
    stops.push(() => relay.child.kill('SIGKILL'));
    // iroh-relay binds its QUIC server before it serves HTTP.
    await waitForHttp(`http://127.0.0.1:${httpPort}/healthz`, relay.child, relay.output);
    const server = `127.0.0.1:${quicPort}`;
    const r = await qadProbe({ server, roots: [ROOT], serverName: 'localhost', bindAddr: '127.0.0.1:0' });
    expect(r.localAddress).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(r.observedAddress).toBe(r.localAddress);
    // And with the IP as the name (no SNI), as iroh clients dial relays by IP.
    const byIp = await qadProbe({ server, roots: [ROOT], bindAddr: '127.0.0.1:0', timeoutMs: 5000 });
    expect(byIp.observedAddress).toBe(byIp.localAddress);
    relay.child.kill('SIGTERM');
  }, 60_000);
});
