import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretKey } from '@iroh-ts/endpoint';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecretKey, SecretKeyFileError } from '../src/secret-key-file.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'iroh-ts-cli-key-'));

describe('loadOrCreateSecretKey', () => {
  it('creates a 0600 file of 64 hex characters, then loads the same key from it', async () => {
    const path = join(await tempDir(), 'nested', 'key');
    const first = await loadOrCreateSecretKey(path);
    expect(first.created).toBe(true);
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    expect(SecretKey.fromString(text.trim()).public().equals(first.secretKey.public())).toBe(true);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateSecretKey(path);
    expect(second).toMatchObject({ created: false, tooOpen: false });
    expect(second.secretKey.public().equals(first.secretKey.public())).toBe(true);
  });

  it('two racing creators end up with one key', async () => {
    const path = join(await tempDir(), 'key');
    const [a, b] = await Promise.all([loadOrCreateSecretKey(path), loadOrCreateSecretKey(path)]);
    expect(a.secretKey.public().equals(b.secretKey.public())).toBe(true);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
  });

  it('refuses a file without a key, and reports a file others can read', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad'), 'not a key\n', { mode: 0o600 });
    const err = await loadOrCreateSecretKey(join(dir, 'bad')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretKeyFileError);
    expect((err as SecretKeyFileError).code).toBe('Invalid');
    const key = SecretKey.generate();
    await writeFile(join(dir, 'open'), Buffer.from(key.toBytes()).toString('hex'), { mode: 0o644 });
    const loaded = await loadOrCreateSecretKey(join(dir, 'open'));
    expect(loaded.secretKey.public().equals(key.public())).toBe(true);
    if (process.platform !== 'win32') expect(loaded.tooOpen).toBe(true);
  });
});
