/**
 * The endpoint's metrics group (`magicsock`, as iroh names it): connections, paths and bytes sent
 * directly versus through relays, and the relay state. Byte counters are brought up to date from the
 * socket layer whenever the metrics are read.
 */
import { MetricsGroup } from '@iroh-ts/metrics';
import type { SocketStats } from './socket/socket-layer.js';

/** Counters and gauges of one endpoint. */
export class EndpointMetrics extends MetricsGroup {
  readonly connectionsOpened = this.counter('num_conns_opened', 'Connections opened (dialled).');
  readonly connectionsAccepted = this.counter('num_conns_accepted', 'Incoming connections accepted.');
  readonly connectionsClosed = this.counter('num_conns_closed', 'Connections closed.');
  readonly connectionsDirect = this.counter(
    'num_conns_direct',
    'Connections whose handshake completed on a direct path.',
  );
  readonly connectionsRelayed = this.counter(
    'num_conns_relayed',
    'Connections whose handshake completed through a relay.',
  );
  readonly connectFailures = this.counter('num_connect_failures', 'Dials that failed.');
  readonly hookRejections = this.counter('num_hook_rejections', 'Connections rejected by a hook.');
  readonly sendDirect = this.counter('send_data_direct', 'Bytes sent on direct paths.');
  readonly recvDirect = this.counter('recv_data_direct', 'Bytes received on direct paths.');
  readonly sendRelay = this.counter('send_data_relay', 'Bytes sent through relays.');
  readonly recvRelay = this.counter('recv_data_relay', 'Bytes received through relays.');
  readonly sendDropped = this.counter('send_dropped', 'Datagrams that found no way out.');
  readonly relayHomeChanges = this.counter('relay_home_change', 'Times the home relay changed.');
  readonly relayHomeConnected = this.gauge('relay_home_connected', '1 while the home relay is connected.');

  constructor() {
    super('magicsock');
  }
}

/** Brings the byte counters up to date with the socket layer's running totals. */
export function syncSocketStats(m: EndpointMetrics, s: SocketStats): void {
  const sync = (c: { get(): bigint; incBy(n: number | bigint): void }, v: number) => {
    const d = BigInt(v) - c.get();
    if (d > 0n) c.incBy(d);
  };
  sync(m.sendDirect, s.sendDirectBytes);
  sync(m.recvDirect, s.recvDirectBytes);
  sync(m.sendRelay, s.sendRelayBytes);
  sync(m.recvRelay, s.recvRelayBytes);
  sync(m.sendDropped, s.sendDropped);
}
