import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { IrohError } from '../src/index.js';

/** fast-check runs per decoder property: at least 10,000 in CI. */
export const FUZZ_RUNS = Number(process.env.FC_NUM_RUNS ?? 10_000);

/** Bytes from a hex string (test helper; the product's decoder is tested separately). */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Runs `fn`; passes if it returns or throws an IrohError. Anything else (TypeError, RangeError...) fails. */
export function onlyTypedErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof IrohError && typeof e.code === 'string' && e.message.length > 0) return true;
    throw e;
  }
}

/**
 * The shared spec folder beside the repository (`../shared/spec`), or `IROH_TS_SHARED_DIR/spec`.
 * Returns undefined when it is absent: a plain clone must pass without it.
 */
export function sharedSpecDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const repoRoot = resolve(here, '../../..');
  const candidates = [
    process.env.IROH_TS_SHARED_DIR ? join(process.env.IROH_TS_SHARED_DIR, 'spec') : undefined,
    join(repoRoot, '..', 'shared', 'spec'),
  ].filter((p): p is string => p !== undefined);
  return candidates.find((p) => existsSync(join(p, 'iroh-core-vectors.json')));
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** fast-check arbitrary of lowercase hex strings (fast-check 4 dropped `hexaString`). */
export function hexString(constraints: { minLength?: number; maxLength?: number } = {}) {
  return fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), ...constraints });
}
