/**
 * Turns a relay URL into the WebSocket URL to dial: the path becomes `/relay`, `http` becomes `ws`
 * and every other scheme `wss`; the token is appended as `?token=` when headers cannot carry it.
 *
 * @module
 */
import { AUTH_TOKEN_QUERY_PARAM, RELAY_PATH } from '../protos/constants.js';
import { RelayClientError } from './errors.js';

/**
 * Builds the dial URL.
 *
 * @param relayUrl - e.g. `https://relay.example.com./`.
 * @param queryToken - Token to put in the query, if any.
 * @throws {@link RelayClientError} `InvalidUrl`.
 */
export function relayDialUrl(relayUrl: string | URL | { toString(): string }, queryToken?: string): string {
  let url: URL;
  try {
    url = new URL(String(relayUrl));
  } catch (cause) {
    throw new RelayClientError('InvalidUrl', `invalid relay URL: ${String(relayUrl)}`, { cause });
  }
  if (url.host === '') throw new RelayClientError('InvalidUrl', `relay URL has no host: ${String(relayUrl)}`);
  const scheme = url.protocol === 'http:' || url.protocol === 'ws:' ? 'ws:' : 'wss:';
  const dial = new URL(`${scheme}//${url.host}${RELAY_PATH}${url.search}`);
  if (queryToken !== undefined) dial.searchParams.append(AUTH_TOKEN_QUERY_PARAM, queryToken);
  return dial.toString();
}
