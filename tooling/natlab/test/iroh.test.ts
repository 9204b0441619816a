/**
 * Real iroh (`@number0/iroh` 1.1.0) and our endpoint through the NAT lab, eim × eim, both directions,
 * with our relay app and DNS/pkarr app in the server namespace:
 *
 * - TS → iroh: iroh in hostB (behind natB, told its public address 198.18.0.3:40000) is dialled by our
 *   endpoint in hostA with its ticket;
 * - iroh → TS: iroh in hostA (presetN0 with our relay) dials our endpoint in hostB by EndpointId alone,
 *   found through the system resolver (the lab's resolv.conf points at our DNS app).
 *
 * Each way: the connection starts on the relay, the dialler selects a direct path within 2 s of
 * connect() resolving (the time is printed), and a 4 MiB echo comes back intact (SHA-256).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatLab, natlabAvailable } from '../src/lab.js';
import {
  type IrohSide,
  irohUnavailable,
  matrixProgramsMissing,
  type RunResult,
  runOnce,
  type Services,
  startServices,
} from '../src/matrix-run.js';

const available = await natlabAvailable();
const skip = available.ok ? (matrixProgramsMissing() ?? (await irohUnavailable())) : available.reason;
if (skip !== null) console.log(`SKIP natlab iroh: ${skip}`);

/** Acceptance: a direct path selected on the dialling side within this long after connect(). */
const DIRECT_WITHIN_MS = 2000;
const MIB = 1 << 20;

describe.skipIf(skip !== null)('real iroh in the NAT lab, eim × eim', () => {
  let lab: NatLab;
  let services: Services;

  beforeAll(async () => {
    lab = await NatLab.up({ a: 'eim', b: 'eim', prefix: `nli${process.pid}-` });
    services = await startServices(lab);
  }, 40_000);

  afterAll(async () => {
    await lab?.down();
  });

  const run = (iroh: IrohSide): Promise<RunResult> =>
    runOnce(lab, services, { iroh, mib: 4, transfer: 'echo', observeMs: DIRECT_WITHIN_MS + 1000 });

  /** The checks both directions share; the dialler's report. */
  function expectDirectAndIntact(r: RunResult, what: string) {
    expect(r.error).toBeUndefined();
    const d = r.dial!;
    expect(d.error).toBeUndefined();
    expect(d.connected).toBe(true);
    // natB drops unsolicited packets: the relay carries the connection until the punch.
    expect(d.initialPath).toMatchObject({ isRelay: true });
    expect(d.initialPath?.remoteAddr).toMatch(/^http:\/\/198\.18\.0\.10:3340\/?$/);
    expect(d.direct).toBe(true);
    expect(d.timeToDirectMs).not.toBeNull();
    expect(d.timeToDirectMs!).toBeLessThanOrEqual(DIRECT_WITHIN_MS);
    // The direct path goes to B's NAT's public address.
    expect(d.paths.find((p) => p.isIp && !p.isRelay)?.remoteAddr).toMatch(/^198\.18\.0\.3:\d+$/);
    expect(d.transfer).toMatchObject({ mode: 'echo', bytes: 4 * MIB, intact: true });
    console.log(
      `natlab iroh: ${what}: direct ${d.timeToDirectMs} ms after connect() (connect ${d.connectMs} ms), ` +
        `4 MiB echo intact in ${d.transfer.ms} ms`,
    );
    return d;
  }

  it('TS → iroh: our endpoint dials iroh by ticket, a direct path within 2 s, 4 MiB echo intact', async () => {
    const r = await run('acceptor');
    const d = expectDirectAndIntact(r, 'TS → iroh');
    // Dialled by ticket: no lookups; the punched path is iroh's announced public mapping.
    expect(d.dnsOk).toBeNull();
    expect(d.paths.find((p) => p.isIp)?.remoteAddr).toBe('198.18.0.3:40000');
  }, 60_000);

  it('iroh → TS: iroh dials our endpoint by EndpointId alone, a direct path within 2 s, 4 MiB echo intact', async () => {
    const r = await run('dialler');
    const d = expectDirectAndIntact(r, 'iroh → TS');
    // The lab's resolv.conf leads the system resolver to our DNS app and our endpoint's record.
    expect(d.dnsOk).toBe(true);
    // iroh announced its public mapping (addExternalAddr): natA keeps the port.
    expect(d.candidates).toContain('198.18.0.2:40000');
    expect(r.irohLog?.errors).toBe(0);
  }, 60_000);
});
