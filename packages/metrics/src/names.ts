import { MetricsError } from './errors.js';

// Names are joined with `_` into `<prefix>_<group>_<metric>`, so every part
// must itself be a plain identifier. Prometheus would also allow `:` in metric
// names, but colons are reserved for recording rules, so we do not.
const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// With the `u` flag a lone surrogate is its own code point of category Cs;
// well-paired surrogates form an astral code point instead.
const LONE_SURROGATE = /\p{Cs}/u;

/** Throws `INVALID_NAME` unless `name` is an identifier. */
export function assertName(kind: 'group' | 'metric' | 'prefix', name: string): void {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new MetricsError(
      'INVALID_NAME',
      `invalid ${kind} name ${JSON.stringify(name)}: must match [a-zA-Z_][a-zA-Z0-9_]*`,
    );
  }
}

/** Throws `INVALID_LABEL_NAME` unless `name` is a usable label name. */
export function assertLabelName(name: string): void {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new MetricsError(
      'INVALID_LABEL_NAME',
      `invalid label name ${JSON.stringify(name)}: must match [a-zA-Z_][a-zA-Z0-9_]*`,
    );
  }
  if (name.startsWith('__')) {
    throw new MetricsError(
      'INVALID_LABEL_NAME',
      `label name ${JSON.stringify(name)} is reserved (starts with __)`,
    );
  }
  if (name === 'le') {
    throw new MetricsError('INVALID_LABEL_NAME', 'label name "le" is reserved for histogram buckets');
  }
}

/** Throws `INVALID_TEXT` unless `text` is a string that can be encoded as UTF-8. */
export function assertText(kind: 'help text' | 'label value', text: string): void {
  if (typeof text !== 'string' || LONE_SURROGATE.test(text)) {
    throw new MetricsError('INVALID_TEXT', `${kind} ${JSON.stringify(text)} is not well-formed Unicode`);
  }
}

/**
 * The name on a counter's sample line: `<name>_total`, unless the name already
 * ends in `_total` (iroh-metrics does not double the suffix). The group name is
 * always joined in front with `_`, so a metric named just `total` also counts.
 */
export function counterSampleName(name: string): string {
  return name === 'total' || name.endsWith('_total') ? name : `${name}_total`;
}

/**
 * Every name a metric occupies in the exposition, relative to its group: the
 * family name on its `# HELP`/`# TYPE` lines and the names of its samples. Two
 * metrics whose sets overlap would produce clashing or ambiguous output.
 */
export function occupiedNames(name: string, type: 'counter' | 'gauge' | 'histogram'): string[] {
  switch (type) {
    case 'counter':
      return [...new Set([name, counterSampleName(name)])];
    case 'gauge':
      return [name];
    case 'histogram':
      return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
  }
}
