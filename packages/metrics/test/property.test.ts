import fc from 'fast-check';
import type { ParsedFamily } from 'parse-prometheus-text-format';
import { describe, expect, test } from 'vitest';
import { formatFloat, MetricsGroup, Registry } from '../src/index.js';
import { parseAsClassic, parseValue } from './support/prom.js';

const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

const identifier = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/);
const labelName = identifier.filter((n) => !n.startsWith('__') && n !== 'le');
// Text that stresses the escaping: the escaped characters and sequences that
// look like escapes, format punctuation, whitespace and non-ASCII, plus any
// grapheme. (Lone surrogates are rejected by design; see errors.test.ts.)
const tricky = fc.constantFrom(
  '\\',
  '"',
  '\n',
  '\\n',
  '\\"',
  ' ',
  '.',
  '?',
  '!',
  '{',
  '}',
  '=',
  ',',
  '#',
  '\t',
  '\r',
  'é',
  '😀',
  '\u2028',
);
const text = fc.string({
  unit: fc.oneof(tricky, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
  maxLength: 24,
});

type CounterOp = 'inc' | number | bigint;
type GaugeOp = { op: 'inc' | 'dec' } | { op: 'incBy' | 'decBy' | 'set'; by: number | bigint };
interface MetricSpec {
  name: string;
  help: string | undefined;
  kind: Kind;
}
interface GroupSpec {
  name: string;
  metrics: MetricSpec[];
}
type Kind =
  | { type: 'counter'; ops: CounterOp[] }
  | { type: 'gauge'; ops: GaugeOp[] }
  | { type: 'histogram'; bounds: number[]; observations: number[] };

const counterOps = fc.array(
  fc.oneof(fc.constant<'inc'>('inc'), fc.maxSafeNat(), fc.bigInt({ min: 0n, max: U64_MAX })),
  { maxLength: 5 },
);
const i64 = fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: I64_MIN, max: I64_MAX }));
const gaugeOps: fc.Arbitrary<GaugeOp[]> = fc.array(
  fc.oneof(
    fc.record({ op: fc.constantFrom<'inc' | 'dec'>('inc', 'dec') }),
    fc.record({ op: fc.constantFrom<'incBy' | 'decBy' | 'set'>('incBy', 'decBy', 'set'), by: i64 }),
  ),
  { maxLength: 5 },
);
const bounds = fc
  .uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), {
    comparator: 'SameValueZero',
    maxLength: 6,
  })
  .map((b) => b.sort((x, y) => x - y));

const kind: fc.Arbitrary<Kind> = fc.oneof(
  fc.record({ type: fc.constant<'counter'>('counter'), ops: counterOps }),
  fc.record({ type: fc.constant<'gauge'>('gauge'), ops: gaugeOps }),
  bounds.chain((b) => {
    // Plain doubles rarely hit a bound or NaN, so mix those in explicitly:
    // a value equal to a bound belongs to that bucket, NaN to +Inf.
    const special = fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0,
      -0,
      ...b,
    );
    return fc.record({
      type: fc.constant<'histogram'>('histogram'),
      bounds: fc.constant(b),
      observations: fc.array(fc.oneof(fc.double(), special), { maxLength: 8 }),
    });
  }),
);
const metricSpec: fc.Arbitrary<MetricSpec> = fc.record({
  name: identifier,
  help: fc.option(text, { nil: undefined }),
  kind,
});
const groupSpec: fc.Arbitrary<GroupSpec> = fc.record({
  name: identifier,
  metrics: fc.uniqueArray(metricSpec, { selector: (m) => m.name, maxLength: 4 }),
});
const registrySpec = fc.record({
  prefix: fc.option(identifier, { nil: undefined }),
  labels: fc.uniqueArray(fc.tuple(labelName, text), { selector: ([k]) => k, maxLength: 3 }),
  plain: fc.array(groupSpec, { maxLength: 3 }),
  labelled: fc.array(groupSpec, { maxLength: 3 }),
});

function counterModel(ops: readonly CounterOp[]): bigint {
  let v = 0n;
  for (const op of ops) v = BigInt.asUintN(64, v + (op === 'inc' ? 1n : BigInt(op)));
  return v;
}

function gaugeModel(ops: readonly GaugeOp[]): bigint {
  let v = 0n;
  for (const o of ops) {
    if (!('by' in o)) v += o.op === 'inc' ? 1n : -1n;
    else if (o.op === 'incBy') v += BigInt(o.by);
    else if (o.op === 'decBy') v -= BigInt(o.by);
    else v = BigInt(o.by);
    v = BigInt.asIntN(64, v);
  }
  return v;
}

