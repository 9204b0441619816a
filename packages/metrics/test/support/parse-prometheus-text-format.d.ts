// Minimal typings for the untyped parse-prometheus-text-format package,
// covering the shapes its parser produces (all sample values are strings).
declare module 'parse-prometheus-text-format' {
  export interface ParsedSample {
    value?: string;
    labels?: Record<string, string>;
    timestamp_ms?: string;
  }
  export interface ParsedHistogramSample {
    buckets?: Record<string, string>;
    sum?: string;
    count?: string;
  }
  export interface ParsedFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: (ParsedSample & ParsedHistogramSample)[];
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
