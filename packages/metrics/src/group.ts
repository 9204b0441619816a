import { Counter } from './counter.js';
import { MetricsError } from './errors.js';
import { Gauge } from './gauge.js';
import { Histogram } from './histogram.js';
import type { Metric } from './metric.js';
import { assertName, assertText, occupiedNames } from './names.js';

/** One named metric of a {@link MetricsGroup}, with its help text. */
export interface MetricItem {
  /** Metric name within the group, e.g. `send_ipv4`. */
  readonly name: string;
  /** One-line description written on the `# HELP` line. */
  readonly help: string;
  /** The metric itself. */
  readonly metric: Metric;
}

/**
 * A set of groups registered together, like iroh's `MetricsGroupSet` (for
 * example all groups of one endpoint). {@link Registry.registerAllPrefixed}
 * uses {@link MetricsGroupSet.name} as a prefix.
 */
export interface MetricsGroupSet {
  /** Name of the set, used as a prefix by `registerAllPrefixed`. */
  readonly name: string;
  /** The groups in the set, in encoding order. */
  groups(): Iterable<MetricsGroup>;
}

const sealedGroups = new WeakSet<MetricsGroup>();

/** Marks `group` as registered: it accepts no further metrics. Internal. */
export function sealGroup(group: MetricsGroup): void {
  sealedGroups.add(group);
}

/**
 * A named collection of metrics, the unit iroh registers and encodes (e.g.
 * `magicsock`, `relayserver`). Each metric is exposed as
 * `<registry prefix>_<group name>_<metric name>`.
 *
 * Define a group by subclassing, declaring one field per metric; the field
 * initializers run in declaration order, which is also the encoding order:
 *
 * ```ts
 * class SocketMetrics extends MetricsGroup {
 *   readonly sendIpv4 = this.counter('send_ipv4', 'Number of IPv4 packets sent');
 *   readonly clients = this.gauge('clients', 'Number of connected clients');
 *   constructor() { super('magicsock'); }
 * }
 * ```
 *
 * A group is sealed once it is registered: adding a metric after that throws
 * `GROUP_SEALED`, so the registry's duplicate-name checks stay valid.
 */
export class MetricsGroup {
  /** Group name, an identifier such as `magicsock`. */
  readonly name: string;
  readonly #items: MetricItem[] = [];
  readonly #occupied = new Set<string>();

  /**
   * @param name - Group name, matching `[a-zA-Z_][a-zA-Z0-9_]*`.
   * @throws {@link MetricsError} `INVALID_NAME` if it does not.
   */
  constructor(name: string) {
    assertName('group', name);
    this.name = name;
  }

  /**
   * Adds a {@link Counter}.
   *
   * @param name - Metric name, matching `[a-zA-Z_][a-zA-Z0-9_]*`.
   * @param help - Description; defaults to the name, as iroh's derive does.
   * @throws {@link MetricsError} `INVALID_NAME`, `INVALID_TEXT`, `DUPLICATE_METRIC` or `GROUP_SEALED`.
   */
  counter(name: string, help?: string): Counter {
    return this.#add(name, help, 'counter', () => new Counter());
  }

  /**
   * Adds a {@link Gauge}.
   *
   * @param name - Metric name, matching `[a-zA-Z_][a-zA-Z0-9_]*`.
   * @param help - Description; defaults to the name.
   * @throws {@link MetricsError} `INVALID_NAME`, `INVALID_TEXT`, `DUPLICATE_METRIC` or `GROUP_SEALED`.
   */
  gauge(name: string, help?: string): Gauge {
    return this.#add(name, help, 'gauge', () => new Gauge());
  }

  /**
   * Adds a {@link Histogram} with the given bucket upper bounds.
   *
   * @param name - Metric name, matching `[a-zA-Z_][a-zA-Z0-9_]*`.
   * @param help - Description; pass `undefined` to use the name.
   * @param buckets - Strictly increasing upper bounds; `+Inf` is appended if missing.
   * @throws {@link MetricsError} `INVALID_NAME`, `INVALID_TEXT`, `INVALID_BUCKETS`,
   *   `DUPLICATE_METRIC` or `GROUP_SEALED`.
   */
  histogram(name: string, help: string | undefined, buckets: readonly number[]): Histogram {
    return this.#add(name, help, 'histogram', () => new Histogram(buckets));
  }

  /** Returns the metrics in the order they were added. */
  items(): readonly MetricItem[] {
    return this.#items;
  }

  /** Whether the group has been registered and so accepts no more metrics. */
  get sealed(): boolean {
    return sealedGroups.has(this);
  }

  #add<M extends Metric>(name: string, help: string | undefined, type: M['type'], make: () => M): M {
    if (sealedGroups.has(this)) {
      throw new MetricsError(
        'GROUP_SEALED',
        `cannot add ${JSON.stringify(name)}: group ${JSON.stringify(this.name)} is already registered`,
      );
    }
    assertName('metric', name);
    if (help !== undefined) assertText('help text', help);
    const names = occupiedNames(name, type);
    const clash = names.find((n) => this.#occupied.has(n));
    if (clash !== undefined) {
      throw new MetricsError(
        'DUPLICATE_METRIC',
        `metric ${JSON.stringify(name)} clashes with an existing metric over ${JSON.stringify(clash)} in group ${JSON.stringify(this.name)}`,
      );
    }
    const metric = make();
    for (const n of names) this.#occupied.add(n);
    this.#items.push({ name, help: help ?? name, metric });
    return metric;
  }
}
