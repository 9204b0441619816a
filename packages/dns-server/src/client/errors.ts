import { IrohError } from '@iroh-ts/base';

/** Codes of {@link PkarrClientError} (iroh `PkarrError`). */
export type PkarrClientErrorCode =
  /** The relay URL cannot carry a key path segment. */
  | 'InvalidRelayUrl'
  /** The request could not be sent (network error, abort). */
  | 'HttpSend'
  /** The relay answered with a non-2xx status. */
  | 'HttpStatus'
  /** The response body could not be read. */
  | 'HttpPayload'
  /** The returned packet did not verify. */
  | 'Verify'
  /** The endpoint info could not be encoded as a packet. */
  | 'Encoding'
  /** The packet's records could not be read as endpoint info. */
  | 'Decoding';

/** Publishing to or resolving from a pkarr relay failed. */
export class PkarrClientError extends IrohError {
  declare readonly code: PkarrClientErrorCode;
  /** The HTTP status, for `HttpStatus`. */
  readonly status: number | undefined;
  constructor(code: PkarrClientErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}

/** Codes of {@link DnsLookupError}. */
export type DnsLookupErrorCode =
  /** No response within the timeout. */
  | 'Timeout'
  /** The name does not exist (NXDOMAIN) or has no TXT records. */
  | 'NotFound'
  /** The server answered with an error code other than NXDOMAIN. */
  | 'ServerError'
  /** The response did not parse or did not match the query. */
  | 'InvalidResponse'
  /** The response was truncated and no fallback transport was configured. */
  | 'Truncated'
  /** The transport failed (socket or HTTP error). */
  | 'Transport'
  /** The TXT records did not form valid endpoint info. */
  | 'InvalidRecords'
  /** Every staggered attempt failed; `errors` holds them. */
  | 'AllAttemptsFailed';

/** A DNS lookup failed. */
export class DnsLookupError extends IrohError {
  declare readonly code: DnsLookupErrorCode;
  /** For `AllAttemptsFailed`: the error of each attempt. */
  readonly errors: readonly unknown[];
  /** For `ServerError`: the response code. */
  readonly rcode: number | undefined;
  constructor(
    code: DnsLookupErrorCode,
    message: string,
    options?: { cause?: unknown; errors?: readonly unknown[]; rcode?: number },
  ) {
    super(code, message, options);
    this.errors = options?.errors ?? [];
    this.rcode = options?.rcode;
  }
}
