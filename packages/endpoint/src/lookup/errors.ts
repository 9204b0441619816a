import { IrohError } from '@iroh-ts/base';

/** Codes of {@link AddressLookupError}. */
export type AddressLookupErrorCode =
  /** One lookup service failed (network error, bad records, …); `provenance` names it, `cause` says why. */
  | 'service'
  /** No service found anything; `errors` holds the failures of those that failed. */
  | 'noResults'
  /** Nothing was found before the deadline. */
  | 'timeout'
  /** The caller aborted the lookup. */
  | 'aborted';

/** An address lookup failed (iroh `address_lookup::Error`). */
export class AddressLookupError extends IrohError {
  declare readonly code: AddressLookupErrorCode;
  /** For `'service'`: the provenance of the failing service, e.g. `"pkarr"`. */
  readonly provenance: string | undefined;
  /** For `'noResults'` and `'timeout'`: the errors of the services that failed. */
  readonly errors: readonly unknown[];

  constructor(
    code: AddressLookupErrorCode,
    message: string,
    options?: { cause?: unknown; provenance?: string; errors?: readonly unknown[] },
  ) {
    super(code, message, options);
    this.provenance = options?.provenance;
    this.errors = options?.errors ?? [];
  }

  /** Wraps `cause` as a `'service'` error of `provenance` (kept as is if it already is one). */
  static service(provenance: string, cause: unknown): AddressLookupError {
    if (cause instanceof AddressLookupError && cause.code === 'service') return cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new AddressLookupError('service', `address lookup '${provenance}' failed: ${detail}`, {
      cause,
      provenance,
    });
  }
}
