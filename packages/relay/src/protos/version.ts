/**
 * Relay protocol versions, negotiated as WebSocket subprotocols.
 *
 * v2 (iroh ≥ 0.98) removed the `Health` frame (11) and added `Status` (13). The client offers every
 * version it speaks; the server answers with the highest one it also speaks.
 *
 * @module
 */

/** Subprotocol name of relay protocol version 1. */
export const PROTOCOL_V1 = 'iroh-relay-v1';
/** Subprotocol name of relay protocol version 2. */
export const PROTOCOL_V2 = 'iroh-relay-v2';

/** A relay protocol version, by its subprotocol name. */
export type ProtocolVersion = typeof PROTOCOL_V1 | typeof PROTOCOL_V2;

/** Every supported version, newest (preferred) first. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly ProtocolVersion[] = [PROTOCOL_V2, PROTOCOL_V1];

/** Parses one subprotocol name; `undefined` if it is not a relay version we speak. */
export function parseProtocolVersion(name: string): ProtocolVersion | undefined {
  return name === PROTOCOL_V2 || name === PROTOCOL_V1 ? name : undefined;
}

/** Numeric rank of a version, for comparisons: v1 → 1, v2 → 2. */
export function protocolVersionNumber(version: ProtocolVersion): 1 | 2 {
  return version === PROTOCOL_V2 ? 2 : 1;
}

/**
 * Picks the highest supported version from a `Sec-WebSocket-Protocol` header value (a comma-separated
 * list; entries are trimmed, unknown ones ignored).
 *
 * @returns The chosen version, or `undefined` when the list names none we support.
 */
export function negotiateProtocolVersion(headerValue: string): ProtocolVersion | undefined {
  let best: ProtocolVersion | undefined;
  for (const part of headerValue.split(',')) {
    const version = parseProtocolVersion(part.trim());
    if (version === PROTOCOL_V2) return version;
    if (version !== undefined) best = version;
  }
  return best;
}
