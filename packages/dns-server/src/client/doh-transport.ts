/** DNS over HTTPS transport (RFC 8484) for {@link DnsAddressLookup}; uses `fetch`, so it runs in browsers. */
import { base64UrlEncode } from '../dns/base64url.js';
import type { DnsTransport } from './dns-lookup.js';
import { type FetchFn, globalFetch } from './timers.js';

/** Options of {@link DohTransport}. */
export interface DohTransportOptions {
  /** `POST` the message, or `GET` it as `?dns=`. @defaultValue `'POST'` */
  readonly method?: 'GET' | 'POST';
  /** The fetch to use. @defaultValue the global `fetch` */
  readonly fetch?: FetchFn;
}

/** Sends DNS queries to a DoH endpoint such as `https://dns.example/dns-query`. */
export class DohTransport implements DnsTransport {
  readonly #url: string;
  readonly #method: 'GET' | 'POST';
  readonly #fetch: FetchFn;

  constructor(url: string | URL, options: DohTransportOptions = {}) {
    this.#url = String(url);
    this.#method = options.method ?? 'POST';
    this.#fetch = options.fetch ?? globalFetch;
  }

  async query(query: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const headers = { accept: 'application/dns-message' };
    let response: Response;
    if (this.#method === 'GET') {
      const sep = this.#url.includes('?') ? '&' : '?';
      response = await this.#fetch(`${this.#url}${sep}dns=${base64UrlEncode(query)}`, { headers, signal });
    } else {
      response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/dns-message' },
        body: query,
        signal,
      });
    }
    if (!response.ok) {
      await response.arrayBuffer().catch(() => undefined);
      throw new Error(`DoH server answered ${response.status}`);
    }
    return new Uint8Array(await response.arrayBuffer());
  }
}
