#!/usr/bin/env node
/**
 * A tiny UDP reflector and rendezvous server for the lab's `server` namespace (node:dgram only).
 *
 *   node dist/reflector.js [--addr 198.18.0.10] [--alt-addr 198.18.0.11] [--port 3478] [--alt-port 3479]
 *                          [--lifetime 60]
 *
 * Three sockets: addr:port (reflector and rendezvous), addr:alt-port and alt-addr:port (for the mapping
 * test). Messages are JSON datagrams:
 * - `{t:"whoami",n}` → `{t:"you",n,addr}`: the sender's address as seen here (its NAT mapping).
 * - `{t:"register",session,id,peer,local}` → once both peers of a session registered, each gets
 *   `{t:"peer",session,id,srflx,local}` with the other's mapped address and LAN candidates, at the same
 *   moment; a repeated register gets it again.
 * Prints `reflector listening on udp=<a>,<b>,<c>` when ready; exits after `--lifetime` seconds (max
 * 3600) or on SIGTERM/SIGINT.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { parseArgs } from 'node:util';

interface Registration {
  readonly id: string;
  readonly peer: string;
  readonly srflx: string;
  readonly local: readonly string[];
  readonly rinfo: RemoteInfo;
  readonly at: number;
}

const { values } = parseArgs({
  options: {
    addr: { type: 'string', default: '198.18.0.10' },
    'alt-addr': { type: 'string', default: '198.18.0.11' },
    port: { type: 'string', default: '3478' },
    'alt-port': { type: 'string', default: '3479' },
    lifetime: { type: 'string', default: '60' },
  },
  strict: true,
});
const port = Number(values.port);
const altPort = Number(values['alt-port']);
const lifetime = Math.min(Number(values.lifetime), 3600);
if (!Number.isInteger(port) || !Number.isInteger(altPort) || !(lifetime > 0)) {
  process.stderr.write('reflector: bad --port, --alt-port or --lifetime\n');
  process.exit(2);
}

const sessions = new Map<string, Map<string, Registration>>();
const sockets: Socket[] = [];

function send(sock: Socket, msg: object, to: RemoteInfo): void {
  sock.send(JSON.stringify(msg), to.port, to.address);
}

function onRegister(sock: Socket, m: Record<string, unknown>, rinfo: RemoteInfo): void {
  const { session, id, peer } = m;
  if (typeof session !== 'string' || typeof id !== 'string' || typeof peer !== 'string') return;
  const local = Array.isArray(m.local) ? m.local.filter((x): x is string => typeof x === 'string') : [];
  let regs = sessions.get(session);
  if (!regs) {
    regs = new Map();
    sessions.set(session, regs);
  }
  const firstTime = !regs.has(id);
  const me: Registration = {
    id,
    peer,
    srflx: `${rinfo.address}:${rinfo.port}`,
    local,
    rinfo,
    at: Date.now(),
  };
  regs.set(id, me);
  const other = regs.get(peer);
  if (!other) return;
  const intro = (to: Registration, about: Registration) =>
    send(sock, { t: 'peer', session, id: about.id, srflx: about.srflx, local: about.local }, to.rinfo);
  intro(me, other);
  // The other side learns about us at the same moment, the first time we show up.
  if (firstTime) intro(other, me);
}

function onMessage(sock: Socket, data: Buffer, rinfo: RemoteInfo): void {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
  } catch {
    return;
  }
  if (m.t === 'whoami') send(sock, { t: 'you', n: m.n, addr: `${rinfo.address}:${rinfo.port}` }, rinfo);
  else if (m.t === 'register' && sock === sockets[0]) onRegister(sock, m, rinfo);
}

async function bind(host: string, p: number): Promise<Socket> {
  const sock = createSocket('udp4');
  sock.on('message', (data, rinfo) => onMessage(sock, data, rinfo));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(p, host, () => resolve());
  });
  return sock;
}

function stop(code: number): never {
  for (const s of sockets) s.close();
  process.exit(code);
}

async function main(): Promise<void> {
  const where = [
    [values.addr!, port],
    [values.addr!, altPort],
    [values['alt-addr']!, port],
  ] as const;
  for (const [host, p] of where) sockets.push(await bind(host, p));
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
  setTimeout(() => stop(0), lifetime * 1000);
  // Forget sessions after a minute.
  setInterval(() => {
    for (const [key, regs] of sessions)
      if ([...regs.values()].every((r) => Date.now() - r.at > 60_000)) sessions.delete(key);
  }, 10_000).unref();
  process.stdout.write(`reflector listening on udp=${where.map(([h, p]) => `${h}:${p}`).join(',')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`reflector: ${(e as Error).message}\n`);
  process.exit(1);
});
