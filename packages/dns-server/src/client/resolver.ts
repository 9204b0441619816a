import type { EndpointAddr, PublicKey } from '@iroh-ts/base';
import { EndpointInfo } from '../records/endpoint-info.js';
import { EndpointInfoError } from '../records/errors.js';
import { PkarrClientError } from './errors.js';
import { PkarrRelayClient, type PkarrRelayClientOptions } from './relay-client.js';

/**
 * Resolves endpoint info from a pkarr relay over HTTP (iroh `PkarrResolver`): fetch, verify the
 * signature, read the `_iroh` TXT records. Browser-safe.
 */
export class PkarrResolver {
  readonly #client: PkarrRelayClient;

  /** @throws {@link PkarrClientError} `InvalidRelayUrl`. */
  constructor(relayUrl: string | URL, options: PkarrRelayClientOptions = {}) {
    this.#client = new PkarrRelayClient(relayUrl, options);
  }

  /** The underlying relay client. */
  get client(): PkarrRelayClient {
    return this.#client;
  }

  /** The endpoint info published by `endpointId`. @throws {@link PkarrClientError} */
  async resolve(endpointId: PublicKey, signal?: AbortSignal): Promise<EndpointInfo> {
    const packet = await this.#client.resolve(endpointId, signal);
    try {
      return EndpointInfo.fromSignedPacket(packet);
    } catch (cause) {
      if (!(cause instanceof EndpointInfoError)) throw cause;
      throw new PkarrClientError('Decoding', `invalid endpoint records: ${cause.message}`, { cause });
    }
  }

  /** The addresses published by `endpointId`. @throws {@link PkarrClientError} */
  async resolveAddr(endpointId: PublicKey, signal?: AbortSignal): Promise<EndpointAddr> {
    return (await this.resolve(endpointId, signal)).toEndpointAddr();
  }
}
