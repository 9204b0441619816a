import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared spec vectors, or `undefined` when `../shared` is not next to the repository. */
export function loadSharedVectors(): Record<string, unknown> | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const path = join(here, '..', '..', '..', '..', '..', 'shared', 'spec', 'iroh-core-vectors.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The relay_* vectors, from the copy in test/fixtures (checked against the shared file when present). */
export function loadCoreVectors(): Record<string, unknown> {
  const here = dirname(fileURLToPath(import.meta.url));
  return JSON.parse(readFileSync(join(here, '..', 'fixtures', 'relay-vectors.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Hex (whitespace allowed) to bytes. */
export function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

/** Bytes to lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Deep copy of `value` with every `PublicKey`/`Signature`-like object (has `toBytes`) as hex, for `toEqual`. */
export function norm(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (value !== null && typeof value === 'object') {
    const withBytes = value as { toBytes?: () => Uint8Array };
    if (typeof withBytes.toBytes === 'function') return `key:${toHex(withBytes.toBytes())}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, norm(v)]));
  }
  return value;
}
