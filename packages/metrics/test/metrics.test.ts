import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Counter, Gauge, Histogram } from '../src/index.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

describe('Counter', () => {
  test('inc, incBy and get', () => {
    const c = new Counter();
    expect(c.get()).toBe(0n);
    c.inc();
    c.incBy(41);
    c.incBy(0);
    c.incBy(8n);
    expect(c.get()).toBe(50n);
    expect(c.value()).toEqual({ type: 'counter', value: 50n });
    expect(c.type).toBe('counter');
  });

  test('stays exact past 2^53', () => {
    const c = new Counter();
    c.incBy(MAX_SAFE);
    c.inc();
    c.inc();
    expect(c.get()).toBe(9007199254740993n);
    c.incBy(MAX_SAFE);
    expect(c.get()).toBe(9007199254740993n + BigInt(MAX_SAFE));
  });

  test('wraps at 2^64 like a Rust AtomicU64', () => {
    const c = new Counter();
    c.incBy(2n ** 64n - 1n);
    expect(c.get()).toBe(2n ** 64n - 1n);
    c.inc();
    expect(c.get()).toBe(0n);
    c.incBy(2n ** 64n - 1n);
    c.incBy(5);
    expect(c.get()).toBe(4n);
  });

  test('matches a bigint model for any sequence of increments', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.maxSafeNat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))), (ops) => {
        const c = new Counter();
        let model = 0n;
        for (const op of ops) {
          c.incBy(op);
          model = BigInt.asUintN(64, model + BigInt(op));
          expect(c.get()).toBe(model);
        }
      }),
    );
  });
});

describe('Gauge', () => {
  test('inc, dec, incBy, decBy, set and get', () => {
    const g = new Gauge();
    g.inc();
    g.inc();
    g.dec();
    expect(g.get()).toBe(1n);
    g.decBy(4);
    expect(g.get()).toBe(-3n);
    g.incBy(-2);
    expect(g.get()).toBe(-5n);
    g.set(7n);
    expect(g.get()).toBe(7n);
    g.set(-2);
    expect(g.value()).toEqual({ type: 'gauge', value: -2n });
  });

  test('wraps at the i64 boundaries like a Rust AtomicI64', () => {
    const g = new Gauge();
    g.set(2n ** 63n - 1n);
    g.inc();
    expect(g.get()).toBe(-(2n ** 63n));
    g.dec();
    expect(g.get()).toBe(2n ** 63n - 1n);
    g.set(0);
    g.decBy(-(2n ** 63n));
    expect(g.get()).toBe(-(2n ** 63n));
  });

  test('matches a bigint model for any sequence of operations', () => {
    const i64 = fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    type Op = { name: 'inc' | 'dec' } | { name: 'incBy' | 'decBy' | 'set'; by: number | bigint };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ name: fc.constantFrom('inc' as const, 'dec' as const) }),
      fc.record({ name: fc.constantFrom('incBy' as const, 'decBy' as const, 'set' as const), by: i64 }),
    );
    fc.assert(
      fc.property(fc.array(op), (ops) => {
        const g = new Gauge();
        let model = 0n;
        for (const o of ops) {
          if ('by' in o) {
            g[o.name](o.by);
            const by = BigInt(o.by);
            model = o.name === 'set' ? by : model + (o.name === 'incBy' ? by : -by);
          } else {
            g[o.name]();
            model += o.name === 'inc' ? 1n : -1n;
          }
          model = BigInt.asIntN(64, model);
          expect(g.get()).toBe(model);
        }
      }),
    );
  });
});

describe('Histogram', () => {
  test('counts each observation in the first bucket whose bound is >= the value', () => {
    const h = new Histogram([1, 2, 5]);
    for (const v of [0, 1, 1.5, 2, 5, 5.01, -3]) h.observe(v);
    expect(h.buckets()).toEqual([
      [1, 3],
      [2, 5],
      [5, 6],
      [Number.POSITIVE_INFINITY, 7],
    ]);
    expect(h.count()).toBe(7);
    expect(h.sum()).toBeCloseTo(11.51, 10);
    expect(h.value()).toEqual({ type: 'histogram', buckets: h.buckets(), sum: h.sum(), count: 7 });
  });

  test('appends +Inf only when missing', () => {
    expect(new Histogram([]).buckets()).toEqual([[Number.POSITIVE_INFINITY, 0]]);
    expect(new Histogram([1, Number.POSITIVE_INFINITY]).buckets()).toEqual([
      [1, 0],
      [Number.POSITIVE_INFINITY, 0],
    ]);
  });

  test('does not keep a reference to the caller’s bucket array', () => {
    const bounds = [1, 2];
    const h = new Histogram(bounds);
    bounds.push(0);
    expect(h.buckets().map(([b]) => b)).toEqual([1, 2, Number.POSITIVE_INFINITY]);
  });

  test('NaN and +Inf observations land in the +Inf bucket', () => {
    const h = new Histogram([1]);
    h.observe(Number.NaN);
    h.observe(Number.POSITIVE_INFINITY);
    expect(h.buckets()).toEqual([
      [1, 0],
      [Number.POSITIVE_INFINITY, 2],
    ]);
    expect(h.sum()).toBeNaN();
  });
});
