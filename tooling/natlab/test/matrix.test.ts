/**
 * One pair of the endpoint matrix, end to end: hostA behind a port-restricted cone (eim), hostB behind a
 * symmetric NAT, our relay app and DNS/pkarr app in the server namespace. The dialler knows only B's
 * EndpointId. No UDP hole punch can get through this pair (the lab test shows it for plain UDP), so the
 * connection must come up on the relay, stay there, and carry the data intact: true before and after
 * hole punching lands in @iroh-ts/endpoint.
 */
import { describe, expect, it } from 'vitest';
import { natlabAvailable } from '../src/lab.js';
import { matrixProgramsMissing, runPair } from '../src/matrix-run.js';

const available = await natlabAvailable();
const skip = available.ok ? matrixProgramsMissing() : available.reason;
if (skip !== null) console.log(`SKIP natlab: ${skip}`);

describe.skipIf(skip !== null)('endpoint matrix in the NAT lab', () => {
  it('eim × sym: A dials B by EndpointId through the relay and 1 MiB arrives intact', async () => {
    const s = await runPair('eim', 'sym', {
      runs: 1,
      mib: 1,
      transfer: 'echo',
      observeMs: 2000,
      prefix: `nlm${process.pid}-`,
    });
    expect(s.error).toBeUndefined();
    const [run] = s.results;
    expect(run?.error).toBeUndefined();
    const d = run!.dial!;
    expect(d.error).toBeUndefined();
    // Found through our DNS server and our pkarr API, from inside hostA.
    expect(d.dnsOk).toBe(true);
    expect(d.pkarrOk).toBe(true);
    expect(d.connected).toBe(true);
    expect(d.initialPath).toMatchObject({ isRelay: true, isIp: false });
    expect(d.initialPath?.remoteAddr).toMatch(/^http:\/\/198\.18\.0\.10:3340\/?$/);
    // Symmetric × port-restricted cone: the relay is the only way, for the whole connection.
    expect(d.direct).toBe(false);
    expect(d.paths.every((p) => p.isRelay)).toBe(true);
    expect(d.transfer).toMatchObject({ mode: 'echo', bytes: 1 << 20, intact: true });
    expect(s).toMatchObject({ runs: 1, connected: 1, direct: 0, intact: 1 });
  }, 60_000);
});
