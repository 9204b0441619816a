import { Connection, type ConnectionOptions } from '../../src/proto/connection/connection.js';
import type { ConnectionEvent } from '../../src/proto/connection/events.js';
import { type LinkConfig, Pair, seededRandom } from '../../src/testing/pair.js';
import { ScriptedCrypto } from './scripted-crypto.js';

export interface MakePairOptions {
  seed?: number;
  link?: Partial<LinkConfig>;
  client?: Partial<ConnectionOptions>;
  server?: Partial<ConnectionOptions>;
}

/** A client and a server joined by a simulated link, using the scripted handshake. */
export function makePair(opts: MakePairOptions = {}): { pair: Pair; client: Connection; server: Connection } {
  const random = seededRandom(opts.seed ?? 7);
  const addrs: [string, string] = ['10.0.0.1:1000', '10.0.0.2:2000'];
  const clientCid = random(8);
  const initialDcid = random(20);
  const client = new Connection({
    side: 'client',
    now: 0,
    random,
    remote: addrs[1],
    localCid: clientCid,
    remoteCid: initialDcid,
    createCrypto: (tp) => new ScriptedCrypto('client', tp),
    ...opts.client,
  });
  const server = new Connection({
    side: 'server',
    now: 0,
    random,
    remote: addrs[0],
    localCid: random(8),
    remoteCid: clientCid,
    originalDcid: initialDcid,
    statelessResetToken: random(16),
    createCrypto: (tp) => new ScriptedCrypto('server', tp),
    ...opts.server,
  });
  const pair = new Pair(client, server, { seed: opts.seed ?? 7, link: opts.link, addrs });
  return { pair, client, server };
}

/** Drains a connection's events into `log` and returns them. */
export function events(c: Connection, log: ConnectionEvent[] = []): ConnectionEvent[] {
  for (let e = c.pollEvent(); e; e = c.pollEvent()) log.push(e);
  return log;
}

/** Reads everything currently available from a stream into `sink`; returns true at FIN. */
export function readAvailable(c: Connection, id: number, sink: Uint8Array[]): boolean {
  for (;;) {
    const r = c.read(id);
    if (r.kind === 'data') sink.push(r.data);
    else return r.kind === 'fin';
  }
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Sends `data` from a to b on a new uni stream and returns what b read. `onStep` runs at every step
 * with the number of bytes b has received so far (to change the network mid-transfer).
 */
export function transfer(
  pair: Pair,
  a: Connection,
  b: Connection,
  data: Uint8Array,
  onStep?: (received: number) => void,
): Uint8Array {
  const id = a.openStream('uni')!;
  let written = 0;
  let finished = false;
  let sid: number | undefined;
  const got: Uint8Array[] = [];
  let received = 0;
  let counted = 0;
  pair.runUntil(
    () => {
      if (written < data.length) written += a.write(id, data.subarray(written));
      if (written === data.length && !finished) {
        a.finish(id);
        finished = true;
      }
      onStep?.(received);
      sid ??= b.acceptStream('uni');
      const done = sid !== undefined && readAvailable(b, sid, got);
      for (; counted < got.length; counted++) received += got[counted]!.length;
      return done;
    },
    { maxSteps: 5_000_000, deadline: pair.now + 3_600_000 },
  );
  return concat(got);
}
