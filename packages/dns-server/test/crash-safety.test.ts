/**
 * A PUT answered 204 by a server on an LmdbStore must survive `kill -9` right after the answer: 100 times, a
 * child process serves the store, takes a few concurrent PUTs and is SIGKILLed as soon as the first 204
 * arrives; the next child on the same directory must serve every packet acknowledged with 204 byte for byte,
 * and for a PUT cut off by the kill, either its packet or the one before it (never anything else).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { equalBytes, SecretKey } from '@iroh-ts/base';
import { afterAll, describe, expect, it } from 'vitest';
import type { SignedPacket } from '../src/index.js';
import { packet } from './support/store-contract.js';

const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, 'support/lmdb-crash-child.mjs');
const distEntry = resolve(here, '../dist/server/index.js');
const ITERATIONS = 100;
/** Concurrent PUTs per child. */
const CONCURRENT_PUTS = 3;

const dir = mkdtempSync(join(tmpdir(), 'iroh-dns-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A child process, booted but not yet serving until {@link Child.go}. */
interface Child {
  readonly proc: ChildProcess;
  /** Tells the child to open the store and serve; resolves to its relay URL. */
  go(): Promise<string>;
}

/** Boots a child server for `dir` (it loads the package, then waits for {@link Child.go}). */
function spawnChild(): Child {
  const proc = spawn(process.execPath, [childScript, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: proc.stdout! });
  const url = new Promise<string>((res, rej) => {
    lines.once('line', (line) => res((JSON.parse(line) as { url: string }).url));
    proc.once('exit', (code) => rej(new Error(`child exited with ${code}\n${stderr}`)));
  });
  url.catch(() => {}); // observed through go()
  return {
    proc,
    go() {
      proc.stdin!.write('go\n');
      return url;
    },
  };
}

async function kill9(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.kill('SIGKILL');
  await exited;
}

describe('LmdbStore crash safety', () => {
  it(`keeps every 204-acknowledged PUT across ${ITERATIONS} SIGKILLs`, async () => {
    expect(existsSync(distEntry), `${distEntry} is missing: build the package first (npx tsc -b)`).toBe(true);
    // a pool of signers, so some PUTs insert and some replace an earlier packet of the same key
    const signers = Array.from({ length: 20 }, () => SecretKey.generate());
    const expected = new Map<string, SignedPacket>();
    // the next child boots while the current one serves; only one ever has the store open
    const booting = [spawnChild()];
    let child = spawnChild();
    let url = await child.go();
    let timestamp = BigInt(Date.now()) * 1000n;
    let acknowledged = 0;
    try {
      for (let i = 0; i < ITERATIONS; i++) {
        // distinct signers per round, so each PUT's outcome can be checked on its own
        const round = [...signers].sort(() => Math.random() - 0.5).slice(0, CONCURRENT_PUTS);
        const batch = round.map((signer, j) => {
          timestamp += BigInt(1 + Math.floor(Math.random() * 1000));
          const value = `relay=https://r${i}-${j}-${Math.random().toString(36).slice(2)}.example./`;
          return { z32: signer.public().toZ32(), p: packet(signer, timestamp, value) };
        });
        const puts = batch.map(({ z32, p }) =>
          fetch(`${url}/${z32}`, { method: 'PUT', body: p.relayPayload }).then(
            (r) => r.status,
            () => 0, // cut off by the kill
          ),
        );
        const first204 = Promise.any(puts.map((s) => s.then((st) => (st === 204 ? st : Promise.reject()))));
        const killed = first204.then(() => kill9(child));
        const statuses = await Promise.all(puts);
        await killed.catch(() => {});
        expect(statuses, `iteration ${i}: some PUT must be acknowledged`).toContain(204);
        await kill9(child);

        child = booting.shift()!;
        booting.push(spawnChild());
        url = await child.go();
        for (const [j, { z32, p }] of batch.entries()) {
          const got = await fetch(`${url}/${z32}`);
          const body = got.status === 200 ? new Uint8Array(await got.arrayBuffer()) : undefined;
          const before = expected.get(z32);
          if (statuses[j] === 204) {
            expect(body, `iteration ${i}: acknowledged PUT ${j} lost`).toEqual(p.relayPayload);
            expected.set(z32, p);
          } else if (body !== undefined && equalBytes(body, p.relayPayload)) {
            expected.set(z32, p); // cut off after the commit: kept, fine
          } else {
            expect(body, `iteration ${i}: PUT ${j} left neither packet`).toEqual(before?.relayPayload);
          }
        }
        acknowledged += statuses.filter((st) => st === 204).length;
      }
      expect(acknowledged).toBeGreaterThanOrEqual(ITERATIONS);
      // and nothing acknowledged earlier was lost either
      for (const [z32, p] of expected) {
        const got = await fetch(`${url}/${z32}`);
        expect(new Uint8Array(await got.arrayBuffer())).toEqual(p.relayPayload);
      }
    } finally {
      await Promise.all([child, ...booting].map(kill9));
    }
  });
});
