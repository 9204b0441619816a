/**
 * HTTP client of a pkarr relay (iroh `PkarrRelayClient`): `PUT <relay>/<z32>` with the relay form of a
 * packet, `GET <relay>/<z32>` to fetch and verify one. Uses `fetch`, so it runs in browsers.
 */
import type { PublicKey } from '@iroh-ts/base';
import { SignedPacketError } from '../pkarr/errors.js';
import { SignedPacket } from '../pkarr/signed-packet.js';
import { PkarrClientError } from './errors.js';
import { type FetchFn, globalFetch } from './timers.js';

/** n0's production pkarr relay. */
export const N0_DNS_PKARR_RELAY_PROD = 'https://dns.iroh.link/pkarr';
/** n0's staging pkarr relay. */
export const N0_DNS_PKARR_RELAY_STAGING = 'https://staging-dns.iroh.link/pkarr';

/** Options of {@link PkarrRelayClient}. */
export interface PkarrRelayClientOptions {
  /** The fetch to use. @defaultValue the global `fetch` */
  readonly fetch?: FetchFn;
}

/** Publishes to and resolves from one pkarr relay. */
export class PkarrRelayClient {
  /** The relay URL, e.g. `https://dns.iroh.link/pkarr`. */
  readonly relayUrl: string;
  readonly #fetch: FetchFn;

  /** @throws {@link PkarrClientError} `InvalidRelayUrl` for a URL that is not http(s). */
  constructor(relayUrl: string | URL, options: PkarrRelayClientOptions = {}) {
    let url: URL;
    try {
      url = new URL(relayUrl);
    } catch (cause) {
      throw new PkarrClientError('InvalidRelayUrl', `invalid relay URL ${String(relayUrl)}`, { cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new PkarrClientError('InvalidRelayUrl', `relay URL must be http(s), got ${url.protocol}`);
    }
    url.search = '';
    url.hash = '';
    this.relayUrl = url.href.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalFetch;
  }

  /** The URL of `key`'s packet. */
  urlFor(key: PublicKey): string {
    return `${this.relayUrl}/${key.toZ32()}`;
  }

  /** PUTs `packet`. @throws {@link PkarrClientError} `HttpSend` or `HttpStatus`. */
  async publish(packet: SignedPacket, signal?: AbortSignal): Promise<void> {
    let response: Response;
    try {
      response = await this.#fetch(this.urlFor(packet.publicKey), {
        method: 'PUT',
        body: packet.toRelayPayload(),
        signal,
      });
    } catch (cause) {
      throw new PkarrClientError('HttpSend', `pkarr publish failed: ${(cause as Error).message}`, { cause });
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      throw new PkarrClientError('HttpStatus', `pkarr relay answered ${response.status}`, {
        status: response.status,
      });
    }
  }

  /**
   * GETs and verifies the packet of `key`.
   *
   * @throws {@link PkarrClientError} `HttpSend`, `HttpStatus` (404 when unknown), `HttpPayload` or `Verify`.
   */
  async resolve(key: PublicKey, signal?: AbortSignal): Promise<SignedPacket> {
    let response: Response;
    try {
      response = await this.#fetch(this.urlFor(key), { method: 'GET', signal });
    } catch (cause) {
      throw new PkarrClientError('HttpSend', `pkarr resolve failed: ${(cause as Error).message}`, { cause });
    }
    if (!response.ok) {
      await response.arrayBuffer().catch(() => undefined);
      throw new PkarrClientError('HttpStatus', `pkarr relay answered ${response.status}`, {
        status: response.status,
      });
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch (cause) {
      throw new PkarrClientError('HttpPayload', 'could not read the pkarr response', { cause });
    }
    try {
      return SignedPacket.fromRelayPayload(key, body);
    } catch (cause) {
      if (!(cause instanceof SignedPacketError)) throw cause;
      throw new PkarrClientError('Verify', `packet from relay failed to verify: ${cause.message}`, { cause });
    }
  }
}
