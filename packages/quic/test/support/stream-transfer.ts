/**
 * Moves a large pseudo-random byte stream across a {@link Pair} without holding it in memory: the
 * writer generates blocks on the fly and hashes what it wrote, the reader hashes what it read.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '../../src/proto/connection/connection.js';
import type { Pair } from '../../src/testing/pair.js';

const BLOCK = 256 * 1024;

/** A fast deterministic byte generator (xorshift32 words). */
function blockSource(seed: number): () => Uint8Array {
  let x = seed >>> 0 || 1;
  return () => {
    const words = new Uint32Array(BLOCK / 4);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    return new Uint8Array(words.buffer);
  };
}

export interface StreamTransferResult {
  readonly sentHash: string;
  readonly receivedHash: string;
  readonly received: number;
}

/** Sends `total` bytes (a multiple of 256 KiB) from `a` to `b` on a new uni stream. */
export function streamTransfer(
  pair: Pair,
  a: Connection,
  b: Connection,
  total: number,
  seed = 1,
): StreamTransferResult {
  const next = blockSource(seed);
  const sent = createHash('sha256');
  const got = createHash('sha256');
  const id = a.openStream('uni')!;
  let block: Uint8Array | undefined;
  let blockAt = 0;
  let written = 0;
  let finished = false;
  let sid: number | undefined;
  let received = 0;
  let fin = false;
  pair.runUntil(
    () => {
      while (written < total) {
        if (!block) {
          block = next();
          sent.update(block);
          blockAt = 0;
        }
        const n = a.write(id, block.subarray(blockAt));
        if (n === 0) break;
        blockAt += n;
        written += n;
        if (blockAt === block.length) block = undefined;
      }
      if (written === total && !finished) {
        a.finish(id);
        finished = true;
      }
      sid ??= b.acceptStream('uni');
      while (sid !== undefined && !fin) {
        const r = b.read(sid);
        if (r.kind === 'data') {
          got.update(r.data);
          received += r.data.length;
        } else {
          fin = r.kind === 'fin';
          break;
        }
      }
      return fin;
    },
    { maxSteps: 100_000_000, deadline: pair.now + 24 * 3_600_000 },
  );
  return { sentHash: sent.digest('hex'), receivedHash: got.digest('hex'), received };
}
