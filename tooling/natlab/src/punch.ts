#!/usr/bin/env node
/**
 * A plain-UDP hole punch (node:dgram only), to check the lab itself. Run one in hostA and one in hostB:
 *
 *   node dist/punch.js --id A --peer B --session s1 [--no-local] [--local-port N] [--timeout 3000]
 *                      [--rendezvous-timeout 3000] [--linger 1000] [--deadline 20000]
 *                      [--server 198.18.0.10:3478] [--alt-server 198.18.0.11:3478]
 *
 * 1. Discovery: asks the reflector (./reflector.ts) and its alternate IP for our mapped address, which
 *    classifies the NAT's mapping (independent when both agree). No answer at all: the server is
 *    unreachable over UDP and the result is `no-rendezvous` at once.
 * 2. Rendezvous: registers under the session until the reflector introduces the peer: its mapped
 *    (srflx) address and its LAN (host) addresses.
 * 3. Punching: every 100 ms a punch to each candidate (host ones only without `--no-local`). A punch
 *    from an unknown address becomes a peer-reflexive (prflx) candidate; every punch is acked. Success
 *    is an ack from the peer: both directions passed without the server. Then it lingers so that the
 *    peer can finish too.
 *
 * Prints one JSON line ({@link PunchReport}) and exits 0 on success, 1 otherwise. Destinations outside
 * 10.0.0.0/8 and 198.18.0.0/15 are refused; `--deadline` bounds the whole run.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';

/** How a candidate address was learned. */
export type CandidateKind = 'host' | 'srflx' | 'prflx';

/** The JSON line punch prints. */
export interface PunchReport {
  readonly id: string;
  readonly peer: string;
  readonly session: string;
  readonly local: string;
  /** Our mapped address as the reflector saw it, and as its alternate IP saw it. */
  readonly mapped: string | null;
  readonly mappedAlt: string | null;
  readonly mapping: 'independent' | 'dependent' | 'unknown';
  readonly candidates: readonly { kind: CandidateKind; addr: string }[];
  readonly result: 'direct' | 'failed' | 'no-rendezvous';
  /** The kind of the candidate the first ack came from. */
  readonly path: CandidateKind | null;
  readonly remote: string | null;
  /** From the start of punching to the first ack. */
  readonly connectMs: number | null;
  /** Whether any punch of the peer's arrived. */
  readonly heardPeer: boolean;
  readonly reason?: string;
}

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    peer: { type: 'string' },
    session: { type: 'string' },
    server: { type: 'string', default: '198.18.0.10:3478' },
    'alt-server': { type: 'string', default: '198.18.0.11:3478' },
    'no-local': { type: 'boolean', default: false },
    'local-port': { type: 'string', default: '0' },
    timeout: { type: 'string', default: '3000' },
    'rendezvous-timeout': { type: 'string', default: '3000' },
    linger: { type: 'string', default: '1000' },
    deadline: { type: 'string', default: '20000' },
  },
  strict: true,
});
if (!values.id || !values.peer || !values.session) {
  process.stderr.write('punch: --id, --peer and --session are required\n');
  process.exit(2);
}
const me = values.id;
const peerId = values.peer;
const session = values.session;
const num = (k: keyof typeof values): number => Number(values[k]);

const allowed = (ip: string): boolean => /^10\./.test(ip) || /^198\.(18|19)\./.test(ip);
const split = (addr: string): [string, number] => {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i), Number(addr.slice(i + 1))];
};

const sock = createSocket('udp4');
const handlers = new Set<(m: Record<string, unknown>, r: RemoteInfo) => void>();
sock.on('message', (data, rinfo) => {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
  } catch {
    return;
  }
  for (const h of [...handlers]) h(m, rinfo);
});

