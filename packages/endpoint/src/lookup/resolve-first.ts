/** Waiting for the first address a lookup finds, with a deadline. */
import type { PublicKey } from '@iroh-ts/base';
import { linkedController } from './abort.js';
import { AddressLookupError } from './errors.js';
import type { AddressLookup, AddressLookupItem } from './types.js';

/** Options of {@link resolveFirst}. */
export interface ResolveFirstOptions {
  /** Aborts the lookup; the promise then rejects with code `'aborted'`. */
  readonly signal?: AbortSignal;
  /** Gives up after this many ms with code `'timeout'`. @defaultValue no deadline */
  readonly timeoutMs?: number;
}

/**
 * Resolves `endpointId` with `lookup` and returns the first item found, then stops the lookup.
 *
 * @throws {@link AddressLookupError} `'noResults'` when the lookup ends without an item (its failures in
 *   `errors`), `'timeout'` after `timeoutMs`, `'aborted'` when `signal` aborts.
 */
export async function resolveFirst(
  lookup: AddressLookup,
  endpointId: PublicKey,
  options: ResolveFirstOptions = {},
): Promise<AddressLookupItem> {
  const { signal, timeoutMs } = options;
  const aborted = () =>
    new AddressLookupError('aborted', `lookup of ${endpointId.fmtShort()} aborted`, {
      cause: signal?.reason,
    });
  if (signal?.aborted) throw aborted();
  const { controller, dispose } = linkedController(signal);
  let timedOut = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs);
  const errors: unknown[] = [];
  try {
    for await (const item of lookup.resolve(endpointId, controller.signal)) return item;
  } catch (error) {
    if (error instanceof AddressLookupError && error.code === 'noResults') errors.push(...error.errors);
    else errors.push(error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    controller.abort();
    dispose();
  }
  if (signal?.aborted) throw aborted();
  if (timedOut) {
    throw new AddressLookupError(
      'timeout',
      `no address for ${endpointId.fmtShort()} within ${timeoutMs} ms`,
      {
        errors,
      },
    );
  }
  throw new AddressLookupError('noResults', `no address found for ${endpointId.fmtShort()}`, { errors });
}
