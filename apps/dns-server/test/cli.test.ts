/**
 * The built CLI end to end: `--dev` on ephemeral loopback ports, a packet we sign PUT over HTTP, then
 * read back with `dig` over UDP and TCP, with DoH GET and POST and the pkarr GET; SIGTERM; bad
 * configurations.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { base64UrlEncode } from '@iroh-ts/dns-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointPacket, keyFrom, putPacket, txtAnswers, txtQuery } from './support/packets.js';
import { type AppProcess, dig, digSkipReason, MAIN, startApp } from './support/process.js';

const run = promisify(execFile);
const RELAY = 'https://relay.example.com./';
const ADDR = '192.0.2.7:4433';

const digSkip = digSkipReason();
if (digSkip) console.warn(`SKIP dig checks in apps/dns-server cli.test.ts: ${digSkip}`);

describe('iroh-ts-dns-server --dev', () => {
  let app: AppProcess;
  const key = keyFrom(7);
  const packet = endpointPacket(key, RELAY, ADDR);
  const name = () => `_iroh.${packet.z32}.${app.origin}`;

  beforeAll(async () => {
    app = await startApp(['--dev', '--http-bind-addr', '127.0.0.1:0', '--dns-bind-addr', '127.0.0.1:0']);
  });
  afterAll(() => {
    app?.child.kill('SIGKILL');
  });

  it('prints the start line first, with the bound loopback addresses and the first origin', () => {
    expect(app.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.dnsHost).toBe('127.0.0.1');
    expect(app.dnsPort).toBeGreaterThan(0);
    expect(app.origin).toBe('irohdns.example.');
    const started = app.logs().find((l) => l.msg === 'dns-server started');
    expect(started).toMatchObject({ level: 'info', store: 'memory', rateLimit: 'disabled' });
  });

  it('accepts a signed packet and serves it back over the pkarr API', async () => {
    expect(await putPacket(app.http, packet)).toBe(204);
    // The rate limit is off in --dev: many PUTs in a row from one client all succeed.
    for (let i = 0; i < 5; i++) expect(await putPacket(app.http, packet)).toBe(204);
    const res = await fetch(`${app.http}/pkarr/${packet.z32}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-pkarr-signed-packet');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(packet.toRelayPayload());
  });

  it.skipIf(digSkip !== null)('answers dig over UDP with the TXT records', () => {
    const out = dig([`@${app.dnsHost}`, '-p', String(app.dnsPort), '+noall', '+answer', 'TXT', name()]);
    // Owner name, TTL (the publisher's 30 s), class, type, data; dig separates them by tabs or spaces.
    const records = out
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(records.sort()).toEqual([
      [name(), '30', 'IN', 'TXT', `"addr=${ADDR}"`],
      [name(), '30', 'IN', 'TXT', `"relay=${RELAY}"`],
    ]);
  });

  it.skipIf(digSkip !== null)('answers dig over TCP with the same records', () => {
    const out = dig([`@${app.dnsHost}`, '-p', String(app.dnsPort), '+tcp', '+short', 'TXT', name()]);
    expect(out.trim().split('\n').sort()).toEqual([`"addr=${ADDR}"`, `"relay=${RELAY}"`]);
  });

  it.skipIf(digSkip !== null)('answers NXDOMAIN with the SOA for an unknown key', () => {
    const other = endpointPacket(keyFrom(8), RELAY);
    const out = dig([
      `@${app.dnsHost}`,
      '-p',
      String(app.dnsPort),
      'TXT',
      `_iroh.${other.z32}.${app.origin}`,
    ]);
    expect(out).toMatch(/status: NXDOMAIN/);
    expect(out).toMatch(/irohdns\.example\.\s+\d+\s+IN\s+SOA/);
  });

  it('answers DoH GET (RFC 8484, ?dns=) and POST', async () => {
    const query = txtQuery(name());
    const get = await fetch(`${app.http}/dns-query?dns=${base64UrlEncode(query)}`, {
      headers: { accept: 'application/dns-message' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/dns-message');
    expect(txtAnswers(new Uint8Array(await get.arrayBuffer())).sort()).toEqual([
      `addr=${ADDR}`,
      `relay=${RELAY}`,
    ]);

    const post = await fetch(`${app.http}/dns-query`, {
      method: 'POST',
      headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message' },
      body: query,
    });
    expect(post.status).toBe(200);
    expect(txtAnswers(new Uint8Array(await post.arrayBuffer())).sort()).toEqual([
      `addr=${ADDR}`,
      `relay=${RELAY}`,
    ]);
  });

  it('stops on SIGTERM with exit status 0', async () => {
    expect(await app.stop()).toBe(0);
    expect(app.logs().map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  });
});

describe('iroh-ts-dns-server --config', () => {
  it('applies the file: rate-limited PUTs (429 after the burst), origins, metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-'));
    const config = join(dir, 'dns.toml');
    await writeFile(
      config,
      [
        'pkarr_put_rate_limit = "simple"',
        '[http]',
        'port = 0',
        'bind_addr = "127.0.0.1"',
        '[dns]',
        'port = 0',
        'bind_addr = "127.0.0.1"',
        'origins = ["dns.example.org.", "."]',
        'rr_ns = "ns1.dns.example.org."',
        '[metrics]',
        'bind_addr = "127.0.0.1:0"',
        '[store]',
        'backend = "memory"',
        '[zone_store]',
        'eviction = "7days"',
        'eviction_interval = "10s"',
        '',
      ].join('\n'),
    );
    const app = await startApp(['--config', config]);
    try {
      expect(app.origin).toBe('dns.example.org.');
      const statuses: number[] = [];
      for (const byte of [1, 2, 3])
        statuses.push(await putPacket(app.http, endpointPacket(keyFrom(byte), RELAY)));
      expect(statuses).toEqual([204, 204, 429]);
      const started = app.logs().find((l) => l.msg === 'dns-server started');
      expect(started).toMatchObject({ rateLimit: 'simple', store: 'memory' });
      expect(started?.https).toBeUndefined();
      const metrics = await (await fetch(String(started?.metrics))).text();
      expect(metrics).toMatch(/^dns_server_pkarr_publish_update(_total)? 2$/m);
      expect(metrics).toMatch(/^dns_server_http_rate_limited(_total)? 1$/m);
      if (!digSkip) {
        const out = dig(['@127.0.0.1', '-p', String(app.dnsPort), '+short', 'NS', 'dns.example.org.']);
        expect(out.trim()).toBe('ns1.dns.example.org.');
      }
      expect(await app.stop()).toBe(0);
    } finally {
      app.child.kill('SIGKILL');
    }
  });

  it('[mainline] enabled: the DHT fallback starts (bootstrapping through the configured node)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-'));
    const config = join(dir, 'dns.toml');
    await writeFile(
      config,
      '[http]\nport = 0\nbind_addr = "127.0.0.1"\n[dns]\nport = 0\nbind_addr = "127.0.0.1"\n[metrics]\ndisabled = true\n' +
        '[store]\nbackend = "memory"\n[mainline]\nenabled = true\nbootstrap = ["127.0.0.1:9"]\n',
    );
    const app = await startApp(['--config', config]);
    try {
      expect(app.logs().find((l) => l.msg === 'dns-server started')).toMatchObject({ mainline: true });
      expect(await app.stop()).toBe(0);
    } finally {
      app.child.kill('SIGKILL');
    }
  });

  it('--origin replaces the configured origins', async () => {
    const app = await startApp([
      '--dev',
      '--http-bind-addr',
      '127.0.0.1:0',
      '--dns-bind-addr',
      '127.0.0.1:0',
      '--origin',
      'iroh.test',
      '--origin',
      'backup.test.',
    ]);
    try {
      expect(app.origin).toBe('iroh.test.');
      const packet = endpointPacket(keyFrom(9), RELAY);
      expect(await putPacket(app.http, packet)).toBe(204);
      for (const origin of ['iroh.test.', 'backup.test.']) {
        const res = await fetch(`${app.http}/dns-query?name=_iroh.${packet.z32}.${origin}&type=TXT`, {
          headers: { accept: 'application/dns-json' },
        });
        const json = (await res.json()) as { Answer?: { data: string }[] };
        expect(json.Answer?.map((a) => a.data)).toEqual([expect.stringContaining(`relay=${RELAY}`)]);
      }
    } finally {
      await app.stop();
    }
  });
});

describe('iroh-ts-dns-server refuses bad input', () => {
  async function failing(args: string[]): Promise<{ code: number; line: Record<string, unknown> }> {
    const err = (await run(process.execPath, [MAIN, ...args]).then(
      () => ({ code: 0, stderr: '' }),
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    const last = err.stderr.trim().split('\n').pop() ?? '';
    return {
      code: err.code,
      line: last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : {},
    };
  }

  it('a bad value in the file: exit 1 with a typed JSON error naming the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-bad-'));
    await writeFile(join(dir, 'bad.toml'), '[https]\ncert_mode = "magic"\n');
    const { code, line } = await failing(['--config', join(dir, 'bad.toml')]);
    expect(code).toBe(1);
    expect(line).toMatchObject({ level: 'error', app: 'iroh-ts-dns-server', code: 'InvalidConfig' });
    expect(line.error).toMatch(/https\.cert_mode/);
  });

  it('invalid TOML, a missing file, a bad rate-limit mode and a bad origin are all typed errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-dns-bad-'));
    await writeFile(join(dir, 'broken.toml'), '[dns\nport = 1\n');
    await writeFile(join(dir, 'rl.toml'), 'pkarr_put_rate_limit = "sometimes"\n');
    expect(await failing(['--config', join(dir, 'broken.toml')])).toMatchObject({
      code: 1,
      line: { code: 'InvalidConfig', error: expect.stringMatching(/not valid TOML/) },
    });
    expect(await failing(['--config', join(dir, 'missing.toml')])).toMatchObject({
      code: 1,
      line: { code: 'InvalidConfig', error: expect.stringMatching(/cannot read/) },
    });
    expect(await failing(['--config', join(dir, 'rl.toml')])).toMatchObject({
      code: 1,
      line: { code: 'InvalidConfig', error: expect.stringMatching(/pkarr_put_rate_limit/) },
    });
    expect(await failing(['--dev', '--dns-bind-addr', '127.0.0.1:0', '--origin', 'a..b'])).toMatchObject({
      code: 1,
      line: { code: 'InvalidOrigin' },
    });
    expect(await failing(['--dev', '--http-bind-addr', 'localhost'])).toMatchObject({
      code: 1,
      line: { code: 'InvalidConfig', error: expect.stringMatching(/--http-bind-addr/) },
    });
  });

  it('a port in use: exit 1 with the system error code', async () => {
    const busy = createSocket('udp4');
    await new Promise<void>((resolve) => busy.bind(0, '127.0.0.1', () => resolve()));
    try {
      const port = busy.address().port;
      expect(
        await failing(['--dev', '--http-bind-addr', '127.0.0.1:0', '--dns-bind-addr', `127.0.0.1:${port}`]),
      ).toMatchObject({
        code: 1,
        line: { code: 'EADDRINUSE' },
      });
    } finally {
      busy.close();
    }
  });

  it('an unknown flag exits 2 with the usage; --help prints it', async () => {
    const err = (await run(process.execPath, [MAIN, '--frobnicate']).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/Usage: iroh-ts-dns-server/);
    const { stdout } = await run(process.execPath, [MAIN, '--help']);
    expect(stdout).toMatch(/--dns-bind-addr/);
  });
});
