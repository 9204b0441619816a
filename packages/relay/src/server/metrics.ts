/**
 * The relay server's metrics group, `relayserver`, with iroh-relay's metric names plus a few of our
 * own (queue drops, auth failures, protocol errors, timeouts, connected clients).
 *
 * @module
 */
import { MetricsGroup } from '@iroh-ts/metrics';

/** Counters and gauges of a relay server. */
export class RelayServerMetrics extends MetricsGroup {
  /** Datagram bytes sent to clients. */
  readonly bytesSent = this.counter('bytes_sent', 'Number of bytes sent.');
  /** Datagram bytes received from clients. */
  readonly bytesRecv = this.counter('bytes_recv', 'Number of bytes received.');
  /** Datagram frames written to clients. */
  readonly sendPacketsSent = this.counter('send_packets_sent', "Number of 'send' packets relayed.");
  /** Datagram frames received from clients. */
  readonly sendPacketsRecv = this.counter('send_packets_recv', "Number of 'send' packets received.");
  /** Datagram frames dropped because the recipient is not connected (or the datagram was empty). */
  readonly sendPacketsDropped = this.counter('send_packets_dropped', "Number of 'send' packets dropped.");
  /** Non-datagram frames sent (pings, pongs, status, endpoint gone, …). */
  readonly otherPacketsSent = this.counter(
    'other_packets_sent',
    "Number of packets sent that were not 'send' packets",
  );
  /** Non-datagram frames received (pings and pongs). */
  readonly otherPacketsRecv = this.counter(
    'other_packets_recv',
    "Number of packets received that were not 'send' packets",
  );
  /** Non-datagram frames dropped because the recipient's queue was full. */
  readonly otherPacketsDropped = this.counter(
    'other_packets_dropped',
    'Number of times, non-send packet was dropped.',
  );
  /** Pings received from clients. */
  readonly gotPing = this.counter(
    'got_ping',
    'Number of times the server has received a Ping from a client.',
  );
  /** Pongs sent to clients. */
  readonly sentPong = this.counter('sent_pong', 'Number of times the server has sent a Pong to a client.');
  /** Frames with a type iroh-relay does not define. */
  readonly unknownFrames = this.counter('unknown_frames', 'Number of unknown frames sent to this server.');
  /** Bytes read while a client was over its rate limit. */
  readonly bytesRxRatelimited = this.counter(
    'bytes_rx_ratelimited_total',
    'Number of bytes received from client connection which have been rate-limited.',
  );
  /** Connections that were rate limited at least once. */
  readonly connsRxRatelimited = this.counter(
    'conns_rx_ratelimited_total',
    'Number of client connections which have had any frames rate-limited.',
  );
  /** Accepted (authenticated and authorized) client connections. */
  readonly accepts = this.counter('accepts', 'Number of times this server has accepted a connection.');
  /** Accepted client connections that ended. */
  readonly disconnects = this.counter('disconnects', 'Number of clients that have then disconnected.');
  /** Distinct client keys seen (since start). */
  readonly uniqueClientKeys = this.counter('unique_client_keys', 'Number of unique client keys per day.');
  /** Connections moved to the inactive state by a newer one with the same id. */
  readonly clientsInactiveAdded = this.counter(
    'clients_inactive_added',
    'Number of times a client was moved into the inactive state.',
  );
  /** Inactive connections that left or were promoted. */
  readonly clientsInactiveRemoved = this.counter(
    'clients_inactive_removed',
    'Number of times a client was removed from the inactive state.',
  );
  /** Accepted HTTP(S) connections. */
  readonly httpConnections = this.counter('http_connections', 'Number of accepted HTTP(S) connections.');
  /** Closed HTTP(S) connections. */
  readonly httpConnectionsClosed = this.counter(
    'http_connections_closed',
    'Number of terminated HTTP(S) connections.',
  );
  /** HTTP(S) connections that ended with an error. */
  readonly httpConnectionsErrored = this.counter(
    'http_connections_errored',
    'Number of HTTP(S) connections that terminated with an error.',
  );
  /** Clients currently connected (active and inactive). */
  readonly clients = this.gauge('clients', 'Number of connected relay clients.');
  /** Datagram frames dropped because the recipient's send queue was full. */
  readonly sendQueueDropped = this.counter(
    'send_queue_dropped',
    "Number of 'send' packets dropped because the recipient's send queue was full.",
  );
  /** Handshakes that failed: bad signature, malformed or unexpected frames, timeouts. */
  readonly authFailures = this.counter('auth_failures', 'Number of failed relay handshakes.');
  /** Authenticated clients refused by access control. */
  readonly accessDenied = this.counter('access_denied', 'Number of clients denied by access control.');
  /** Clients disconnected for sending invalid frames. */
  readonly protocolErrors = this.counter(
    'protocol_errors',
    'Number of clients disconnected for protocol errors.',
  );
  /** Clients disconnected because a write did not complete in time. */
  readonly writeTimeouts = this.counter(
    'write_timeouts',
    'Number of clients disconnected by the write timeout.',
  );
  /** Clients disconnected because they did not answer a ping. */
  readonly pingTimeouts = this.counter('ping_timeouts', 'Number of clients disconnected for a missing pong.');
  /** Upgrade requests refused because the server was at its client limit. */
  readonly rejectedMaxClients = this.counter(
    'rejected_max_clients',
    'Number of connections refused because the client limit was reached.',
  );
  /** QAD: incoming QUIC connection attempts (each ends in `qad_incoming_error` or `qad_connections`). */
  readonly qadIncoming = this.counter('qad_incoming', 'Number of incoming QAD connections.');
  /** QAD: attempts refused or whose handshake failed. */
  readonly qadIncomingError = this.counter(
    'qad_incoming_error',
    'Number of QAD QUIC connections that aborted before completing the handshake.',
  );
  /** QAD: established connections. */
  readonly qadConnections = this.counter('qad_connections', 'Number of accepted QAD QUIC connections.');
  /** QAD: established connections that ended. */
  readonly qadConnectionsClosed = this.counter(
    'qad_connections_closed',
    'Number of QAD QUIC connections that disconnected after being accepted.',
  );
  /** QAD: established connections that ended otherwise than by the client's close with code 1. */
  readonly qadConnectionsErrored = this.counter(
    'qad_connections_errored',
    'Number of QAD QUIC connections that disconnected after being accepted, with an error.',
  );
  /** QAD: attempts refused because the server was at its connection limit (ours). */
  readonly qadRejectedMaxConnections = this.counter(
    'qad_rejected_max_connections',
    'Number of QAD connection attempts refused because the connection limit was reached.',
  );

  constructor() {
    super('relayserver');
  }
}
