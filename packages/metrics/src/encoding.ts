// Writes groups in the text exposition format, following iroh-metrics'
// layout: per metric a `# HELP` and a `# TYPE` line carrying the family name,
// then its samples; counters get `_total`, histograms `_bucket`/`_sum`/`_count`.

import { escapeLabelValue, formatFloat, renderHelp } from './format.js';
import type { MetricsGroup } from './group.js';
import { counterSampleName } from './names.js';

/** The line that terminates an OpenMetrics exposition. */
export const EOF_LINE = '# EOF\n';

/**
 * Renders `[name, value]` pairs as the inside of a label set,
 * `a="x",b="y"`, escaping the values. The names are already validated.
 */
export function renderLabels(labels: readonly (readonly [string, string])[]): string {
  return labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}

function labelSet(labels: string, le?: string): string {
  if (le === undefined) return labels === '' ? '' : `{${labels}}`;
  return labels === '' ? `{le="${le}"}` : `{${labels},le="${le}"}`;
}

/**
 * Appends the lines for every metric of `group` to `out`.
 *
 * @param prefix - Registry prefix, joined before the group name with `_`.
 * @param labels - Pre-rendered registry labels (see {@link renderLabels}), or `''`.
 */
export function writeGroup(
  out: string[],
  group: MetricsGroup,
  prefix: string | undefined,
  labels: string,
): void {
  const base = prefix === undefined ? `${group.name}_` : `${prefix}_${group.name}_`;
  const plain = labelSet(labels);
  for (const { name, help, metric } of group.items()) {
    const family = base + name;
    out.push(`# HELP ${family} ${renderHelp(help)}\n`, `# TYPE ${family} ${metric.type}\n`);
    switch (metric.type) {
      case 'counter':
        out.push(`${base}${counterSampleName(name)}${plain} ${metric.get()}\n`);
        break;
      case 'gauge':
        out.push(`${family}${plain} ${metric.get()}\n`);
        break;
      case 'histogram': {
        const { buckets, sum, count } = metric.value();
        for (const [bound, cumulative] of buckets) {
          out.push(`${family}_bucket${labelSet(labels, formatFloat(bound))} ${cumulative}\n`);
        }
        out.push(`${family}_sum${plain} ${formatFloat(sum)}\n`, `${family}_count${plain} ${count}\n`);
        break;
      }
    }
  }
}
