import { MetricsGroup } from '@iroh-ts/metrics';

/**
 * Metrics of the pkarr relay and DNS server, in the `dns_server` group. Names match iroh-dns-server where
 * iroh has them; the rest (per-type query counts, cache hits, rate limiting, TCP) are ours.
 */
export class DnsServerMetrics extends MetricsGroup {
  readonly pkarrPublishUpdate = this.counter(
    'pkarr_publish_update',
    'Number of pkarr relay puts that updated the stored packet',
  );
  readonly pkarrPublishNoop = this.counter(
    'pkarr_publish_noop',
    'Number of pkarr relay puts that did not change the stored packet',
  );
  readonly pkarrPublishRejected = this.counter(
    'pkarr_publish_rejected',
    'Number of pkarr relay puts rejected as invalid',
  );
  readonly pkarrGet = this.counter('pkarr_get', 'Number of pkarr relay gets');
  readonly pkarrGetNotFound = this.counter(
    'pkarr_get_notfound',
    'Number of pkarr relay gets for unknown keys',
  );
  readonly dnsRequests = this.counter('dns_requests', 'Total number of DNS requests across all transports');
  readonly dnsRequestsUdp = this.counter('dns_requests_udp', 'Number of DNS requests received over UDP');
  readonly dnsRequestsTcp = this.counter('dns_requests_tcp', 'Number of DNS requests received over TCP');
  readonly dnsRequestsHttps = this.counter(
    'dns_requests_https',
    'Number of DNS requests received over HTTP(S) (DoH)',
  );
  readonly dnsQueriesTxt = this.counter('dns_queries_txt', 'Number of TXT questions');
  readonly dnsQueriesA = this.counter('dns_queries_a', 'Number of A questions');
  readonly dnsQueriesAaaa = this.counter('dns_queries_aaaa', 'Number of AAAA questions');
  readonly dnsQueriesOther = this.counter('dns_queries_other', 'Number of questions of other types');
  readonly dnsLookupSuccess = this.counter(
    'dns_lookup_success',
    'Number of DNS lookups that returned at least one answer',
  );
  readonly dnsLookupNotfound = this.counter(
    'dns_lookup_notfound',
    'Number of DNS lookups that returned no answers',
  );
  readonly dnsLookupError = this.counter(
    'dns_lookup_error',
    'Number of DNS lookups that failed with an error',
  );
  readonly dnsMalformed = this.counter(
    'dns_malformed',
    'Number of DNS messages that could not be parsed or were dropped',
  );
  readonly httpRequests = this.counter('http_requests', 'Number of HTTP requests served');
  readonly httpRequestsSuccess = this.counter(
    'http_requests_success',
    'Number of HTTP requests that returned a 2xx status code',
  );
  readonly httpRequestsError = this.counter(
    'http_requests_error',
    'Number of HTTP requests that returned a non-2xx status code',
  );
  readonly httpRateLimited = this.counter(
    'http_rate_limited',
    'Number of pkarr puts refused by the rate limiter',
  );
  readonly storePacketsInserted = this.counter(
    'store_packets_inserted',
    'Number of signed packets newly inserted into the store',
  );
  readonly storePacketsUpdated = this.counter(
    'store_packets_updated',
    'Number of times an existing signed packet was replaced by a newer one',
  );
  readonly storePacketsExpired = this.counter(
    'store_packets_expired',
    'Number of signed packets removed by the eviction task',
  );
  readonly cacheHits = this.counter('cache_hits', 'Number of zone lookups answered from the zone cache');
  readonly cacheMisses = this.counter('cache_misses', 'Number of zone lookups that went to the store');
  readonly cacheZones = this.gauge('cache_zones', 'Current number of zones in the main cache');

  constructor() {
    super('dns_server');
  }
}
