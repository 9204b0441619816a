import { MetricsGroup, Registry } from '../../src/index.js';

export class RelayServerMetrics extends MetricsGroup {
  readonly bytesSent = this.counter('bytes_sent', 'Number of bytes sent');
  readonly accepts = this.counter('accepts', 'Number of accepted connections.');
  readonly requestsTotal = this.counter('requests_total', 'Total requests served');
  readonly clients = this.gauge('clients', 'Number of connected clients');
  constructor() {
    super('relayserver');
  }
}

export class SocketMetrics extends MetricsGroup {
  readonly recvDatagrams = this.counter('recv_datagrams', 'Number of QUIC datagrams received');
  readonly latency = this.histogram(
    'latency',
    'Round-trip "latency" in seconds, C:\\path\nsecond line',
    [0.001, 0.01, 0.5, 1.0, 10.0],
  );
  constructor() {
    super('magicsock');
  }
}

/**
 * The registry of the reference program: the same groups, values and
 * sub-registries were encoded with iroh-metrics 1.0.2 (Rust) to produce
 * {@link IROH_REFERENCE_TEXT}.
 */
export function referenceRegistry(): Registry {
  const relay = new RelayServerMetrics();
  relay.bytesSent.incBy(1234);
  relay.accepts.inc();
  relay.accepts.inc();
  relay.accepts.inc();
  relay.requestsTotal.incBy(7);
  relay.clients.incBy(5);
  relay.clients.decBy(8);

  const sock = new SocketMetrics();
  sock.recvDatagrams.incBy(42);
  for (const v of [0.0005, 0.05, 0.05, 2.5, 100.0]) sock.latency.observe(v);

  const sock2 = new SocketMetrics();
  sock2.recvDatagrams.inc();

  const registry = new Registry();
  registry.register(relay);
  const iroh = registry.subRegistryWithPrefix('iroh');
  iroh.register(sock);
  iroh
    .subRegistryWithLabels([
      ['endpoint', 'ab"c\\d\ne'],
      ['role', 'client'],
    ])
    .register(sock2);
  return registry;
}

/** Output of iroh-metrics 1.0.2's `encode_openmetrics_to_string` for the registry above. */
export const IROH_REFERENCE_TEXT = `# HELP relayserver_bytes_sent Number of bytes sent.
# TYPE relayserver_bytes_sent counter
relayserver_bytes_sent_total 1234
# HELP relayserver_accepts Number of accepted connections.
# TYPE relayserver_accepts counter
relayserver_accepts_total 3
# HELP relayserver_requests_total Total requests served.
# TYPE relayserver_requests_total counter
relayserver_requests_total 7
# HELP relayserver_clients Number of connected clients.
# TYPE relayserver_clients gauge
relayserver_clients -3
# HELP iroh_magicsock_recv_datagrams Number of QUIC datagrams received.
# TYPE iroh_magicsock_recv_datagrams counter
iroh_magicsock_recv_datagrams_total 42
# HELP iroh_magicsock_latency Round-trip "latency" in seconds, C:\\\\path\\nsecond line.
# TYPE iroh_magicsock_latency histogram
iroh_magicsock_latency_bucket{le="0.001"} 1
iroh_magicsock_latency_bucket{le="0.01"} 1
iroh_magicsock_latency_bucket{le="0.5"} 3
iroh_magicsock_latency_bucket{le="1.0"} 3
iroh_magicsock_latency_bucket{le="10.0"} 4
iroh_magicsock_latency_bucket{le="+Inf"} 5
iroh_magicsock_latency_sum 102.6005
iroh_magicsock_latency_count 5
# HELP iroh_magicsock_recv_datagrams Number of QUIC datagrams received.
# TYPE iroh_magicsock_recv_datagrams counter
iroh_magicsock_recv_datagrams_total{endpoint="ab\\"c\\\\d\\ne",role="client"} 1
# HELP iroh_magicsock_latency Round-trip "latency" in seconds, C:\\\\path\\nsecond line.
# TYPE iroh_magicsock_latency histogram
iroh_magicsock_latency_bucket{endpoint="ab\\"c\\\\d\\ne",role="client",le="0.001"} 0
iroh_magicsock_latency_bucket{endpoint="ab\\"c\\\\d\\ne",role="client",le="0.01"} 0
iroh_magicsock_latency_bucket{endpoint="ab\\"c\\\\d\\ne",role="client",le="0.5"} 0
iroh_magicsock_latency_bucket{endpoint="ab\\"c\\\\d\\ne",role="client",le="1.0"} 0
iroh_magicsock_latency_bucket{endpoint="ab\\"c\\\\d\\ne",role="client",le="10.0"} 0
iroh_magicsock_latency_bucket{endpoint="ab\\"c\\\\d\\ne",role="client",le="+Inf"} 0
iroh_magicsock_latency_sum{endpoint="ab\\"c\\\\d\\ne",role="client"} 0.0
iroh_magicsock_latency_count{endpoint="ab\\"c\\\\d\\ne",role="client"} 0
# EOF
`;
