/**
 * The `Status` frame's one-byte value (v2), and the text iroh sends in its place on v1 (`Health`).
 *
 * @module
 */

/** Known status values. Other values decode as themselves (iroh's `Status::Unknown(n)`). */
export const Status = {
  /** The connection is healthy again (sent when an inactive connection is promoted). */
  Healthy: 0,
  /** Another connection with the same endpoint id took over; this one receives nothing more. */
  SameEndpointIdConnected: 1,
  /** The relay is throttling what this client sends (sent once per connection). */
  RateLimited: 2,
} as const;

/** A status byte: one of {@link Status}, or any other value from a newer relay. */
export type Status = number;

/** The symbolic name of a status value: `healthy`, `sameEndpointIdConnected`, `rateLimited` or `unknown`. */
export function statusName(
  status: Status,
): 'healthy' | 'sameEndpointIdConnected' | 'rateLimited' | 'unknown' {
  switch (status) {
    case Status.Healthy:
      return 'healthy';
    case Status.SameEndpointIdConnected:
      return 'sameEndpointIdConnected';
    case Status.RateLimited:
      return 'rateLimited';
    default:
      return 'unknown';
  }
}

/** Human-readable text of a status; v1 clients receive it as a `Health` problem text. */
export function statusDescription(status: Status): string {
  switch (status) {
    case Status.Healthy:
      return 'The connection is healthy and has recovered from previous problems';
    case Status.SameEndpointIdConnected:
      return 'Another endpoint connected with the same endpoint id. No more messages will be received.';
    case Status.RateLimited:
      return 'The relay is rate-limiting this endpoint; outbound relay traffic is being throttled. Send less data over the relay, or, if you operate this relay, raise Limits::client_rx. Read more about rate limiting at https://docs.iroh.computer/relays/rate-limiting';
    default:
      return `Unsupported health message (${status})`;
  }
}
