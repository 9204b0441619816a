/**
 * The lab behaves as the recipe's table says (natlab.md §6), checked with plain UDP: a reflector in the
 * server namespace and a simultaneous punch from hostA and hostB. Needs root, iproute2, nftables and
 * conntrack; without them the suite prints `SKIP natlab: <reason>` and skips.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { NATLAB_SH, NatLab, natlabAvailable, type UpOptions } from '../src/lab.js';
import { builtProgramsMissing, punchPair, startReflector } from '../src/pair.js';

const available = await natlabAvailable();
const skip = available.ok ? builtProgramsMissing() : available.reason;
if (skip !== null) console.log(`SKIP natlab: ${skip}`);

/** Lab namespaces whose name starts with `prefix`. */
const namespacesWith = (prefix: string): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(prefix));

describe.skipIf(skip !== null)('the NAT lab (plain UDP punch)', () => {
  let lab: NatLab | null = null;
  let n = 0;
  /** A lab with a distinct prefix and the reflector running. */
  async function up(opts: UpOptions): Promise<NatLab> {
    lab = await NatLab.up({ prefix: `nlt${process.pid}-${n++}-`, ...opts });
    await startReflector(lab);
    return lab;
  }
  afterEach(async () => {
    await lab?.down();
    lab = null;
  });

  it('eim × eim: both sides punch through directly via their server-reflexive addresses', async () => {
    const l = await up({ a: 'eim', b: 'eim' });
    const status = await l.status();
    expect(status.code).toBe(0);
    expect(status.line).toMatch(/^UP .*natA=eim natB=eim hairpin=0$/);
    const { a, b } = await punchPair(l, 'eim-eim');
    // Port-preserving masquerade: one mapping for every destination, on the router's WAN address.
    expect(a).toMatchObject({ mapping: 'independent', mapped: expect.stringMatching(/^198\.18\.0\.2:/) });
    expect(b).toMatchObject({ mapping: 'independent', mapped: expect.stringMatching(/^198\.18\.0\.3:/) });
    // LAN candidates were offered but are not routable across the lab's internet.
    expect(a).toMatchObject({ result: 'direct', path: 'srflx', remote: b.mapped });
    expect(b).toMatchObject({ result: 'direct', path: 'srflx', remote: a.mapped });
  });

  it('set changes a router mode live: natB eim → sym breaks the punch, back to eim restores it', async () => {
    const l = await up({ a: 'eim', b: 'eim' });
    expect((await punchPair(l, 'live-1')).b.result).toBe('direct');
    await l.set('natB', 'sym');
    expect((await l.status()).line).toContain('natB=sym');
    const sym = await punchPair(l, 'live-2');
    expect(sym.b.mapping).toBe('dependent');
    expect([sym.a.result, sym.b.result]).toEqual(['failed', 'failed']);
    await l.set('natB', 'eim');
    const back = await punchPair(l, 'live-3');
    expect(back.b.mapping).toBe('independent');
    expect([back.a.result, back.b.result]).toEqual(['direct', 'direct']);
  });

  it('eim × sym: no direct path (the cone drops what comes from the symmetric side’s new port)', async () => {
    const l = await up({ a: 'eim', b: 'sym' });
    const { a, b } = await punchPair(l, 'eim-sym');
    expect(a.mapping).toBe('independent');
    expect(b.mapping).toBe('dependent');
    expect(a).toMatchObject({ result: 'failed', heardPeer: false });
    expect(b).toMatchObject({ result: 'failed', heardPeer: false });
  });

  it('sym × open: direct, the open side learns the symmetric side’s port as a peer-reflexive candidate', async () => {
    const l = await up({ a: 'sym', b: 'open' });
    const { a, b } = await punchPair(l, 'sym-open');
    expect(a.mapping).toBe('dependent');
    // No NAT on the open side: its mapped address is its LAN address.
    expect(b.mapped).toBe(b.local);
    expect(a).toMatchObject({ result: 'direct', path: 'srflx' });
    expect(b).toMatchObject({ result: 'direct', path: 'prflx' });
    expect(b.remote).not.toBe(a.mapped);
  });

  it('udpblock × eim: no UDP leaves hostA, while TCP to the server works', async () => {
    const l = await up({ a: 'udpblock', b: 'eim' });
    const { a, b } = await punchPair(l, 'udpblock', { rendezvousMs: 2000 });
    expect(a).toMatchObject({ result: 'no-rendezvous', mapped: null, mappedAlt: null });
    // natB lets UDP through: B reached the reflector, but A never registered.
    expect(b.mapped).toMatch(/^198\.18\.0\.3:/);
    expect(b.result).toBe('no-rendezvous');
    const server = l.spawn('server', process.execPath, [
      '-e',
      "require('net').createServer((s) => s.pipe(s)).listen(8000, '198.18.0.10', () => console.log('listening'))",
    ]);
    await server.waitLine(/^listening$/, 10_000);
    const client = l.spawn('hostA', process.execPath, [
      '-e',
      "const s = require('net').connect(8000, '198.18.0.10', () => s.end('ping')); let d = '';" +
        "s.on('data', (c) => { d += c; }); s.on('close', () => console.log('echo:' + d));",
    ]);
    await client.waitLine(/^echo:ping$/, 10_000);
  });

  it('same NAT, eim, no hairpin: srflx-only punching fails; LAN candidates go direct', async () => {
    const l = await up({ a: 'eim', shared: true });
    const srflxOnly = await punchPair(l, 'shared-1', { noLocal: true });
    expect(srflxOnly.a.mapped).toMatch(/^198\.18\.0\.2:/);
    expect(srflxOnly.b.mapped).toMatch(/^198\.18\.0\.2:/);
    expect([srflxOnly.a.result, srflxOnly.b.result]).toEqual(['failed', 'failed']);
    const lan = await punchPair(l, 'shared-2');
    expect(lan.a).toMatchObject({ result: 'direct', path: 'host', remote: lan.b.local });
    expect(lan.b).toMatchObject({ result: 'direct', path: 'host', remote: lan.a.local });
  });

  it('same NAT, eim, --hairpin: srflx-only punching goes direct through the public mappings', async () => {
    const l = await up({ a: 'eim', shared: true, hairpin: true });
    expect((await l.status()).line).toMatch(/natB=shared hairpin=1$/);
    const { a, b } = await punchPair(l, 'hairpin', { noLocal: true });
    // Each side sees the other's public mapping (RFC 4787 REQ-9), not its LAN address.
    expect(a).toMatchObject({ result: 'direct', path: 'srflx', remote: b.mapped });
    expect(b).toMatchObject({ result: 'direct', path: 'srflx', remote: a.mapped });
  });

  it('down kills every process inside (TERM, then KILL) and leaves nothing behind', async () => {
    const l = await NatLab.up({ prefix: `nlt${process.pid}-down-`, a: 'eim', b: 'eim' });
    lab = l;
    expect(namespacesWith(l.prefix).sort()).toEqual(
      ['hostA', 'hostB', 'inet', 'natA', 'natB', 'server'].map((r) => l.prefix + r).sort(),
    );
    // Started behind the lab's back (not through NatLab.spawn), one of them deaf to SIGTERM.
    const start = (ns: string, code: string) => {
      const child = spawn('bash', [NATLAB_SH, 'exec', ns, process.execPath, '-e', code], {
        env: { ...process.env, NATLAB_PREFIX: l.prefix },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const ready = new Promise((r) => child.stdout.once('data', r));
      const exit = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
      return { ready, exit };
    };
    const deaf = start(
      'hostA',
      "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)",
    );
    const polite = start('server', "console.log('up'); setInterval(() => {}, 1000)");
    await Promise.all([deaf.ready, polite.ready]);
    await l.down();
    lab = null;
    expect(await polite.exit).toBe('SIGTERM');
    expect(await deaf.exit).toBe('SIGKILL');
    expect(namespacesWith(l.prefix)).toEqual([]);
    const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns') : [];
    expect(etc.filter((d) => d.startsWith(l.prefix))).toEqual([]);
    expect((await l.status()).code).toBe(3);
  });
});
