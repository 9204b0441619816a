/**
 * What the iroh-ts server apps (relay, DNS server) share: TLS certificates from files, self-signed
 * or from an ACME CA; structured JSON logs; graceful shutdown on SIGTERM.
 *
 * @packageDocumentation
 */
export { AcmeCertificates, type AcmeOptions, LETS_ENCRYPT } from './acme.js';
export { checkPair, type PemKeyPair, readPemFiles, selfSignedCertificate } from './certs.js';
export { ServerConfigError, type ServerConfigErrorCode } from './errors.js';
export { createLogger, type Logger, type LogLevel } from './log.js';
export { stopOnSignals } from './shutdown.js';
