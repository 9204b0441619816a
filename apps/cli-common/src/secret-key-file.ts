/**
 * A persistent identity: the endpoint's secret key kept in a file, so the EndpointId (and every
 * ticket printed for it) stays the same across runs.
 *
 * The file holds the 32-byte key as 64 hex characters and a newline: the text iroh's
 * `SecretKey::from_str` (and `SecretKey.fromString`) reads, so the same file works with Rust iroh
 * programs. It is created with mode 0600 (readable by its owner only), inside a directory created
 * with mode 0700 if missing.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SecretKey } from '@iroh-ts/endpoint';

/** Why a key file could not be used. */
export class SecretKeyFileError extends Error {
  constructor(
    /** `Unreadable`, `Invalid` or `Unwritable`. */
    readonly code: 'Unreadable' | 'Invalid' | 'Unwritable',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SecretKeyFileError';
  }
}

/** What {@link loadOrCreateSecretKey} found. */
export interface LoadedSecretKey {
  readonly secretKey: SecretKey;
  /** Whether the file was just created (a new identity). */
  readonly created: boolean;
  /** Whether the file can be read by others than its owner (mode bits 0o077), on POSIX systems. */
  readonly tooOpen: boolean;
}

/**
 * Reads the secret key stored at `path`, or generates one and stores it there (mode 0600) when the
 * file does not exist. Two processes racing to create the same file end up with the same key.
 *
 * @throws {@link SecretKeyFileError} when the file cannot be read or written, or holds no valid key.
 */
export async function loadOrCreateSecretKey(path: string): Promise<LoadedSecretKey> {
  const existing = await readKeyFile(path);
  if (existing) return { ...existing, created: false };
  const secretKey = SecretKey.generate();
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // `wx`: never overwrite a key another process created in the meantime.
    await writeFile(path, `${Buffer.from(secretKey.toBytes()).toString('hex')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = await readKeyFile(path);
      if (raced) return { ...raced, created: false };
    }
    throw new SecretKeyFileError('Unwritable', `cannot create ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return { secretKey, created: true, tooOpen: false };
}

/** The key in `path`, or `undefined` when the file does not exist. */
async function readKeyFile(path: string): Promise<Omit<LoadedSecretKey, 'created'> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretKeyFileError('Unreadable', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  let secretKey: SecretKey;
  try {
    secretKey = SecretKey.fromString(text.trim());
  } catch (e) {
    throw new SecretKeyFileError('Invalid', `${path} holds no secret key (64 hex characters expected)`, {
      cause: e,
    });
  }
  const { mode } = await stat(path);
  return { secretKey, tooOpen: process.platform !== 'win32' && (mode & 0o077) !== 0 };
}