function build(spec: GroupSpec): MetricsGroup {
  const group = new MetricsGroup(spec.name);
  for (const { name, help, kind } of spec.metrics) {
    if (kind.type === 'counter') {
      const c = group.counter(name, help);
      for (const op of kind.ops) {
        if (op === 'inc') c.inc();
        else c.incBy(op);
      }
    } else if (kind.type === 'gauge') {
      const g = group.gauge(name, help);
      for (const o of kind.ops) {
        if ('by' in o) g[o.op](o.by);
        else g[o.op]();
      }
    } else {
      const h = group.histogram(name, help, kind.bounds);
      for (const v of kind.observations) h.observe(v);
    }
  }
  return group;
}

/** The help text as the parser should return it: with a final period unless it ends in . ? or !. */
function expectedHelp(help: string): string {
  return /[.?!]\n*$/.test(help) ? help : `${help}.`;
}

function checkGroup(
  families: ParsedFamily[],
  spec: GroupSpec,
  prefix: string | undefined,
  labels: Record<string, string> | undefined,
): void {
  for (const { name, help, kind } of spec.metrics) {
    const full = `${prefix === undefined ? '' : `${prefix}_`}${spec.name}_${name}`;
    const family = families.shift();
    expect(family).toBeDefined();
    if (family === undefined) return;
    expect(family.help).toBe(expectedHelp(help ?? name));
    if (kind.type === 'counter') {
      expect(family.name).toBe(/(^|_)total$/.test(name) ? full : `${full}_total`);
      expect(family.type).toBe('COUNTER');
      expect(family.metrics).toEqual([{ value: counterModel(kind.ops).toString(), labels }]);
    } else if (kind.type === 'gauge') {
      expect(family.name).toBe(full);
      expect(family.type).toBe('GAUGE');
      expect(family.metrics).toEqual([{ value: gaugeModel(kind.ops).toString(), labels }]);
    } else {
      expect(family.name).toBe(full);
      expect(family.type).toBe('HISTOGRAM');
      const [parsed] = family.metrics;
      const buckets = Object.entries(parsed?.buckets ?? {}).map(([le, n]) => [parseValue(le), Number(n)]);
      const expected = [...kind.bounds, Number.POSITIVE_INFINITY].map((bound, i, all) => [
        bound,
        kind.observations.filter((v) => v <= bound || (Number.isNaN(v) && i === all.length - 1)).length,
      ]);
      // Compare as a map keyed by bound: object key order puts integer-like keys first.
      expect(new Map(buckets.map(([b, n]) => [b, n]))).toEqual(new Map(expected.map(([b, n]) => [b, n])));
      expect(buckets.length).toBe(expected.length);
      if (labels === undefined) {
        // With extra labels this parser drops _sum and _count (see parse.test.ts).
        expect(parseValue(parsed?.sum)).toBe(kind.observations.reduce((a, b) => a + b, 0));
        expect(parsed?.count).toBe(String(kind.observations.length));
      }
    }
  }
}

/** Every name a metric could touch, so generated registries never collide. */
function footprint(prefix: string | undefined, groups: readonly GroupSpec[]): string[] {
  return groups.flatMap((g) =>
    g.metrics.flatMap((m) => {
      const full = `${prefix === undefined ? '' : `${prefix}_`}${g.name}_${m.name}`;
      return [full, `${full}_total`, `${full}_bucket`, `${full}_sum`, `${full}_count`];
    }),
  );
}

describe('property: random registries encode to parseable text that round-trips', () => {
  test('names, types, help, labels and values survive encode → parse', () => {
    fc.assert(
      fc.property(registrySpec, ({ prefix, labels, plain, labelled }) => {
        const names = footprint(prefix, [...plain, ...labelled]);
        fc.pre(new Set(names).size === names.length);

        const root = new Registry();
        const base = prefix === undefined ? root : root.subRegistryWithPrefix(prefix);
        for (const g of plain) base.register(build(g));
        const sub = base.subRegistryWithLabels(labels);
        for (const g of labelled) sub.register(build(g));

        const text = root.encodeOpenMetrics();
        expect(text.endsWith('# EOF\n')).toBe(true);
        const families = parseAsClassic(text);
        for (const g of plain) checkGroup(families, g, prefix, undefined);
        const labelMap = labels.length === 0 ? undefined : Object.fromEntries(labels);
        for (const g of labelled) checkGroup(families, g, prefix, labelMap);
        expect(families).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test('formatFloat round-trips every double and stays within the text format grammar', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        const s = formatFloat(v);
        expect(s).toMatch(/^(\+Inf|-Inf|NaN|-?\d+(\.\d+)?(e-?\d+)?)$/);
        expect(parseValue(s)).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });
});
