/**
 * Acceptance (relay issue): real iroh endpoints (@number0/iroh, presetMinimal) use our relay app
 * unchanged. The relay and both endpoints run in a private network namespace whose nftables output
 * chain drops all UDP, so the endpoints cannot reach each other directly: A dials B knowing only B's
 * EndpointId and the relay URL, and everything crosses the relay. Checked: a 10 MiB echo is intact,
 * iroh reports the relay path as selected, and our relay's metrics count at least 20 MiB forwarded.
 * Repeated with shared-token access, the token given to iroh through RelayConfig.authToken.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Netns, netnsSupport } from '../src/netns.js';

const SCENARIO = fileURLToPath(new URL('../scripts/relay-only-scenario.mjs', import.meta.url));
const RELAY_APP = fileURLToPath(new URL('../../../apps/relay/dist/main.js', import.meta.url));
const TEN_MIB = 10 << 20;

const support = netnsSupport({ blockUdp: true });
if (!support.ok) console.warn(`SKIP real iroh through our relay: ${support.reason}`);

interface ScenarioResult {
  ok: boolean;
  error?: string;
  echoed?: number;
  hashOk?: boolean;
  paths?: { isRelay: boolean; isSelected: boolean; isIp: boolean; remoteAddr: string }[];
  metrics?: string;
  relayLog?: string;
}

/** The relay's `bytes_sent` counter (datagram bytes it delivered to clients). */
function bytesForwarded(metrics: string): number {
  const m = /^relayserver_bytes_sent(?:_total)? (\d+)/m.exec(metrics);
  return m ? Number(m[1]) : 0;
}

async function runThroughRelay(
  extraConfig: string,
  token?: string,
): Promise<{ result: ScenarioResult; udpDropped: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-relay-'));
  const config = join(dir, 'relay.toml');
  await writeFile(config, `metrics_bind_addr = "127.0.0.1:9090"\n${extraConfig}\n`);
  const ns = Netns.create({ blockUdp: true });
  try {
    const spec = {
      command: [
        process.execPath,
        RELAY_APP,
        '--dev',
        '--http-bind-addr',
        '127.0.0.1:3340',
        '--config',
        config,
      ],
      size: TEN_MIB,
      token,
      metricsUrl: 'http://127.0.0.1:9090/metrics',
    };
    const run = await ns.runNode(SCENARIO, [JSON.stringify(spec)], 120_000);
    const line = run.stdout.trim().split('\n').pop() ?? '';
    let result: ScenarioResult;
    try {
      result = JSON.parse(line) as ScenarioResult;
    } catch {
      throw new Error(`scenario printed no result:\n${run.stdout}\n${run.stderr}`);
    }
    return { result, udpDropped: ns.droppedUdpPackets() };
  } finally {
    ns.destroy();
  }
}

describe.skipIf(!support.ok || !existsSync(RELAY_APP))('real iroh through our relay (UDP blocked)', () => {
  it('open access: 10 MiB echo over the relay path, ≥ 20 MiB forwarded', async () => {
    const { result, udpDropped } = await runThroughRelay('');
    expect(result.error ?? '', result.relayLog).toBe('');
    expect(result.ok).toBe(true);
    expect(result.echoed).toBe(TEN_MIB);
    expect(result.hashOk).toBe(true);
    expect(result.paths?.some((p) => p.isRelay && p.isSelected)).toBe(true);
    expect(result.paths?.some((p) => p.isIp && p.isSelected)).toBe(false);
    expect(bytesForwarded(result.metrics ?? '')).toBeGreaterThanOrEqual(20 << 20);
    // The endpoints did try UDP (direct paths, address discovery), and the namespace dropped it.
    expect(udpDropped).toBeGreaterThan(0);
  }, 180_000);

  it('shared-token access: iroh passes RelayConfig.authToken and gets through', async () => {
    const { result } = await runThroughRelay('access.shared_token = ["s3cret-token"]', 's3cret-token');
    expect(result.error ?? '', result.relayLog).toBe('');
    expect(result.hashOk).toBe(true);
    expect(result.paths?.some((p) => p.isRelay && p.isSelected)).toBe(true);
    expect(bytesForwarded(result.metrics ?? '')).toBeGreaterThanOrEqual(20 << 20);
  }, 180_000);

  it('shared-token access: a wrong token is refused, so no connection forms', async () => {
    const { result } = await runThroughRelay('access.shared_token = ["s3cret-token"]', 'wrong-token');
    expect(result.error).toMatch(/did not get online/);
    expect(result.ok).toBe(false);
  }, 180_000);
});
