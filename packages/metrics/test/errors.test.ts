import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Counter, Gauge, Histogram, MetricsError, MetricsGroup, Registry } from '../src/index.js';
import { expectMetricsError } from './support/errors.js';

const badNames = ['', '1abc', 'a-b', 'a b', 'a:b', 'a.b', 'é', 'magic sock', 'x\n', '_\u0000'];
const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Mostly identifier characters, so that valid and invalid names both occur.
const nameLike = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...'abcXYZ_0189'.split('')) },
    { weight: 1, arbitrary: fc.constantFrom('-', ' ', ':', '.', 'é', '\n', '😀', '\u0000', '$') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 12,
});

describe('MetricsError', () => {
  test('is an Error subclass with a name, message and code', () => {
    const err = new MetricsError('INVALID_NAME', 'nope');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('MetricsError');
    expect(err.message).toBe('nope');
    expect(err.code).toBe('INVALID_NAME');
  });
});

describe('invalid names are rejected with INVALID_NAME', () => {
  test.each(badNames)('group name %j', (name) => {
    expectMetricsError(() => new MetricsGroup(name), 'INVALID_NAME');
  });

  test.each(badNames)('metric name %j (counter, gauge, histogram)', (name) => {
    const group = new MetricsGroup('g');
    expectMetricsError(() => group.counter(name), 'INVALID_NAME');
    expectMetricsError(() => group.gauge(name), 'INVALID_NAME');
    expectMetricsError(() => group.histogram(name, undefined, [1]), 'INVALID_NAME');
    expect(group.items()).toEqual([]);
  });

  test.each(badNames)('registry prefix %j', (name) => {
    expectMetricsError(() => new Registry().subRegistryWithPrefix(name), 'INVALID_NAME');
  });

  test('any string that is not an identifier is rejected; any identifier is accepted', () => {
    fc.assert(
      fc.property(nameLike, (name) => {
        if (IDENTIFIER.test(name)) {
          expect(new MetricsGroup(name).counter(name)).toBeInstanceOf(Counter);
        } else {
          expectMetricsError(() => new MetricsGroup(name), 'INVALID_NAME');
          expectMetricsError(() => new MetricsGroup('g').gauge(name), 'INVALID_NAME');
        }
      }),
      { numRuns: 500 },
    );
  });

  test('a set with an invalid name cannot be registered prefixed', () => {
    const registry = new Registry();
    expectMetricsError(
      () => registry.registerAllPrefixed({ name: 'my-set', groups: () => [] }),
      'INVALID_NAME',
    );
    expect(registry.encodeOpenMetrics()).toBe('# EOF\n');
  });
});

describe('labels', () => {
  test.each(['', '1a', 'a-b', '__reserved', 'le', 'a b'])('label name %j is rejected', (name) => {
    expectMetricsError(() => new Registry().subRegistryWithLabel(name, 'v'), 'INVALID_LABEL_NAME');
  });

  test('label values and help text must be well-formed Unicode', () => {
    expectMetricsError(() => new Registry().subRegistryWithLabel('k', 'bad \uD800 value'), 'INVALID_TEXT');
    expectMetricsError(() => new MetricsGroup('g').counter('c', 'bad \uDC00 help'), 'INVALID_TEXT');
    // Paired surrogates (an emoji) are fine.
    expect(new Registry().subRegistryWithLabel('k', '😀').labels).toEqual([['k', '😀']]);
  });

  test('a label cannot be set twice, directly or through inheritance', () => {
    const registry = new Registry();
    expectMetricsError(
      () =>
        registry.subRegistryWithLabels([
          ['a', '1'],
          ['a', '2'],
        ]),
      'DUPLICATE_LABEL',
    );
    const sub = registry.subRegistryWithLabel('a', '1');
    expectMetricsError(() => sub.subRegistryWithLabel('a', '2'), 'DUPLICATE_LABEL');
  });
});

describe('duplicates within a group', () => {
  test.each([
    ['same name twice', (g: MetricsGroup) => [g.counter('x'), g.gauge('x')]],
    [
      'counter x and gauge x_total share the sample name',
      (g: MetricsGroup) => [g.counter('x'), g.gauge('x_total')],
    ],
    [
      'counters x and x_total both write x_total',
      (g: MetricsGroup) => [g.counter('x'), g.counter('x_total')],
    ],
    ['histogram x and gauge x_sum', (g: MetricsGroup) => [g.histogram('x', undefined, []), g.gauge('x_sum')]],
    [
      'gauge x_count and histogram x',
      (g: MetricsGroup) => [g.gauge('x_count'), g.histogram('x', undefined, [])],
    ],
    [
      'histogram x and counter x_bucket',
      (g: MetricsGroup) => [g.histogram('x', undefined, []), g.counter('x_bucket')],
    ],
  ])('%s → DUPLICATE_METRIC', (_, add) => {
    expectMetricsError(() => add(new MetricsGroup('g')), 'DUPLICATE_METRIC');
  });

  test('names that only look similar are fine', () => {
    const g = new MetricsGroup('g');
    g.counter('x');
    g.gauge('x_totals');
    g.histogram('y', undefined, []);
    g.gauge('y_avg');
    expect(g.items().map((i) => i.name)).toEqual(['x', 'x_totals', 'y', 'y_avg']);
  });
});

