import { describe, expect, test } from 'vitest';
import { MetricsGroup, type MetricsGroupSet, Registry } from '../src/index.js';

function group(name: string, metric = 'm', value = 1): MetricsGroup {
  const g = new MetricsGroup(name);
  g.gauge(metric, 'help').set(value);
  return g;
}

function samples(registry: Registry): string[] {
  return registry
    .encodeOpenMetrics()
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}

describe('Registry', () => {
  test('prefixes nest with _ and are joined in front of the group name', () => {
    const root = new Registry();
    const a = root.subRegistryWithPrefix('a');
    const ab = a.subRegistryWithPrefix('b');
    expect([root.prefix, a.prefix, ab.prefix]).toEqual([undefined, 'a', 'a_b']);
    root.register(group('g0'));
    a.register(group('g1'));
    ab.register(group('g2'));
    expect(samples(root)).toEqual(['g0_m 1', 'a_g1_m 1', 'a_b_g2_m 1']);
  });

  test('sub-registries inherit labels and prefix in both directions', () => {
    const root = new Registry();
    const labelled = root.subRegistryWithLabel('x', '1');
    const prefixedUnderLabel = labelled.subRegistryWithPrefix('p');
    const labelUnderPrefix = root.subRegistryWithPrefix('q').subRegistryWithLabels({ y: '2', z: '3' });
    const more = prefixedUnderLabel.subRegistryWithLabels(new Map([['w', '4']]));
    expect(prefixedUnderLabel.labels).toEqual([['x', '1']]);
    expect(more.labels).toEqual([
      ['x', '1'],
      ['w', '4'],
    ]);
    prefixedUnderLabel.register(group('g1'));
    labelUnderPrefix.register(group('g2'));
    more.register(group('g3'));
    expect(samples(root)).toEqual(['p_g1_m{x="1"} 1', 'p_g3_m{x="1",w="4"} 1', 'q_g2_m{y="2",z="3"} 1']);
  });

  test('own groups come first, then sub-registries in creation order', () => {
    const root = new Registry();
    const first = root.subRegistryWithPrefix('first');
    const second = root.subRegistryWithPrefix('second');
    second.register(group('g'));
    first.register(group('g'));
    root.register(group('late'));
    root.register(group('later'));
    expect(samples(root)).toEqual(['late_m 1', 'later_m 1', 'first_g_m 1', 'second_g_m 1']);
  });

  test('histogram bucket labels follow the registry labels', () => {
    const g = new MetricsGroup('g');
    g.histogram('h', 'h', [1]).observe(0.5);
    const root = new Registry();
    root.subRegistryWithLabel('ep', 'a').register(g);
    expect(samples(root)).toEqual([
      'g_h_bucket{ep="a",le="1.0"} 1',
      'g_h_bucket{ep="a",le="+Inf"} 1',
      'g_h_sum{ep="a"} 0.5',
      'g_h_count{ep="a"} 1',
    ]);
  });

  test('encoding reflects the values at the time of the call', () => {
    const g = new MetricsGroup('g');
    const c = g.counter('c');
    const root = new Registry();
    root.register(g);
    expect(samples(root)).toEqual(['g_c_total 0']);
    c.incBy(3);
    expect(samples(root)).toEqual(['g_c_total 3']);
  });

  test('registerAll and registerAllPrefixed take a MetricsGroupSet', () => {
    const set: MetricsGroupSet = {
      name: 'endpoint',
      groups: () => [group('magicsock'), group('net_report')],
    };
    const root = new Registry();
    root.registerAll(set);
    root.registerAllPrefixed({ name: 'endpoint', groups: () => [group('magicsock'), group('net_report')] });
    expect(samples(root)).toEqual([
      'magicsock_m 1',
      'net_report_m 1',
      'endpoint_magicsock_m 1',
      'endpoint_net_report_m 1',
    ]);
  });

  test('group items keep declaration order and default help to the name', () => {
    class Sock extends MetricsGroup {
      readonly a = this.counter('a', 'first');
      readonly b = this.gauge('b');
      readonly c = this.histogram('c', undefined, [1]);
      constructor() {
        super('magicsock');
      }
    }
    const s = new Sock();
    expect(s.name).toBe('magicsock');
    expect(s.items().map(({ name, help, metric }) => [name, help, metric.type])).toEqual([
      ['a', 'first', 'counter'],
      ['b', 'b', 'gauge'],
      ['c', 'c', 'histogram'],
    ]);
    expect(s.items()[0]?.metric).toBe(s.a);
  });
});
