/**
 * Turns the `[tls]` settings into the relay server's TLS options: PEM files (Manual), a certificate
 * made at start (SelfSigned), or one from an ACME CA (LetsEncrypt), answered through the relay's own
 * plain-HTTP listener and renewed in place.
 */

import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { RelayTlsOptions } from '@iroh-ts/relay/server';
import {
  AcmeCertificates,
  LETS_ENCRYPT,
  type Logger,
  type PemKeyPair,
  readPemFiles,
  selfSignedCertificate,
} from '@iroh-ts/server-common';
import type { TlsSettings } from './config.js';

/** The TLS side of the app. */
export interface RelayTls {
  readonly options: RelayTlsOptions;
  /** Serves ACME challenges on the HTTP listener (returns true when it answered). */
  readonly handleHttp?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Resolves once a real certificate is in place (after ACME issuance). */
  ready(): Promise<void>;
  /** The certificate in use (PEM), once {@link RelayTls.ready} has resolved. */
  certificate(): PemKeyPair | undefined;
  /** Calls `fn` with every renewed certificate (ACME only). */
  onRenewed(fn: (pair: PemKeyPair) => void): void;
  stop(): void;
}

/** A certificate that never changes. */
function fixed(pair: PemKeyPair, httpsBindAddr: TlsSettings['httpsBindAddr']): RelayTls {
  return {
    options: { ...pair, httpsBindAddr },
    ready: async () => {},
    certificate: () => pair,
    onRenewed: () => {},
    stop: () => {},
  };
}

export async function relayTls(tls: TlsSettings, log: Logger): Promise<RelayTls> {
  const httpsBindAddr = tls.httpsBindAddr;
  if (tls.certMode === 'Manual') {
    return fixed(await readPemFiles(tls.manualCertPath, tls.manualKeyPath), httpsBindAddr);
  }
  if (tls.certMode === 'SelfSigned') {
    const pair = await selfSignedCertificate(tls.hostnames.length > 0 ? tls.hostnames : ['localhost']);
    log.warn('serving a self-signed certificate: clients must be told to trust it');
    return fixed(pair, httpsBindAddr);
  }
  const acme = new AcmeCertificates({
    hostnames: tls.hostnames,
    directoryUrl: tls.acmeDirectoryUrl ?? (tls.prodTls ? LETS_ENCRYPT.production : LETS_ENCRYPT.staging),
    contact: tls.contact,
    certDir: tls.certDir,
    directoryCaPem: tls.acmeCaCertPath ? await readFile(tls.acmeCaCertPath, 'utf8') : undefined,
    logger: log,
  });
  // HTTPS starts with a throw-away certificate; the ACME one replaces it as soon as it is issued.
  const placeholder = await selfSignedCertificate(tls.hostnames);
  const server = createServer({ cert: placeholder.certPem, key: placeholder.keyPem });
  acme.onRenewed((pair) => {
    server.setSecureContext({ cert: pair.certPem, key: pair.keyPem });
    log.info('certificate renewed');
  });
  return {
    options: { createServer: () => server, httpsBindAddr },
    handleHttp: (req, res) => acme.handleChallenge(req, res),
    async ready() {
      const pair = await acme.obtain();
      server.setSecureContext({ cert: pair.certPem, key: pair.keyPem });
      acme.startRenewal();
    },
    certificate: () => acme.current,
    onRenewed: (fn) => acme.onRenewed(fn),
    stop: () => acme.stop(),
  };
}