describe('registration', () => {
  test('a registered group is sealed', () => {
    const group = new MetricsGroup('g');
    group.counter('a');
    expect(group.sealed).toBe(false);
    new Registry().register(group);
    expect(group.sealed).toBe(true);
    expectMetricsError(() => group.counter('b'), 'GROUP_SEALED');
    expect(group.items().map((i) => i.name)).toEqual(['a']);
  });

  test('registering a group twice with the same labels is rejected', () => {
    const group = new MetricsGroup('g');
    group.counter('a');
    const registry = new Registry();
    registry.register(group);
    expectMetricsError(() => registry.register(group), 'DUPLICATE_METRIC');
    // ...also from a prefix-less sub-registry with the same (empty) label set.
    expectMetricsError(() => registry.subRegistryWithLabels([]).register(group), 'DUPLICATE_METRIC');
  });

  test('the same names under different labels are allowed', () => {
    const registry = new Registry();
    for (const id of ['a', 'b']) {
      const group = new MetricsGroup('g');
      group.counter('c').inc();
      registry.subRegistryWithLabel('endpoint', id).register(group);
    }
    expect(registry.encodeOpenMetrics()).toContain('g_c_total{endpoint="b"} 1\n');
  });

  test('label order does not make a new label set', () => {
    const registry = new Registry();
    const make = () => {
      const g = new MetricsGroup('g');
      g.gauge('x');
      return g;
    };
    registry.subRegistryWithLabel('a', '1').subRegistryWithLabel('b', '2').register(make());
    expectMetricsError(
      () =>
        registry
          .subRegistryWithLabels([
            ['b', '2'],
            ['a', '1'],
          ])
          .register(make()),
      'DUPLICATE_METRIC',
    );
  });

  test('names that collide across groups are rejected', () => {
    const registry = new Registry();
    const a = new MetricsGroup('a');
    a.counter('b_c');
    const ab = new MetricsGroup('a_b');
    ab.gauge('c');
    registry.register(a);
    expectMetricsError(() => registry.register(ab), 'DUPLICATE_METRIC');
  });

  test('one name cannot be a different kind of metric under other labels', () => {
    const registry = new Registry();
    const counter = new MetricsGroup('g');
    counter.counter('x');
    const gauge = new MetricsGroup('g');
    gauge.gauge('x');
    registry.subRegistryWithLabel('k', '1').register(counter);
    expectMetricsError(() => registry.subRegistryWithLabel('k', '2').register(gauge), 'DUPLICATE_METRIC');
  });

  test('registerAll registers all groups or none', () => {
    const registry = new Registry();
    const ok = new MetricsGroup('ok');
    ok.counter('x').inc();
    const clash1 = new MetricsGroup('dup');
    clash1.gauge('y');
    const clash2 = new MetricsGroup('dup');
    clash2.gauge('y');
    expectMetricsError(
      () => registry.registerAll({ name: 'set', groups: () => [ok, clash1, clash2] }),
      'DUPLICATE_METRIC',
    );
    expect(registry.encodeOpenMetrics()).toBe('# EOF\n');
    expect(ok.sealed).toBe(false);
    registry.register(ok);
    expect(registry.encodeOpenMetrics()).toContain('ok_x_total 1\n');
  });
});

describe('values', () => {
  test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -1n, 2n ** 64n])(
    'counter.incBy(%s) → INVALID_VALUE',
    (v) => {
      const c = new Counter();
      expectMetricsError(() => c.incBy(v), 'INVALID_VALUE');
      expect(c.get()).toBe(0n);
    },
  );

  test.each([1.5, Number.NaN, Number.NEGATIVE_INFINITY, 2 ** 53, 2n ** 63n, -(2n ** 63n) - 1n])(
    'gauge.set / incBy / decBy(%s) → INVALID_VALUE',
    (v) => {
      const g = new Gauge();
      expectMetricsError(() => g.set(v), 'INVALID_VALUE');
      expectMetricsError(() => g.incBy(v), 'INVALID_VALUE');
      expectMetricsError(() => g.decBy(v), 'INVALID_VALUE');
      expect(g.get()).toBe(0n);
    },
  );

  test.each([
    ['descending', [2, 1]],
    ['repeated', [1, 1]],
    ['NaN', [Number.NaN]],
    ['-Inf', [Number.NEGATIVE_INFINITY, 0]],
    ['+Inf not last', [Number.POSITIVE_INFINITY, 1]],
    ['0 then -0', [0, -0]],
  ])('histogram buckets %s → INVALID_BUCKETS', (_, buckets) => {
    expectMetricsError(() => new Histogram(buckets), 'INVALID_BUCKETS');
    expectMetricsError(() => new MetricsGroup('g').histogram('h', undefined, buckets), 'INVALID_BUCKETS');
  });
});
