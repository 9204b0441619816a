import { X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPair, readPemFiles, ServerConfigError, selfSignedCertificate } from '../src/index.js';

describe('self-signed certificates', () => {
  it('covers every DNS name and IP address given, and matches its key', async () => {
    const pair = await selfSignedCertificate(['relay.example', '127.0.0.1', '::1']);
    const cert = new X509Certificate(pair.certPem);
    expect(cert.checkHost('relay.example')).toBe('relay.example');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkHost('other.example')).toBeUndefined();
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed
    expect(() => checkPair(pair, 'test')).not.toThrow();
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });

  it('needs at least one name', async () => {
    await expect(selfSignedCertificate([])).rejects.toThrow(ServerConfigError);
  });
});

describe('readPemFiles', () => {
  it('reads a matching pair and rejects a key of another certificate or missing files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iroh-ts-certs-'));
    const a = await selfSignedCertificate(['a.example']);
    const b = await selfSignedCertificate(['b.example']);
    await writeFile(join(dir, 'a.crt'), a.certPem);
    await writeFile(join(dir, 'a.key'), a.keyPem);
    await writeFile(join(dir, 'b.key'), b.keyPem);
    await writeFile(join(dir, 'junk.crt'), 'not a certificate');
    expect((await readPemFiles(join(dir, 'a.crt'), join(dir, 'a.key'))).certPem).toBe(a.certPem);
    const mismatch = readPemFiles(join(dir, 'a.crt'), join(dir, 'b.key'));
    await expect(mismatch).rejects.toMatchObject({ code: 'CertificateUnreadable' });
    await expect(mismatch).rejects.toThrow(/does not match/);
    await expect(readPemFiles(join(dir, 'junk.crt'), join(dir, 'a.key'))).rejects.toMatchObject({
      code: 'CertificateUnreadable',
    });
    await expect(readPemFiles(join(dir, 'missing.crt'), join(dir, 'a.key'))).rejects.toMatchObject({
      code: 'CertificateUnreadable',
    });
  });
});
