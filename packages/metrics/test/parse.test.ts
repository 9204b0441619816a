import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, test } from 'vitest';
import { IROH_REFERENCE_TEXT, referenceRegistry } from './support/fixture.js';
import { parseAsClassic, toClassic } from './support/prom.js';

describe('parse-prometheus-text-format reads our output', () => {
  test('the reference registry parses to the expected families and values', () => {
    const families = parseAsClassic(referenceRegistry().encodeOpenMetrics());
    const labels = { endpoint: 'ab"c\\d\ne', role: 'client' };
    const latencyHelp = 'Round-trip "latency" in seconds, C:\\path\nsecond line.';
    expect(families).toEqual([
      {
        name: 'relayserver_bytes_sent_total',
        help: 'Number of bytes sent.',
        type: 'COUNTER',
        metrics: [{ value: '1234' }],
      },
      {
        name: 'relayserver_accepts_total',
        help: 'Number of accepted connections.',
        type: 'COUNTER',
        metrics: [{ value: '3' }],
      },
      {
        name: 'relayserver_requests_total',
        help: 'Total requests served.',
        type: 'COUNTER',
        metrics: [{ value: '7' }],
      },
      {
        name: 'relayserver_clients',
        help: 'Number of connected clients.',
        type: 'GAUGE',
        metrics: [{ value: '-3' }],
      },
      {
        name: 'iroh_magicsock_recv_datagrams_total',
        help: 'Number of QUIC datagrams received.',
        type: 'COUNTER',
        metrics: [{ value: '42' }],
      },
      {
        name: 'iroh_magicsock_latency',
        help: latencyHelp,
        type: 'HISTOGRAM',
        metrics: [
          {
            buckets: { '0.001': '1', '0.01': '1', '0.5': '3', '1.0': '3', '10.0': '4', '+Inf': '5' },
            sum: '102.6005',
            count: '5',
          },
        ],
      },
      {
        name: 'iroh_magicsock_recv_datagrams_total',
        help: 'Number of QUIC datagrams received.',
        type: 'COUNTER',
        metrics: [{ value: '1', labels }],
      },
      {
        // This parser keeps only the `le` of labelled bucket samples and drops
        // labelled _sum/_count lines when it folds a histogram; that is its
        // limitation, the lines themselves are checked in encoding.test.ts.
        name: 'iroh_magicsock_latency',
        help: latencyHelp,
        type: 'HISTOGRAM',
        metrics: [
          { buckets: { '0.001': '0', '0.01': '0', '0.5': '0', '1.0': '0', '10.0': '0', '+Inf': '0' } },
        ],
      },
    ]);
  });

  test('without the counter renaming the parser splits OpenMetrics counters (why toClassic exists)', () => {
    const text = '# HELP g_c Help.\n# TYPE g_c counter\ng_c_total 5\n# EOF\n';
    expect(parsePrometheusTextFormat(text)).toEqual([
      { name: 'g_c', help: 'Help.', type: 'COUNTER', metrics: [] },
      { name: 'g_c_total', help: '', type: 'UNTYPED', metrics: [{ value: '5' }] },
    ]);
    expect(toClassic(text)).toBe('# HELP g_c_total Help.\n# TYPE g_c_total counter\ng_c_total 5\n# EOF\n');
  });

  test('# EOF is skipped as a comment, and the text really ends with it', () => {
    expect(IROH_REFERENCE_TEXT.endsWith('\n# EOF\n')).toBe(true);
    const withoutEof = IROH_REFERENCE_TEXT.slice(0, -'# EOF\n'.length);
    expect(parseAsClassic(IROH_REFERENCE_TEXT)).toEqual(parseAsClassic(withoutEof));
  });
});
