/**
 * Numbers and names fixed by the iroh relay protocol (iroh-relay 1.x).
 *
 * @module
 */

/** Largest frame content (the bytes after the frame type) accepted or sent: 64 KiB. */
export const MAX_PACKET_SIZE = 64 * 1024;

/** Largest WebSocket message accepted (`MAX_FRAME_SIZE` in iroh): 1 MiB. */
export const MAX_FRAME_SIZE = 1024 * 1024;

/** Packets buffered per client on the server before new ones are dropped. */
export const PER_CLIENT_SEND_QUEUE_DEPTH = 512;

/** Interval between keep-alive pings when nothing is received (client; the server adds 1–5 s jitter). */
export const PING_INTERVAL_MS = 15_000;

/** Longest wait for a pong. */
export const PING_TIMEOUT_MS = 5_000;

/** Shortest pong wait; the wait is 3× the last RTT clamped to this and {@link PING_TIMEOUT_MS}. */
export const MIN_PING_TIMEOUT_MS = 500;

/** A server write that does not complete within this time disconnects the client. */
export const SERVER_WRITE_TIMEOUT_MS = 2_000;

/** The TLS/WebSocket/relay handshake must complete within this time on the server. */
export const ESTABLISH_TIMEOUT_MS = 30_000;

/** HTTP path of the relay WebSocket endpoint. */
export const RELAY_PATH = '/relay';

/** HTTP path used for latency probes. */
export const RELAY_PROBE_PATH = '/ping';

/** Request header carrying TLS-exporter based client authentication. */
export const CLIENT_AUTH_HEADER = 'x-iroh-relay-client-auth-v1';

/** URL query parameter carrying the access token where headers cannot be set (browsers). */
export const AUTH_TOKEN_QUERY_PARAM = 'token';
