/**
 * Acceptance (endpoint issue, relayed): an `@iroh-ts/endpoint` Endpoint and a real iroh endpoint
 * (`@number0/iroh` 1.1.0) connect through our relay app only. The relay and both endpoints run in a
 * private network namespace whose nftables output chain drops all UDP, and each side dials the other
 * with an EndpointAddr that holds only the relay URL, in both directions. Each way: both sides
 * authenticate, a 10 MiB echo is intact (SHA-256), datagrams cross both ways, iroh reports the relay
 * path as selected and our connection reports a relayed path.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Netns, netnsSupport } from '../src/netns.js';

const SCENARIO = fileURLToPath(new URL('../scripts/endpoint-relay-scenario.mjs', import.meta.url));
const RELAY_APP = fileURLToPath(new URL('../../../apps/relay/dist/main.js', import.meta.url));
const RELAY_URL = /^http:\/\/127\.0\.0\.1:3340\/?$/;
const TEN_MIB = 10 << 20;

const support = netnsSupport({ blockUdp: true });
if (!support.ok) console.warn(`SKIP our endpoint and real iroh through our relay: ${support.reason}`);
else if (!existsSync(RELAY_APP))
  console.warn(`SKIP our endpoint and real iroh through our relay: ${RELAY_APP} is not built`);

interface Path {
  isRelay: boolean;
  isSelected: boolean;
  isIp: boolean;
  remoteAddr: string;
}

interface Direction {
  error?: string;
  dialledDirect?: string[];
  remoteIdOk?: boolean;
  serverSawUs?: boolean;
  incoming?: { kind: string; addr?: string; endpointId?: string };
  echoed?: number;
  hashOk?: boolean;
  datagram?: string | null;
  clientPaths?: Path[];
  serverPaths?: Path[];
}

interface ScenarioResult {
  ok: boolean;
  error?: string;
  relayLog?: string;
  relayUrl?: string;
  online?: { ours: string | null; iroh: string | null };
  ids?: { ours: string; iroh: string };
  udpBlocked?: boolean;
  directions?: { oursToIroh: Direction; irohToOurs: Direction };
}

async function runScenario(): Promise<{ result: ScenarioResult; udpDropped: number; stderr: string }> {
  const ns = Netns.create({ blockUdp: true });
  try {
    const spec = {
      command: [process.execPath, RELAY_APP, '--dev', '--http-bind-addr', '127.0.0.1:3340'],
      size: TEN_MIB,
    };
    const run = await ns.runNode(SCENARIO, [JSON.stringify(spec)], 240_000);
    const line = run.stdout.trim().split('\n').pop() ?? '';
    let result: ScenarioResult;
    try {
      result = JSON.parse(line) as ScenarioResult;
    } catch {
      throw new Error(`scenario printed no result:\n${run.stdout}\n${run.stderr}`);
    }
    return { result, udpDropped: ns.droppedUdpPackets(), stderr: run.stderr };
  } finally {
    ns.destroy();
  }
}

/** The relayed and direct paths of one side, for assertions with readable failures. */
const kinds = (paths: Path[] | undefined) =>
  (paths ?? []).map((p) => `${p.isRelay ? 'relay' : p.isIp ? 'ip' : 'other'}${p.isSelected ? '*' : ''}`);

describe.skipIf(!support.ok || !existsSync(RELAY_APP))(
  'our endpoint ↔ real iroh through our relay (UDP blocked)',
  () => {
    let run: { result: ScenarioResult; udpDropped: number; stderr: string };

    // One run for all the checks; runScenario deletes the namespace, and with it the relay and the
    // endpoints inside (the scenario also closes them and stops the relay itself).
    beforeAll(async () => {
      run = await runScenario();
    }, 300_000);

    it('both endpoints get online with our relay as home relay', () => {
      expect(run.result.error ?? '', `${run.result.relayLog ?? ''}\n${run.stderr}`).toBe('');
      expect(run.result.ok).toBe(true);
      expect(run.result.relayUrl).toMatch(RELAY_URL);
      expect(run.result.online?.ours).toMatch(RELAY_URL);
      expect(run.result.online?.iroh).toMatch(RELAY_URL);
    });

    it('UDP cannot pass in the namespace (a loopback probe was dropped)', () => {
      expect(run.result.udpBlocked).toBe(true);
      expect(run.udpDropped).toBeGreaterThan(0);
    });

    for (const [key, label] of [
      ['oursToIroh', 'our endpoint dials iroh'],
      ['irohToOurs', 'iroh dials our endpoint'],
    ] as const) {
      describe(label, () => {
        const dir = (): Direction => run.result.directions?.[key] ?? { error: 'no result' };

        it('by an EndpointAddr holding only the relay URL; both sides authenticate', () => {
          expect(dir().error ?? '').toBe('');
          expect(dir().dialledDirect).toEqual([]);
          expect(dir().remoteIdOk).toBe(true);
          expect(dir().serverSawUs).toBe(true);
          // The accepting side saw the connection come in through the relay, from the dialler.
          expect(dir().incoming?.kind).toBe('relay');
          expect(dir().incoming?.addr).toMatch(RELAY_URL);
          expect(dir().incoming?.endpointId).toBe(
            key === 'oursToIroh' ? run.result.ids?.ours : run.result.ids?.iroh,
          );
        });

        it('echoes 10 MiB intact (SHA-256)', () => {
          expect(dir().error ?? '').toBe('');
          expect(dir().echoed).toBe(TEN_MIB);
          expect(dir().hashOk).toBe(true);
        });

        it('sends datagrams both ways', () => {
          expect(dir().error ?? '').toBe('');
          expect(dir().datagram).toBe(key === 'oursToIroh' ? 'datagram from iroh-ts' : 'datagram from iroh');
        });

        it('iroh selects the relay path; our connection is relayed', () => {
          expect(dir().error ?? '').toBe('');
          const irohPaths = key === 'oursToIroh' ? dir().serverPaths : dir().clientPaths;
          const ourPaths = key === 'oursToIroh' ? dir().clientPaths : dir().serverPaths;
          expect(
            irohPaths?.some((p) => p.isRelay && p.isSelected),
            kinds(irohPaths).join(','),
          ).toBe(true);
          expect(
            irohPaths?.some((p) => p.isIp && p.isSelected),
            kinds(irohPaths).join(','),
          ).toBe(false);
          expect(
            ourPaths?.some((p) => p.isRelay && p.isSelected),
            kinds(ourPaths).join(','),
          ).toBe(true);
          expect(
            ourPaths?.some((p) => p.isIp),
            kinds(ourPaths).join(','),
          ).toBe(false);
          expect(ourPaths?.find((p) => p.isRelay)?.remoteAddr).toMatch(RELAY_URL);
        });
      });
    }
  },
);
