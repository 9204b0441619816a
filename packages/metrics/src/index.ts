/**
 * Metrics for iroh-ts: counters, gauges and histograms collected in named
 * groups, a registry with prefixes and labels, and an OpenMetrics text encoder
 * whose output matches iroh-metrics'. This entry point has no Node.js imports
 * and runs in browsers; the `/metrics` HTTP helper lives in
 * `@iroh-ts/metrics/http`.
 *
 * @packageDocumentation
 */

export { Counter } from './counter.js';
export { MetricsError, type MetricsErrorCode } from './errors.js';
export { formatFloat } from './format.js';
export { Gauge } from './gauge.js';
export { type MetricItem, MetricsGroup, type MetricsGroupSet } from './group.js';
export { Histogram } from './histogram.js';
export type {
  CounterValue,
  GaugeValue,
  HistogramValue,
  Metric,
  MetricType,
  MetricValue,
} from './metric.js';
export { type LabelsInit, type MetricsSource, Registry } from './registry.js';
