import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IrohError } from '@iroh-ts/base';
import { expect } from 'vitest';
import { TlsAlert } from '../../src/crypto/tls/alerts.js';
import type { AlertName } from '../../src/crypto/tls/constants.js';
import { CodecError } from '../../src/proto/coding.js';

const here = dirname(fileURLToPath(import.meta.url));

/** fast-check runs per decoder: 100,000 in CI, 10,000 locally, or FC_NUM_RUNS. */
export const FUZZ_RUNS = Number(process.env.FC_NUM_RUNS ?? (process.env.CI ? 100_000 : 10_000));

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A fixture from test/fixtures. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(here, '..', 'fixtures', name), 'utf8')) as T;
}

/** The shared spec folder beside the repository, when present (never required). */
export function sharedSpecDir(): string | undefined {
  const repoRoot = resolve(here, '../../../..');
  const candidates = [
    process.env.IROH_TS_SHARED_DIR ? join(process.env.IROH_TS_SHARED_DIR, 'spec') : undefined,
    join(repoRoot, '..', 'shared', 'spec'),
  ].filter((p): p is string => p !== undefined);
  return candidates.find((p) => existsSync(join(p, 'iroh-core-vectors.json')));
}

/** Asserts that `fn` throws a TlsAlert with the given alert name. */
export function expectAlert(fn: () => unknown, name: AlertName): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a ${name} alert`).toBeInstanceOf(TlsAlert);
  expect((caught as TlsAlert).code).toBe(name);
}

/** Passes when `fn` returns or throws a TlsAlert / CodecError; rethrows anything else (TypeError, RangeError…). */
export function onlyTypedErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (
      (e instanceof TlsAlert || e instanceof CodecError) &&
      e instanceof IrohError &&
      e.message.length > 0
    ) {
      return true;
    }
    throw e;
  }
}

/** Shape of test/fixtures/tls-vectors.json. */
export interface TlsVectors {
  iroh_client_hello: { message_hex: string; random: string; extension_types: string[] };
  iroh_resumption_client_hello: { message_hex: string; extension_types: string[] };
  iroh_qad_client_hello: { message_hex: string; random: string; extension_types: string[] };
  iroh_server_hello: {
    crypto_frame_len: number;
    random: string;
    cipher_suite: string;
    extension_types: string[];
  };
  rfc8448_simple_1rtt: Record<string, string>;
  rfc8448_resumed_0rtt: { client_hello: string; early_secret: string; binder: string };
  rfc9001_initial: Record<string, string>;
}

export const vectors = fixture<TlsVectors>('tls-vectors.json');