function send(msg: object, addr: string): void {
  const [ip, port] = split(addr);
  if (!allowed(ip)) throw new Error(`refusing to send outside the lab: ${addr}`);
  sock.send(JSON.stringify(msg), port, ip);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `msg` to `to` every 200 ms until `accept` returns a value or `ms` pass (then `null`). */
async function ask<T>(
  to: string,
  msg: object,
  ms: number,
  accept: (m: Record<string, unknown>) => T | null,
): Promise<T | null> {
  let found: T | null = null;
  const h = (m: Record<string, unknown>) => {
    found ??= accept(m);
  };
  handlers.add(h);
  const end = Date.now() + ms;
  try {
    while (found === null && Date.now() < end) {
      send(msg, to);
      for (let i = 0; i < 10 && found === null; i++) await sleep(20);
    }
  } finally {
    handlers.delete(h);
  }
  return found;
}

let report: Partial<PunchReport> & { id: string } = { id: me, peer: peerId, session };
function finish(extra: Partial<PunchReport>): never {
  report = { ...report, ...extra };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  sock.close();
  process.exit(report.result === 'direct' ? 0 : 1);
}

async function main(): Promise<void> {
  setTimeout(
    () => finish({ result: report.result ?? 'failed', reason: 'deadline' }),
    num('deadline'),
  ).unref();
  await new Promise<void>((resolve) => sock.bind(num('local-port'), '0.0.0.0', resolve));
  const port = sock.address().port;
  const locals = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal)
    .map((i) => `${i!.address}:${port}`);
  report = { ...report, local: locals[0] ?? `0.0.0.0:${port}`, heardPeer: false, candidates: [] };

  // 1. Discovery.
  const whoami = (server: string, n: number) =>
    ask(server, { t: 'whoami', n }, 1000, (m) =>
      m.t === 'you' && m.n === n && typeof m.addr === 'string' ? m.addr : null,
    );
  const [mapped, mappedAlt] = await Promise.all([
    whoami(values.server!, 1),
    whoami(values['alt-server']!, 2),
  ]);
  const mapping = mapped && mappedAlt ? (mapped === mappedAlt ? 'independent' : 'dependent') : 'unknown';
  report = { ...report, mapped, mappedAlt, mapping };
  if (mapped === null) finish({ result: 'no-rendezvous', reason: 'the reflector is unreachable over UDP' });

  // 2. Rendezvous.
  const intro = await ask(
    values.server!,
    { t: 'register', session, id: me, peer: peerId, local: locals },
    num('rendezvous-timeout'),
    (m) => (m.t === 'peer' && m.session === session && m.id === peerId ? m : null),
  );
  if (!intro) finish({ result: 'no-rendezvous', reason: 'the peer did not register in time' });
  const candidates = new Map<string, CandidateKind>();
  if (typeof intro.srflx === 'string') candidates.set(intro.srflx, 'srflx');
  if (!values['no-local'] && Array.isArray(intro.local))
    for (const a of intro.local) if (typeof a === 'string' && !candidates.has(a)) candidates.set(a, 'host');
  for (const a of candidates.keys()) if (!allowed(split(a)[0])) candidates.delete(a);

  // 3. Punching.
  const started = performance.now();
  const won: { path: CandidateKind; remote: string; connectMs: number }[] = [];
  handlers.add((m, r) => {
    if (m.session !== session || m.from !== peerId) return;
    const from = `${r.address}:${r.port}`;
    if (!allowed(r.address)) return;
    if (m.t === 'punch') {
      report = { ...report, heardPeer: true };
      if (!candidates.has(from)) candidates.set(from, 'prflx');
      send({ t: 'ack', session, from: me }, from);
    } else if (m.t === 'ack' && won.length === 0) {
      won.push({
        path: candidates.get(from) ?? 'prflx',
        remote: from,
        connectMs: Math.round(performance.now() - started),
      });
    }
  });
  const snapshot = () => [...candidates].map(([addr, kind]) => ({ kind, addr }));
  // Punch until the first ack or the timeout; after an ack, keep punching and acking to let the peer finish.
  const end = Date.now() + num('timeout');
  let lingerEnd = 0;
  for (let n = 0; ; n++) {
    if (won.length === 0 ? Date.now() >= end : Date.now() >= lingerEnd) break;
    for (const addr of candidates.keys()) send({ t: 'punch', session, from: me, n }, addr);
    await sleep(100);
    if (won.length > 0 && lingerEnd === 0) lingerEnd = Date.now() + num('linger');
  }
  const first = won[0];
  if (first) finish({ result: 'direct', ...first, candidates: snapshot() });
  finish({ result: 'failed', path: null, remote: null, connectMs: null, candidates: snapshot() });
}

main().catch((e: unknown) => finish({ result: 'failed', reason: (e as Error).message }));
