/**
 * A small cache of parsed endpoint ids, so decoding a stream of frames from the same few peers does
 * not re-validate the same 32 bytes as an Ed25519 point every time (iroh's `KeyCache`).
 *
 * @module
 */
import { PublicKey } from '@iroh-ts/base';
import { RelayProtocolError } from './errors.js';

function cacheKey(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** Parses 32-byte endpoint ids, remembering the last `capacity` distinct ones. */
export class KeyCache {
  readonly #capacity: number;
  readonly #entries = new Map<string, PublicKey>();

  /** @param capacity - Most ids kept; the oldest inserted is evicted first. Default 256. */
  constructor(capacity = 256) {
    this.#capacity = Math.max(1, capacity);
  }

  /**
   * Returns the endpoint id for `bytes` (exactly 32 bytes).
   *
   * @throws {@link RelayProtocolError} `InvalidPublicKey` if the bytes are not a valid Ed25519 point.
   */
  get(bytes: Uint8Array): PublicKey {
    const k = cacheKey(bytes);
    const hit = this.#entries.get(k);
    if (hit !== undefined) return hit;
    const key = parseEndpointId(bytes);
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(k, key);
    return key;
  }

  /** Number of cached ids. */
  get size(): number {
    return this.#entries.size;
  }
}

/**
 * Parses 32 bytes as an endpoint id.
 *
 * @throws {@link RelayProtocolError} `InvalidPublicKey`.
 */
export function parseEndpointId(bytes: Uint8Array): PublicKey {
  try {
    return PublicKey.fromBytes(bytes);
  } catch (cause) {
    throw new RelayProtocolError('InvalidPublicKey', `invalid endpoint id: ${(cause as Error).message}`, {
      cause,
    });
  }
}
