/**
 * Rebinding mid-transfer (hole-punching issue acceptance): hostA (eim) dials hostB (eim) by EndpointId,
 * punches a direct path, and while a transfer runs natA becomes symmetric (its conntrack is flushed, so
 * every mapping changes; flushing under eim alone would keep the same ports). The direct path dies; the
 * connection falls back to the relay (whose TCP connection breaks too and reconnects), refreshes its
 * public address and runs a new NAT traversal round (which cannot succeed for sym × eim), and no byte is
 * lost.
 */
import { describe, expect, it } from 'vitest';
import { NatLab, natlabAvailable } from '../src/lab.js';
import { matrixProgramsMissing, PEER_JS, startServices } from '../src/matrix-run.js';
import type { DialReport } from '../src/peer.js';

const available = await natlabAvailable();
const skip = available.ok ? matrixProgramsMissing() : available.reason;
if (skip !== null) console.log(`SKIP natlab rebind: ${skip}`);

describe.skipIf(skip !== null)('NAT rebinding in the lab', () => {
  it('natA eim → sym mid-transfer: direct, then the relay, and the data arrives intact', async () => {
    const lab = await NatLab.up({ a: 'eim', b: 'eim', prefix: `nlr${process.pid}-` });
    try {
      const services = await startServices(lab);
      const common = ['--relay', services.relayUrl, '--ca', services.caPath, '--pkarr', services.pkarrUrl];
      const b = lab.spawnNode('hostB', PEER_JS, ['accept', ...common, '--lifetime', '300']);
      const ready = await b.waitLine(/^\{"event":"ready".*$/, 60_000);
      const id = (JSON.parse(ready[0]) as { id: string }).id;
      const a = lab.spawnNode('hostA', PEER_JS, [
        'dial',
        ...common,
        '--id',
        id,
        '--dns',
        services.dnsAddr,
        '--origin',
        services.origin,
        '--mib',
        '24',
        '--transfer',
        'echo',
        '--pause-at-mib',
        '8',
        '--observe-ms',
        '1000',
        '--deadline',
        '200000',
      ]);
      const paused = await a.waitLine(/^\{"event":"paused".*$/, 60_000);
      expect(JSON.parse(paused[0])).toMatchObject({ direct: true });
      await lab.set('natA', 'sym');
      a.child.kill('SIGUSR2');
      await a.exited(190_000);
      const d = a.jsonLines<DialReport>().find((l) => l.event === 'result');
      expect(d, a.output()).toBeDefined();
      console.log(`rebind: paths ${JSON.stringify(d!.paths)}\nevents ${d!.events.join(' | ')}`);
      expect(d!.error).toBeUndefined();
      expect(d!.connected).toBe(true);
      // Direct before the change, then back on the relay after it.
      const firstDirect = d!.paths.findIndex((p) => p.isIp && !p.isRelay);
      expect(firstDirect).toBeGreaterThanOrEqual(0);
      expect(d!.paths.slice(firstDirect + 1).some((p) => p.isRelay)).toBe(true);
      // It punched again after losing the direct path (this pair can no longer punch: sym × eim).
      const resumed = d!.events.findIndex((e) => e.endsWith(' resumed'));
      expect(
        d!.events.slice(resumed + 1).some((e) => / nat-round /.test(e)),
        d!.events.join(' | '),
      ).toBe(true);
      // Every byte came back.
      expect(d!.transfer).toMatchObject({ mode: 'echo', bytes: 24 << 20, intact: true });
      await b.stop(2000);
    } finally {
      await lab.down();
    }
  }, 240_000);
});
