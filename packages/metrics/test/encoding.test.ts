import { describe, expect, test } from 'vitest';
import { formatFloat, MetricsGroup, Registry } from '../src/index.js';
import { IROH_REFERENCE_TEXT, referenceRegistry } from './support/fixture.js';

function encodeSingle(build: (g: MetricsGroup) => void, name = 'grp'): string {
  const group = new MetricsGroup(name);
  build(group);
  const registry = new Registry();
  registry.register(group);
  return registry.encodeOpenMetrics();
}

describe('OpenMetrics text encoding', () => {
  test('matches iroh-metrics 1.0.2 byte for byte on the reference registry', () => {
    // IROH_REFERENCE_TEXT was produced by iroh-metrics itself (see fixture.ts).
    expect(referenceRegistry().encodeOpenMetrics()).toBe(IROH_REFERENCE_TEXT);
  });

  test('a small registry encodes to the exact expected text', () => {
    const group = new MetricsGroup('relayserver');
    const sent = group.counter('bytes_sent', 'Number of bytes sent');
    const clients = group.gauge('clients', 'Connected clients');
    const rtt = group.histogram('rtt', 'Round-trip time in seconds', [0.1, 1]);
    sent.incBy(10);
    sent.inc();
    clients.inc();
    clients.inc();
    clients.dec();
    rtt.observe(0.05);
    rtt.observe(0.1);
    rtt.observe(0.75);
    rtt.observe(3);
    const registry = new Registry();
    registry.register(group);
    expect(registry.encodeOpenMetrics()).toBe(
      [
        '# HELP relayserver_bytes_sent Number of bytes sent.',
        '# TYPE relayserver_bytes_sent counter',
        'relayserver_bytes_sent_total 11',
        '# HELP relayserver_clients Connected clients.',
        '# TYPE relayserver_clients gauge',
        'relayserver_clients 1',
        '# HELP relayserver_rtt Round-trip time in seconds.',
        '# TYPE relayserver_rtt histogram',
        'relayserver_rtt_bucket{le="0.1"} 2',
        'relayserver_rtt_bucket{le="1.0"} 3',
        'relayserver_rtt_bucket{le="+Inf"} 4',
        'relayserver_rtt_sum 3.9',
        'relayserver_rtt_count 4',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  test('an empty registry is just the EOF marker', () => {
    expect(new Registry().encodeOpenMetrics()).toBe('# EOF\n');
  });

  test('a registered group without metrics writes nothing', () => {
    expect(encodeSingle(() => {})).toBe('# EOF\n');
  });

  test('help text gets a final period unless it ends in . ? or !', () => {
    const text = encodeSingle((g) => {
      g.counter('a', 'plain');
      g.counter('b', 'question?');
      g.counter('c', 'shout!');
      g.counter('d', 'period.');
      g.counter('e', 'period then newline.\n\n');
      g.counter('f', '');
      g.counter('g');
    });
    const helps = text.split('\n').filter((l) => l.startsWith('# HELP '));
    expect(helps).toEqual([
      '# HELP grp_a plain.',
      '# HELP grp_b question?',
      '# HELP grp_c shout!',
      '# HELP grp_d period.',
      '# HELP grp_e period then newline.\\n\\n',
      '# HELP grp_f .',
      '# HELP grp_g g.',
    ]);
  });

  test('help escapes backslash and newline but not quotes', () => {
    const text = encodeSingle((g) => g.gauge('x', 'say "hi" \\ bye\nnext'));
    expect(text).toContain('# HELP grp_x say "hi" \\\\ bye\\nnext.\n');
  });

  test('label values escape backslash, quote and newline', () => {
    const group = new MetricsGroup('grp');
    group.gauge('x', 'x').set(1);
    const registry = new Registry();
    registry.subRegistryWithLabel('path', 'C:\\dir "q"\nline\ttab').register(group);
    expect(registry.encodeOpenMetrics()).toContain('grp_x{path="C:\\\\dir \\"q\\"\\nline\ttab"} 1\n');
  });

  test('counters get _total once, and names already ending in _total keep theirs', () => {
    const text = encodeSingle((g) => {
      g.counter('sent').inc();
      g.counter('recv_total').inc();
      g.counter('total').inc();
      g.counter('subtotal').inc();
    });
    const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples).toEqual(['grp_sent_total 1', 'grp_recv_total 1', 'grp_total 1', 'grp_subtotal_total 1']);
    expect(text).toContain('# TYPE grp_recv_total counter\n');
  });

  test('values beyond 2^53 are written exactly', () => {
    const text = encodeSingle((g) => {
      const c = g.counter('big');
      c.incBy(Number.MAX_SAFE_INTEGER);
      c.incBy(Number.MAX_SAFE_INTEGER);
      g.gauge('low').set(-(2n ** 63n));
    });
    expect(text).toContain('grp_big_total 18014398509481982\n');
    expect(text).toContain('grp_low -9223372036854775808\n');
  });

  test('histogram sums that are not finite use the text format spellings', () => {
    const text = encodeSingle((g) => {
      g.histogram('inf', undefined, [1]).observe(Number.POSITIVE_INFINITY);
      g.histogram('ninf', undefined, [1]).observe(Number.NEGATIVE_INFINITY);
      g.histogram('nan', undefined, [1]).observe(Number.NaN);
    });
    expect(text).toContain('grp_inf_sum +Inf\n');
    expect(text).toContain('grp_ninf_sum -Inf\n');
    expect(text).toContain('grp_nan_sum NaN\n');
    expect(text).toContain('grp_ninf_bucket{le="1.0"} 1\n');
    expect(text).toContain('grp_nan_bucket{le="1.0"} 0\ngrp_nan_bucket{le="+Inf"} 1\n');
  });
});

describe('formatFloat', () => {
  // Expected strings were printed by Rust's ryu 1.0.23, the formatter
  // iroh-metrics uses for bucket bounds and sums.
  test.each([
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [0.5, '0.5'],
    [100, '100.0'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e16'],
    [1e17, '1e17'],
    [1.5e17, '1.5e17'],
    [123456789012345680, '1.2345678901234568e17'],
    [0.001, '0.001'],
    [0.0001, '0.0001'],
    [0.00001, '0.00001'],
    [0.000001, '1e-6'],
    [1.5e-7, '1.5e-7'],
    [1e21, '1e21'],
    [1e-7, '1e-7'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e308'],
    [-2.5, '-2.5'],
    [102.6005, '102.6005'],
    [0.1 + 0.2, '0.30000000000000004'],
    [9007199254740992, '9007199254740992.0'],
    [12345.678, '12345.678'],
  ])('%d → %s', (value, expected) => {
    expect(formatFloat(value)).toBe(expected);
  });

  test('non-finite values', () => {
    expect(formatFloat(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatFloat(Number.NEGATIVE_INFINITY)).toBe('-Inf');
    expect(formatFloat(Number.NaN)).toBe('NaN');
  });
});
