import { EOF_LINE, renderLabels, writeGroup } from './encoding.js';
import { MetricsError } from './errors.js';
import { type MetricsGroup, type MetricsGroupSet, sealGroup } from './group.js';
import { assertLabelName, assertName, assertText, occupiedNames } from './names.js';

/** Anything that can render itself as an OpenMetrics text exposition. */
export interface MetricsSource {
  /** Returns the full exposition text, ending with `# EOF\n`. */
  encodeOpenMetrics(): string;
}

/** Labels given as `[name, value]` pairs (array, `Map`, …) or as a plain object. */
export type LabelsInit = Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

type LabelPair = readonly [string, string];

/** What occupies one full name in a registry tree, shared by all its nodes. */
interface Occupant {
  /** Metric type and role of the name, e.g. `counter/1` for a `_total` sample. */
  readonly kind: string;
  /** Canonical keys of the label sets the name is already used with. */
  readonly labelSets: Set<string>;
}

function isIterable(labels: LabelsInit): labels is Iterable<LabelPair> {
  return Symbol.iterator in labels;
}

/**
 * Holds {@link MetricsGroup}s and encodes them in the OpenMetrics text format,
 * like iroh-metrics' `Registry`.
 *
 * A registry can have sub-registries that add a name prefix
 * ({@link Registry.subRegistryWithPrefix}) or labels
 * ({@link Registry.subRegistryWithLabels}); both inherit the parent's prefix
 * and labels. Encoding writes the registry's own groups in registration order,
 * then each sub-registry (recursively) in creation order, then `# EOF`.
 *
 * Registration rejects, with `DUPLICATE_METRIC`, any metric that would repeat
 * a sample name with the same label set anywhere in the tree. The same names
 * with different labels are fine: that is how several endpoints share one
 * registry (`subRegistryWithLabel('endpoint', id)` per endpoint).
 */
export class Registry implements MetricsSource {
  #prefix: string | undefined = undefined;
  #labels: readonly LabelPair[] = [];
  #renderedLabels = '';
  #labelKey = '[]';
  readonly #groups: MetricsGroup[] = [];
  readonly #subs: Registry[] = [];
  #occupants = new Map<string, Occupant>();

  /** The prefix joined in front of every group name here, if any. */
  get prefix(): string | undefined {
    return this.#prefix;
  }

  /** The labels added to every sample here, in output order. */
  get labels(): readonly LabelPair[] {
    return this.#labels;
  }

  /**
   * Creates a sub-registry whose metrics are named `<prefix>_<group>_<metric>`.
   * Nested prefixes are joined with `_`, as in iroh-metrics.
   *
   * @throws {@link MetricsError} `INVALID_NAME` unless `prefix` matches `[a-zA-Z_][a-zA-Z0-9_]*`.
   */
  subRegistryWithPrefix(prefix: string): Registry {
    assertName('prefix', prefix);
    const sub = this.#child(this.#labels);
    sub.#prefix = this.#prefix === undefined ? prefix : `${this.#prefix}_${prefix}`;
    return sub;
  }

  /**
   * Creates a sub-registry that adds `labels` (after the inherited ones) to
   * every sample.
   *
   * @throws {@link MetricsError} `INVALID_LABEL_NAME`, `INVALID_TEXT` or `DUPLICATE_LABEL`.
   */
  subRegistryWithLabels(labels: LabelsInit): Registry {
    const added: LabelPair[] = isIterable(labels) ? [...labels] : Object.entries(labels);
    const all = [...this.#labels];
    for (const [name, value] of added) {
      assertLabelName(name);
      assertText('label value', value);
      if (all.some(([n]) => n === name)) {
        throw new MetricsError('DUPLICATE_LABEL', `label ${JSON.stringify(name)} is already set`);
      }
      all.push([name, value]);
    }
    return this.#child(all);
  }

  /**
   * Creates a sub-registry that adds the label `name="value"` to every sample.
   *
   * @throws {@link MetricsError} `INVALID_LABEL_NAME`, `INVALID_TEXT` or `DUPLICATE_LABEL`.
   */
  subRegistryWithLabel(name: string, value: string): Registry {
    return this.subRegistryWithLabels([[name, value]]);
  }

  /**
   * Registers a group and seals it (no more metrics can be added to it).
   *
   * @throws {@link MetricsError} `DUPLICATE_METRIC` if a name would clash.
   */
  register(group: MetricsGroup): void {
    this.#registerMany([group]);
  }

  /**
   * Registers every group of a set, or none of them if one would clash.
   *
   * @throws {@link MetricsError} `DUPLICATE_METRIC` if a name would clash.
   */
  registerAll(set: MetricsGroupSet): void {
    this.#registerMany([...set.groups()]);
  }

  /**
   * Registers every group of a set in a new sub-registry prefixed with the
   * set's name.
   *
   * @throws {@link MetricsError} `INVALID_NAME` or `DUPLICATE_METRIC`.
   */
  registerAllPrefixed(set: MetricsGroupSet): void {
    this.subRegistryWithPrefix(set.name).registerAll(set);
  }

  /** Encodes all metrics of this registry and its sub-registries, ending with `# EOF`. */
  encodeOpenMetrics(): string {
    const out: string[] = [];
    this.#write(out);
    out.push(EOF_LINE);
    return out.join('');
  }

  #write(out: string[]): void {
    for (const group of this.#groups) writeGroup(out, group, this.#prefix, this.#renderedLabels);
    for (const sub of this.#subs) sub.#write(out);
  }

  #child(labels: readonly LabelPair[]): Registry {
    const sub = new Registry();
    sub.#prefix = this.#prefix;
    sub.#labels = labels;
    sub.#renderedLabels = renderLabels(labels);
    sub.#labelKey = JSON.stringify([...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    sub.#occupants = this.#occupants;
    this.#subs.push(sub);
    return sub;
  }

  #registerMany(groups: readonly MetricsGroup[]): void {
    // Check everything first so a failed call changes nothing.
    const claims = new Map<string, string>();
    for (const group of groups) {
      const base = this.#prefix === undefined ? `${group.name}_` : `${this.#prefix}_${group.name}_`;
      for (const { name, metric } of group.items()) {
        occupiedNames(name, metric.type).forEach((n, i) => {
          const full = base + n;
          const kind = `${metric.type}/${i}`;
          const existing = this.#occupants.get(full);
          if (claims.has(full) || existing?.labelSets.has(this.#labelKey)) {
            throw new MetricsError(
              'DUPLICATE_METRIC',
              `${JSON.stringify(full)} is already registered with labels ${this.#labelKey}`,
            );
          }
          if (existing !== undefined && existing.kind !== kind) {
            throw new MetricsError(
              'DUPLICATE_METRIC',
              `${JSON.stringify(full)} is already registered as a different kind of metric`,
            );
          }
          claims.set(full, kind);
        });
      }
    }
    for (const [full, kind] of claims) {
      const existing = this.#occupants.get(full);
      if (existing === undefined) {
        this.#occupants.set(full, { kind, labelSets: new Set([this.#labelKey]) });
      } else {
        existing.labelSets.add(this.#labelKey);
      }
    }
    for (const group of groups) {
      sealGroup(group);
      this.#groups.push(group);
    }
  }
}
