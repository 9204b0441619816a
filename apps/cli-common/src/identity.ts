/** The endpoint's secret key: from `--secret-key-file` (loaded or created), or a new one per run. */
import { SecretKey } from '@iroh-ts/endpoint';
import type { Logger } from './log.js';
import { loadOrCreateSecretKey } from './secret-key-file.js';

/** The secret key to bind with; logs where it came from. */
export async function secretKeyFor(path: string | undefined, log: Logger): Promise<SecretKey> {
  if (path === undefined) return SecretKey.generate();
  const { secretKey, created, tooOpen } = await loadOrCreateSecretKey(path);
  log.info(created ? 'created a new secret key file' : 'loaded the secret key file', {
    path,
    endpointId: secretKey.public().toString(),
  });
  if (tooOpen) log.warn('the secret key file is readable by other users; chmod 600 it', { path });
  return secretKey;
}
