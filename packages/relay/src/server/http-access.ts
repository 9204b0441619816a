/**
 * The HTTP callout access mode: for each connecting client the relay POSTs to a URL with header
 * `X-Iroh-NodeId: <64 hex endpoint id>` (and `Authorization: Bearer <token>` if configured). Access is
 * granted only for status 200 with a body of exactly `true`; anything else, including network errors
 * and timeouts, denies.
 *
 * @module
 */
import type { AccessControl } from './access.js';
import { RelayServerError } from './errors.js';

/** Header carrying the endpoint id in the callout (iroh's constant, despite "node" in the name). */
export const X_IROH_NODE_ID = 'X-Iroh-NodeId';

/** Options of the HTTP callout mode. */
export interface HttpAccessOptions {
  /** URL to POST to. */
  readonly url: string;
  /** Bearer token sent to the callout endpoint, if any. */
  readonly bearerToken?: string | undefined;
  /** Abort the callout (and deny) after this many milliseconds. Default 10 000. */
  readonly timeoutMs?: number | undefined;
}

/**
 * Builds the HTTP callout access control (uses the global `fetch`).
 *
 * @throws {@link RelayServerError} `InvalidConfig` for a URL that is not http(s).
 */
export function httpAccessControl(options: HttpAccessOptions): AccessControl {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (cause) {
    throw new RelayServerError('InvalidConfig', `invalid access.http.url: ${options.url}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RelayServerError('InvalidConfig', `access.http.url must be http(s): ${options.url}`);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async onConnect(request) {
      const headers: Record<string, string> = { [X_IROH_NODE_ID]: request.endpointId.toString() };
      if (options.bearerToken !== undefined) headers.Authorization = `Bearer ${options.bearerToken}`;
      try {
        const res = await fetch(url, { method: 'POST', headers, signal: AbortSignal.timeout(timeoutMs) });
        const text = await res.text();
        return res.status === 200 && text === 'true' ? { allow: true } : { allow: false };
      } catch {
        return { allow: false };
      }
    },
  };
}
