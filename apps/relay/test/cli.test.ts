import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SecretKey } from '@iroh-ts/base';
import { RelayClient } from '@iroh-ts/relay';
import { describe, expect, it } from 'vitest';
import { MAIN, startRelayApp } from './support/process.js';

const run = promisify(execFile);

describe('iroh-ts-relay', () => {
  it('--dev prints its URL first, serves the HTTP surface, and on SIGTERM tells clients it restarts', async () => {
    const relay = await startRelayApp([
      '--dev',
      '--http-bind-addr',
      '127.0.0.1:0',
      '--metrics-bind-addr',
      '127.0.0.1:0',
    ]);
    try {
      expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/?$/);
      const base = relay.url.replace(/\/$/, '');
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      expect((await fetch(`${base}/ping`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);

      // An authenticated relay client is told the relay restarts, then the connection ends.
      const client = new RelayClient({ url: relay.url, secretKey: SecretKey.generate(), reconnect: false });
      const restarting = new Promise<{ reconnectInMs: number }>((resolve) =>
        client.on('restarting', resolve),
      );
      await client.connect();
      expect(client.protocolVersion).toBe('iroh-relay-v2');
      expect(await relay.stop()).toBe(0);
      expect((await restarting).reconnectInMs).toBeGreaterThanOrEqual(0);
      client.close();
      expect(relay.stderr()).toMatch(/"msg":"stopped"/);
    } finally {
      relay.child.kill('SIGKILL');
    }
  });

  it('refuses a bad configuration with a typed, machine-readable error and exit status 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-relay-cfg-'));
    await writeFile(join(dir, 'bad.toml'), '[tls]\ncert_mode = "Magic"\n');
    const err = await run(process.execPath, [MAIN, '--config', join(dir, 'bad.toml')]).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    const line = JSON.parse(
      String((err as { stderr: string }).stderr)
        .trim()
        .split('\n')
        .pop()!,
    );
    expect(line).toMatchObject({ level: 'error', code: 'InvalidConfig' });
    expect(line.error).toMatch(/cert_mode/);
    const unknownFlag = await run(process.execPath, [MAIN, '--frobnicate']).catch((e: unknown) => e);
    expect(unknownFlag).toMatchObject({ code: 2 });
  });

  it('--help prints the usage', async () => {
    const { stdout } = await run(process.execPath, [MAIN, '--help']);
    expect(stdout).toMatch(/--http-bind-addr/);
  });
});
