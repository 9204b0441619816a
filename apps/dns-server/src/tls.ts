/**
 * The HTTPS certificate, through `@iroh-ts/server-common`: PEM files (`manual`), a certificate made
 * at start (`self_signed`), or one from Let's Encrypt or another ACME CA (`lets_encrypt`), renewed in
 * place. iroh-dns-server answers ACME with TLS-ALPN-01; this app uses HTTP-01, answered on its
 * plain-HTTP listener, so that listener must be reachable on port 80 for the domains.
 */

import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AcmeCertificates,
  LETS_ENCRYPT,
  type Logger,
  type PemKeyPair,
  readPemFiles,
  selfSignedCertificate,
} from '@iroh-ts/server-common';
import type { HttpsSettings } from './config.js';

/** The certificate side of the HTTPS listener. */
export interface HttpsCertificate {
  /** The certificate to start with (for ACME, a placeholder until {@link ready} resolves). */
  readonly initial: PemKeyPair;
  /** Answers ACME HTTP-01 challenges (returns true when it did); only in `lets_encrypt` mode. */
  readonly handleChallenge: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /**
   * Resolves once the real certificate is available, calling `install` with it and with every
   * renewal afterwards. The challenge handler must be serving by then.
   */
  ready(install: (pair: PemKeyPair) => void): Promise<void>;
  /** Stops renewal. */
  stop(): void;
}

/**
 * Loads or creates the certificate for `settings`.
 *
 * @throws {@link ServerConfigError} `CertificateUnreadable` (manual files), `InvalidConfig`.
 */
export async function httpsCertificate(settings: HttpsSettings, log: Logger): Promise<HttpsCertificate> {
  if (settings.certMode === 'manual') {
    const pair = await readPemFiles(settings.certPath, settings.keyPath);
    return { initial: pair, handleChallenge: undefined, ready: async () => {}, stop: () => {} };
  }
  if (settings.certMode === 'self_signed') {
    const pair = await selfSignedCertificate(settings.domains);
    log.warn('serving a self-signed certificate: clients must be told to trust it', {
      domains: settings.domains,
    });
    return { initial: pair, handleChallenge: undefined, ready: async () => {}, stop: () => {} };
  }
  const acme = new AcmeCertificates({
    hostnames: settings.domains,
    directoryUrl:
      settings.acmeDirectoryUrl ??
      (settings.letsencryptProd ? LETS_ENCRYPT.production : LETS_ENCRYPT.staging),
    contact: settings.letsencryptContact,
    certDir: settings.certDir,
    directoryCaPem: settings.acmeCaCertPath ? await readFile(settings.acmeCaCertPath, 'utf8') : undefined,
    logger: log,
  });
  return {
    // HTTPS starts with a throw-away certificate; the ACME one replaces it once issued.
    initial: await selfSignedCertificate(settings.domains),
    handleChallenge: (req, res) => acme.handleChallenge(req, res),
    async ready(install) {
      install(await acme.obtain());
      acme.onRenewed((pair) => {
        install(pair);
        log.info('certificate renewed');
      });
      acme.startRenewal();
    },
    stop: () => acme.stop(),
  };
}
