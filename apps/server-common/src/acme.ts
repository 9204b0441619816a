/**
 * Certificates from an ACME CA (Let's Encrypt, or any RFC 8555 server) through the HTTP-01
 * challenge, answered by the app's own plain-HTTP listener. Certificates, keys and the account key
 * are kept in a directory so restarts reuse them; a timer renews a certificate well before it
 * expires and hands the new one to the running HTTPS server.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'node:https';
import { join } from 'node:path';
import * as acme from 'acme-client';
import type { PemKeyPair } from './certs.js';
import { ServerConfigError } from './errors.js';
import type { Logger } from './log.js';

/** Let's Encrypt directory URLs. */
export const LETS_ENCRYPT = {
  production: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

/** Options of {@link AcmeCertificates}. */
export interface AcmeOptions {
  /** The names the certificate is for (the first is the common name). */
  readonly hostnames: readonly string[];
  /** The ACME directory URL. */
  readonly directoryUrl: string;
  /** Contact email for the ACME account. */
  readonly contact?: string | undefined;
  /** Where the account key, certificate and key are kept. */
  readonly certDir: string;
  /** Extra CA certificates (PEM) to trust for the ACME server's own HTTPS (e.g. a test CA). */
  readonly directoryCaPem?: string | undefined;
  /** Renew when less than this many days remain. Default 30. */
  readonly renewBeforeDays?: number | undefined;
  /** How often to check for renewal, ms. Default 12 h. */
  readonly checkIntervalMs?: number | undefined;
  readonly logger?: Logger | undefined;
}

const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/** Obtains, stores, serves challenges for, and renews one ACME certificate. */
export class AcmeCertificates {
  readonly #opts: AcmeOptions;
  readonly #tokens = new Map<string, string>();
  #current: PemKeyPair | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #listeners: ((pair: PemKeyPair) => void)[] = [];

  constructor(opts: AcmeOptions) {
    if (opts.hostnames.length === 0)
      throw new ServerConfigError('InvalidConfig', 'ACME needs at least one hostname (tls.hostname)');
    this.#opts = opts;
  }

  /** The certificate in use, once {@link obtain} has run. */
  get current(): PemKeyPair | undefined {
    return this.#current;
  }

  /**
   * Answers `GET /.well-known/acme-challenge/<token>` for pending challenges. Returns false for any
   * other request, which the caller then serves as usual.
   */
  handleChallenge(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(CHALLENGE_PREFIX)) return false;
    const answer = this.#tokens.get(path.slice(CHALLENGE_PREFIX.length));
    if (answer === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such challenge');
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(answer);
    }
    return true;
  }

  /** Calls `fn` with every renewed certificate. */
  onRenewed(fn: (pair: PemKeyPair) => void): void {
    this.#listeners.push(fn);
  }

  /**
   * Returns a valid certificate: the stored one while it has more than `renewBeforeDays` left,
   * otherwise a new one from the CA (the challenge listener must already be serving).
   *
   * @throws {@link ServerConfigError} `AcmeFailed`.
   */
  async obtain(): Promise<PemKeyPair> {
    const stored = await this.#load();
    if (stored && !this.#dueForRenewal(stored)) {
      this.#current = stored;
      return stored;
    }
    const fresh = await this.#issue();
    this.#current = fresh;
    return fresh;
  }

  /** Starts the renewal timer. */
  startRenewal(): void {
    this.#timer ??= setInterval(
      () => {
        void this.#renewIfDue();
      },
      this.#opts.checkIntervalMs ?? 12 * 3_600_000,
    );
    this.#timer.unref();
  }

  /** Stops the renewal timer. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #renewIfDue(): Promise<void> {
    if (this.#current && !this.#dueForRenewal(this.#current)) return;
    try {
      const pair = await this.#issue();
      this.#current = pair;
      for (const fn of this.#listeners) fn(pair);
    } catch (e) {
      this.#opts.logger?.error('certificate renewal failed; will retry', { error: e });
    }
  }

  #dueForRenewal(pair: PemKeyPair): boolean {
    const notAfter = new Date(new X509Certificate(pair.certPem).validTo).getTime();
    return notAfter - Date.now() < (this.#opts.renewBeforeDays ?? 30) * 86_400_000;
  }

  #path(name: string): string {
    return join(this.#opts.certDir, name);
  }

  async #load(): Promise<PemKeyPair | undefined> {
    try {
      const [certPem, keyPem] = await Promise.all([
        readFile(this.#path('acme.crt'), 'utf8'),
        readFile(this.#path('acme.key'), 'utf8'),
      ]);
      return { certPem, keyPem };
    } catch {
      return undefined;
    }
  }

  async #accountKey(): Promise<Buffer> {
    try {
      return await readFile(this.#path('acme-account.key'));
    } catch {
      const key = await acme.crypto.createPrivateEcdsaKey('P-256');
      await writeAtomic(this.#path('acme-account.key'), key);
      return key;
    }
  }

  async #issue(): Promise<PemKeyPair> {
    const { hostnames, directoryUrl, contact, directoryCaPem, logger } = this.#opts;
    await mkdir(this.#opts.certDir, { recursive: true });
    if (directoryCaPem) acme.axios.defaults.httpsAgent = new Agent({ ca: directoryCaPem });
    logger?.info('requesting a certificate', { directoryUrl, hostnames });
    try {
      const client = new acme.Client({ directoryUrl, accountKey: await this.#accountKey() });
      const key = await acme.crypto.createPrivateEcdsaKey('P-256');
      const [, csr] = await acme.crypto.createCsr(
        { commonName: hostnames[0]!, altNames: [...hostnames] },
        key,
      );
      const certPem = await client.auto({
        csr,
        ...(contact ? { email: contact } : {}),
        termsOfServiceAgreed: true,
        challengePriority: ['http-01'],
        // The CA's own validation is the check that matters; ours would need DNS for the names.
        skipChallengeVerification: true,
        challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
          this.#tokens.set(challenge.token, keyAuthorization);
        },
        challengeRemoveFn: async (_authz, challenge) => {
          this.#tokens.delete(challenge.token);
        },
      });
      const pair = { certPem, keyPem: key.toString() };
      await writeAtomic(this.#path('acme.key'), pair.keyPem);
      await writeAtomic(this.#path('acme.crt'), pair.certPem);
      logger?.info('certificate issued', { validTo: new X509Certificate(certPem).validTo });
      return pair;
    } catch (e) {
      throw new ServerConfigError(
        'AcmeFailed',
        `ACME issuance from ${directoryUrl} failed: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }
}

async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, path);
}
