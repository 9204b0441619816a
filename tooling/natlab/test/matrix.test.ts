/**
 * The endpoint matrix in the NAT lab, as the hole-punching issue accepts it (fewer runs than the
 * committed results/matrix.md, which `pnpm --filter @iroh-ts/natlab matrix --runs 10` writes): our
 * relay app (with QUIC address discovery) and DNS/pkarr app in the server namespace, our endpoints in
 * hostA and hostB, the dialler knowing only B's EndpointId.
 *
 * - Every pair where plain UDP punching works ends on a direct path within 1 s of connect(), with the
 *   data intact: eim×eim, none×eim, fullcone×sym, sym×open, same NAT over the LAN, and same NAT through
 *   the router's hairpin with LAN candidates left out.
 * - A 50 MiB transfer that starts on the relay and moves to the direct path arrives intact.
 * - Every other pair stays connected through the relay with the data intact: eim×sym, sym×sym, and UDP
 *   blocked on either side.
 */
import { describe, expect, it } from 'vitest';
import type { NatMode } from '../src/lab.js';
import { natlabAvailable } from '../src/lab.js';
import { matrixProgramsMissing, runPair, type Variant } from '../src/matrix-run.js';

const available = await natlabAvailable();
const skip = available.ok ? matrixProgramsMissing() : available.reason;
if (skip !== null) console.log(`SKIP natlab: ${skip}`);

const RUNS = 2;
const DIRECT: [NatMode, NatMode, Variant][] = [
  ['eim', 'eim', 'split'],
  ['none', 'eim', 'split'],
  ['fullcone', 'sym', 'split'],
  ['sym', 'open', 'split'],
  ['eim', 'eim', 'same'],
  ['eim', 'eim', 'hairpin'],
];
const RELAYED: [NatMode, NatMode][] = [
  ['eim', 'sym'],
  ['sym', 'sym'],
  ['udpblock', 'eim'],
  ['eim', 'udpblock'],
];
const name = (a: NatMode, b: NatMode, v: Variant) => (v === 'split' ? `${a} × ${b}` : `${v} NAT (${a})`);

describe.skipIf(skip !== null)('endpoint matrix in the NAT lab', () => {
  for (const [a, b, variant] of DIRECT) {
    it(`${name(a, b, variant)}: direct within 1 s in ${RUNS}/${RUNS} runs, data intact`, async () => {
      const s = await runPair(a, b, {
        variant,
        runs: RUNS,
        mib: 1,
        transfer: 'echo',
        observeMs: 3000,
        prefix: `nlm${process.pid}-`,
      });
      expect(s.error).toBeUndefined();
      for (const r of s.results) {
        expect(r.error, r.error).toBeUndefined();
        const d = r.dial!;
        expect(d.error, JSON.stringify(d.events)).toBeUndefined();
        expect(d.connected).toBe(true);
        expect(d.direct, `no direct path: ${JSON.stringify(d.events)}`).toBe(true);
        expect(d.timeToDirectMs!).toBeLessThanOrEqual(1000);
        expect(d.transfer).toMatchObject({ mode: 'echo', bytes: 1 << 20, intact: true });
      }
      console.log(`natlab ${name(a, b, variant)}: time to direct ${s.timesToDirectMs.join(', ')} ms`);
    }, 120_000);
  }

  it('eim × eim: a 50 MiB transfer that starts on the relay and moves to the direct path arrives intact', async () => {
    const s = await runPair('eim', 'eim', {
      runs: 1,
      mib: 50,
      transfer: 'sink',
      observeMs: 3000,
      prefix: `nlm${process.pid}-`,
    });
    expect(s.error).toBeUndefined();
    const d = s.results[0]!.dial!;
    expect(d.error, JSON.stringify(d.events)).toBeUndefined();
    // The transfer begins as soon as connect() resolves, on the relay; the path changes under it.
    expect(d.initialPath).toMatchObject({ isRelay: true });
    expect(d.direct).toBe(true);
    expect(d.timeToDirectMs!).toBeLessThan(d.transfer.ms!);
    expect(d.transfer).toMatchObject({ mode: 'sink', bytes: 50 << 20, intact: true });
  }, 180_000);

  for (const [a, b] of RELAYED) {
    it(`${a} × ${b}: stays connected through the relay, data intact`, async () => {
      const s = await runPair(a, b, {
        runs: 1,
        mib: 1,
        transfer: 'echo',
        observeMs: 2000,
        prefix: `nlm${process.pid}-`,
      });
      expect(s.error).toBeUndefined();
      const d = s.results[0]!.dial!;
      expect(d.error).toBeUndefined();
      expect(d.pkarrOk).toBe(true);
      expect(d.connected).toBe(true);
      expect(d.initialPath).toMatchObject({ isRelay: true, isIp: false });
      expect(d.initialPath?.remoteAddr).toMatch(/^http:\/\/198\.18\.0\.10:3340\/?$/);
      expect(d.direct).toBe(false);
      expect(d.paths.every((p) => p.isRelay)).toBe(true);
      expect(d.transfer).toMatchObject({ mode: 'echo', bytes: 1 << 20, intact: true });
    }, 120_000);
  }
});
