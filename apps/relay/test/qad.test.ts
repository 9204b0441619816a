/**
 * The app's QUIC address discovery: with `enable_quic_addr_discovery = true` and a certificate it
 * answers QAD probes on its UDP port, counts them in /metrics, and stops on SIGTERM; without TLS it
 * refuses to start, as iroh-relay.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { qadProbe } from '@iroh-ts/relay/server';
import { describe, expect, it } from 'vitest';
import { MAIN, type RelayProcess, startRelayApp } from './support/process.js';

const run = promisify(execFile);
/** The QAD test certificates of @iroh-ts/relay: a CA and a server certificate for 127.0.0.1. */
const FIXTURES = fileURLToPath(new URL('../../../packages/relay/test/fixtures/qad/', import.meta.url));
const ROOT = new Uint8Array(new X509Certificate(readFileSync(join(FIXTURES, 'ca.pem'))).raw);

async function config(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-relay-qad-'));
  const path = join(dir, 'relay.toml');
  await writeFile(path, text);
  return path;
}

/** A field of the app's JSON log line whose `msg` is `msg`. */
function logged(relay: RelayProcess, msg: string): Record<string, unknown> {
  const line = relay
    .stderr()
    .split('\n')
    .find((l) => l.includes(`"msg":${JSON.stringify(msg)}`));
  if (!line) throw new Error(`no ${msg} log line in:\n${relay.stderr()}`);
  return JSON.parse(line) as Record<string, unknown>;
}

const manual = `
http_bind_addr = "127.0.0.1:0"
enable_quic_addr_discovery = true
metrics_bind_addr = "127.0.0.1:0"
[tls]
cert_mode = "Manual"
https_bind_addr = "127.0.0.1:0"
quic_bind_addr = "127.0.0.1:0"
manual_cert_path = ${JSON.stringify(join(FIXTURES, 'server.pem'))}
manual_key_path = ${JSON.stringify(join(FIXTURES, 'server.key'))}
`;

describe('iroh-ts-relay with enable_quic_addr_discovery', () => {
  it('Manual certificate: answers a QAD probe with the client address, counts it, stops on SIGTERM', async () => {
    const relay = await startRelayApp(['--config', await config(manual)]);
    try {
      expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const addr = String(logged(relay, 'QUIC address discovery listening').addr);
      expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
      const result = await qadProbe({
        server: addr,
        roots: [ROOT],
        bindAddr: '127.0.0.1:0',
        timeoutMs: 10_000,
      });
      expect(result.observedAddress).toBe(result.localAddress);
      const metricsUrl = String(logged(relay, 'relay started').metrics);
      const metrics = await (await fetch(metricsUrl)).text();
      expect(metrics).toMatch(/relayserver_qad_connections_total 1\b/);
      expect(await relay.stop()).toBe(0);
      expect(relay.stderr()).toMatch(/"msg":"QAD server stopped"/);
    } finally {
      relay.child.kill('SIGKILL');
    }
  });

  it('--dev keeps plain HTTP and serves QAD with the [tls] certificate (SelfSigned)', async () => {
    const path = await config(
      'enable_quic_addr_discovery = true\n[tls]\ncert_mode = "SelfSigned"\nhostname = "127.0.0.1"\nquic_bind_addr = "127.0.0.1:0"\n',
    );
    const relay = await startRelayApp([
      '--dev',
      '--config',
      path,
      '--http-bind-addr',
      '127.0.0.1:0',
      '--metrics-bind-addr',
      '127.0.0.1:0',
    ]);
    try {
      expect(relay.url).toMatch(/^http:\/\//);
      const addr = String(logged(relay, 'QUIC address discovery listening').addr);
      // The self-signed certificate is not ours to trust: the TLS handshake gets as far as verifying it.
      const err = await qadProbe({
        server: addr,
        roots: [ROOT],
        bindAddr: '127.0.0.1:0',
        timeoutMs: 10_000,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ConnectFailed' });
      expect((err as Error).message).toMatch(/trusted root/);
      expect(await relay.stop()).toBe(0);
    } finally {
      relay.child.kill('SIGKILL');
    }
  });

  it('refuses to start without TLS, with a typed error naming the key', async () => {
    const path = await config('enable_quic_addr_discovery = true\n');
    for (const args of [
      ['--config', path],
      ['--dev', '--config', path],
    ]) {
      const err = await run(process.execPath, [MAIN, ...args]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 1 });
      const line = JSON.parse(
        String((err as { stderr: string }).stderr)
          .trim()
          .split('\n')
          .pop()!,
      );
      expect(line).toMatchObject({ level: 'error', code: 'InvalidConfig' });
      expect(line.error).toMatch(/enable_quic_addr_discovery.*\[tls\]/);
    }
  });

  it('a port in use is a BindFailed error and nothing keeps running', async () => {
    const busy = createSocket('udp4');
    await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
    try {
      const port = busy.address().port;
      const path = await config(
        manual.replace('quic_bind_addr = "127.0.0.1:0"', `quic_bind_addr = "127.0.0.1:${port}"`),
      );
      const err = await run(process.execPath, [MAIN, '--config', path], { timeout: 30_000 }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 1 });
      const line = JSON.parse(
        String((err as { stderr: string }).stderr)
          .trim()
          .split('\n')
          .pop()!,
      );
      expect(line).toMatchObject({ level: 'error', code: 'BindFailed' });
    } finally {
      busy.close();
    }
  });
});
