/** Typed errors of the server apps' shared pieces. */

/** Codes of {@link ServerConfigError}. */
export type ServerConfigErrorCode = 'InvalidConfig' | 'CertificateUnreadable' | 'AcmeFailed';

/** A configuration or certificate problem, reported before (or instead of) serving. */
export class ServerConfigError extends Error {
  readonly code: ServerConfigErrorCode;
  constructor(code: ServerConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'ServerConfigError';
  }
}
